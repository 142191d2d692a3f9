"""Dates that fall outside the window their question asks about, found from the rule book.

Pure but for its words, which are in the page's language (Flask-Babel's gettext gives
the English outside a request). "Have you had an operation in the last 6 months?"
answered Yes with a date two years ago is most likely a slip, but it may be right. A rule
marked `ask_to_check`
(`when: {q: surgery_date, older_than: recent_surgery_window}`) says what an older date
means for the screening; the form asks the client to check the date whenever that rule's
own test holds, and says the window from that test's parameter. So the message and the
screening read one window, and a client who says the date is right is screened by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from flask_babel import gettext

from .rulebook import Rule, Rulebook

_DATE_CHECKS = "_screening_date_checks"


class DateCheck(NamedTuple):
    """A date question whose answer the form checks, and the rule that checks it."""

    question: str  # the date question's id
    window: str  # the window as a sentence says it: "6 months"
    rule: Rule


def date_checks(rulebook: Rulebook) -> tuple[DateCheck, ...]:
    """Every `ask_to_check` rule's date and window, worked out once per rule book (kept in
    the rule book object's __dict__, as the engine keeps its plan)."""
    found = rulebook.__dict__.get(_DATE_CHECKS)
    if found is None:
        found = rulebook.__dict__[_DATE_CHECKS] = tuple(
            DateCheck(rule.when_data["q"],
                      rulebook.parameters[rule.when_data["older_than"]].text, rule)
            for rule in rulebook.rules if rule.ask_to_check)
    return found


def dates_to_check(rulebook: Rulebook, answers: Mapping[str, Any], on: date,
                   confirmed: frozenset[str] = frozenset()) -> list[DateCheck]:
    """The checks whose date was given (so its question was asked) and falls outside the
    window as of `on` (the appointment date, else today: the date the screening uses),
    except those the client has said are right (`confirmation(question, answer)`)."""
    return [check for check in date_checks(rulebook)
            if answers.get(check.question)
            and confirmation(check.question, answers[check.question]) not in confirmed
            and check.rule.when(answers, on)]


def confirmation(question_id: str, answer: Any) -> str:
    """What the form sends when the client says a date is right: tied to that date, so a
    changed date is checked again."""
    value = answer.isoformat() if isinstance(answer, date) else str(answer)
    return f"{question_id}={value}"


def message(rulebook: Rulebook, check: DateCheck, before_appointment: bool) -> str:
    """What the form says beside the date."""
    asked = rulebook.questions[rulebook.questions[check.question].condition]
    if before_appointment:
        return gettext("This date is more than %(window)s before your appointment, but the "
                       "question is about %(short)s. Please check the date. If it is right, "
                       "tick the box to say so and continue.",
                       window=check.window, short=asked.short)
    return gettext("This date is more than %(window)s ago, but the question is about "
                   "%(short)s. Please check the date. If it is right, tick the box to say so "
                   "and continue.", window=check.window, short=asked.short)


def summary_line(rulebook: Rulebook, check: DateCheck) -> str:
    """The line for the summary at the top of the page."""
    return gettext("Check the date of %(short)s", short=rulebook.questions[check.question].short)
