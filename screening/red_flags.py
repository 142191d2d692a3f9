"""Red-flag answers: the answers that alone make an urgent rule match, found from the rule book.

Pure (no Flask). Nothing here lists a question: each coded one-answer question is tried
with each of its answers through the engine itself, with only what reveals it answered
(its condition's question and its follow-up parents "yes"). An answer is a red flag when
it adds an urgent finding to what those answers give on their own. The form shows the
rule book's urgent advice beside such an answer at once, and the next page the server
sends shows it at the top.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .engine import evaluate
from .rulebook import Question, Rulebook

_RED_FLAGS = "_screening_red_flags"


def red_flags(rulebook: Rulebook) -> dict[str, tuple[str, ...]]:
    """Question id -> the answers to it that are red flags, worked out once per rule book
    (kept in the rule book object's __dict__, as the engine keeps its plan)."""
    found = rulebook.__dict__.get(_RED_FLAGS)
    if found is None:
        found = rulebook.__dict__[_RED_FLAGS] = _find(rulebook)
    return found


def _find(rulebook: Rulebook) -> dict[str, tuple[str, ...]]:
    on = date(2000, 1, 1)  # the answers tried hold no dates, so no window depends on it
    found = {}
    for question in rulebook.questions.values():
        if question.multiple or not question.choices:  # one coded answer only
            continue
        context = _revealing(rulebook, question)
        before = _urgent_rules(rulebook, context, on)
        flags = tuple(value for value, _label in question.choices
                      if _urgent_rules(rulebook, {**context, question.id: value}, on) - before)
        if flags:
            found[question.id] = flags
    return found


def _revealing(rulebook: Rulebook, question: Question) -> dict[str, str]:
    """The answers that ask `question`: its parents, and its condition's question, 'yes'."""
    answers = {}
    parent = question.parent
    while parent is not None:
        answers[parent] = "yes"
        parent = rulebook.questions[parent].parent
    if question.condition and question.id != question.condition:  # intake details: none
        answers.setdefault(question.condition, "yes")
    return answers


def _urgent_rules(rulebook: Rulebook, answers: Mapping[str, Any], on: date) -> set[str]:
    return {finding.rule for finding in evaluate(rulebook, answers, on).findings
            if finding.urgent}


def red_flag_answered(rulebook: Rulebook, answers: Mapping[str, Any]) -> bool:
    """Whether any of `answers` (as posted or as stored) is a red flag."""
    return any(answers.get(question_id) in values
               for question_id, values in red_flags(rulebook).items())
