"""A returning client: what they told us last time, section by section, and what changed.

Pure functions over the rule book and stored answers (no Flask, no database), used by the
invitation's questionnaire and the therapist's screening page. A question the rule book
marks `ask_afresh` (about today or a short time window, or a red flag), and every
follow-up of one, is always asked again and never filled in from last time. Everything
else a returning client may keep, section by section ("No change"), or change ("Something
has changed" opens the section's questions, filled in with last time's answers). Sections
are the rule book's, whatever they hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .answers import AnswerError, asked, check_value, is_empty
from .rulebook import RANK, Question, Rulebook, Section
from .rulebook.predicates import window_start

#: How long after a screening a client counts as returning (shown last time's answers).
RETURNING_MONTHS = 12
#: The two answers to "Has anything changed?", as posted.
SAME, CHANGED = "same", "changed"


def returning_since(last_day: date | None, today: date) -> bool:
    """Whether a client last screened on `last_day` is within the returning window."""
    return last_day is not None and \
        window_start(today, RETURNING_MONTHS, "month") <= last_day <= today


def asked_afresh(rulebook: Rulebook, question: Question) -> bool:
    """Marked `ask_afresh`, or a follow-up of a question that is: never filled in."""
    parent = rulebook.questions.get(question.parent) if question.parent else None
    return question.ask_afresh or (parent is not None and parent.ask_afresh)


def section_questions(rulebook: Rulebook, section: Section) -> list[str]:
    """A section's question ids, in form order: the one place that says what a section
    holds."""
    return [qid for qid in section.questions if qid in rulebook.questions]


def kept_answers(rulebook: Rulebook, previous: Mapping[str, Any], today: date
                 ) -> dict[str, Any]:
    """Last time's answers a returning client may keep: to questions the rule book still
    has, not asked afresh, and still valid. A question whose condition's kept answers no
    longer make a whole answer (the rule book added a required follow-up) is left out
    with the rest of its condition, so it is asked as new."""
    kept: dict[str, Any] = {}
    for qid, value in previous.items():
        question = rulebook.questions.get(qid)
        if question is None or asked_afresh(rulebook, question) or is_empty(value):
            continue
        try:
            kept[qid] = check_value(question, value, today)
        except AnswerError:
            continue
    incomplete = {question.condition for question in asked(rulebook, kept)
                  if not asked_afresh(rulebook, question) and question.required
                  and is_empty(kept.get(question.id))}
    return {qid: value for qid, value in kept.items()
            if rulebook.questions[qid].condition not in incomplete}


@dataclass(frozen=True)
class SectionPlan:
    """One section for a returning client: what they told us last time (`last_time`, the
    kept answers asked, in form order) and the questions "No change" keeps (`kept`: those
    not asked afresh, of the conditions whose main question was answered last time; any
    other is asked as new)."""

    section: Section
    kept: tuple[str, ...]
    last_time: tuple[tuple[str, Any], ...]

    @property
    def id(self) -> str:
        return self.section.id

    @property
    def asks_about_change(self) -> bool:
        """Whether the section asks "Has anything changed?" (it has answers to keep)."""
        return bool(self.last_time)


def plan(rulebook: Rulebook, kept: Mapping[str, Any]) -> list[SectionPlan]:
    """Each section of the rule book, with last time's answers to keep."""
    shown = {question.id for question in asked(rulebook, kept)}
    plans = []
    for section in rulebook.sections:
        keepable = tuple(qid for qid in section_questions(rulebook, section)
                         if _answered(rulebook.questions[qid], kept)
                         and not asked_afresh(rulebook, rulebook.questions[qid]))
        last_time = tuple((qid, kept[qid]) for qid in keepable if qid in kept and qid in shown)
        plans.append(SectionPlan(section, keepable if last_time else (), last_time))
    return plans


def _answered(question: Question, kept: Mapping[str, Any]) -> bool:
    """Whether last time's answers to keep cover this question: its condition was answered
    (then all of it is kept together), or, for an intake detail, the question itself."""
    return (question.condition or question.id) in kept


def merged_post(rulebook: Rulebook, posted: Iterable[tuple[str, str]],
                plans: Iterable[SectionPlan], choices: Mapping[str, str],
                kept: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The questionnaire's post as if typed in full: in each section answered "No change",
    last time's answers in place of whatever was posted for its kept questions (they were
    hidden, and are last time's by definition). Everything else as posted."""
    replaced = {qid for item in plans if choices.get(item.id) == SAME for qid in item.kept}
    return [(name, value) for name, value in posted if name not in replaced] + \
        answer_items(rulebook, {qid: value for qid, value in kept.items() if qid in replaced})


def answer_items(rulebook: Rulebook, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Stored answers as a form posts them: (question id, text), as each question's type
    posts them (a list as repeated items, a contact as its parts, areas with their scores)."""
    return [(qid, item) for qid, value in answers.items() if not is_empty(value)
            for item in rulebook.questions[qid].kind.posted(rulebook.questions[qid], value)]


@dataclass(frozen=True)
class AnswerChange:
    """One answer that differs from the last screening. `question` is None for a question
    the rule book no longer has (`question_id` then says which it was)."""

    question_id: str
    question: Question | None
    before: Any
    after: Any


def answer_changes(rulebook: Rulebook, before: Mapping[str, Any], after: Mapping[str, Any]
                   ) -> list[tuple[str, list[AnswerChange]]]:
    """What changed since the last screening, answer by answer, by section (title, changes);
    answers to questions the rule book no longer has come last, under "No longer asked"."""
    grouped = []
    for section in rulebook.sections:
        changes = [AnswerChange(qid, rulebook.questions[qid], before.get(qid), after.get(qid))
                   for qid in section_questions(rulebook, section)
                   if _differs(before.get(qid), after.get(qid))]
        if changes:
            grouped.append((section.title, changes))
    placed = {qid for section in rulebook.sections
              for qid in section_questions(rulebook, section)}
    retired = [AnswerChange(qid, rulebook.questions.get(qid), before.get(qid), after.get(qid))
               for qid in [*before, *(qid for qid in after if qid not in before)]
               if qid not in placed and _differs(before.get(qid), after.get(qid))]
    if retired:
        grouped.append(("No longer asked", retired))
    return grouped


def _differs(first: Any, second: Any) -> bool:
    if is_empty(first) and is_empty(second):
        return False
    if isinstance(first, list) and isinstance(second, list):
        return sorted(map(str, first)) != sorted(map(str, second))
    return first != second


def outcome_move(before: str, after: str) -> str:
    """'more restrictive', 'less restrictive' or 'the same', from one outcome to another."""
    if RANK[after] > RANK[before]:
        return "more restrictive"
    if RANK[after] < RANK[before]:
        return "less restrictive"
    return "the same"
