"""Answers as the contract encodes them: checking values, which questions are asked.

Shared by the form, the CLI and anything else that hands answers to the engine,
so that the same answers give the same outcome whichever way they arrive.
Messages are written for the person who gave the answer. No Flask here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from math import isfinite
from typing import Any

from .engine import GATE
from .rulebook import Question, Rulebook
from .rulebook.predicates import parse_blood_pressure

EARLIEST_DATE = date(1900, 1, 1)


class AnswerError(ValueError):
    """One answer that cannot be used; the message says what to do."""


def missing_message(question: Question) -> str:
    """What to tell someone who left a required question empty."""
    templates = {
        "yes_no": "Select an answer about {short}",
        "choice": "Select an answer about {short}",
        "body_location": "Select at least one body area for {short}",
        "date": "Enter the date of {short}",
        "number": "Enter {short} as a number",
        "blood_pressure": "Enter {short}, for example 135/85",
        "text": "Enter {short}",
    }
    return templates[question.type].format(short=question.short)


def format_message(question: Question) -> str:
    """What to tell someone whose answer could not even be read (a date, a number)."""
    if question.type == "date":
        return f"Enter the date of {question.short} as a real date, for example 2026-03-27"
    if question.type == "blood_pressure":
        return f"Enter {question.short} as two numbers, for example 135/85"
    return f"Enter {question.short} as a number"


def check_value(question: Question, value: Any, today: date) -> Any:
    """Return `value` in its stored form, or raise AnswerError saying what is wrong."""
    check = _CHECKS[question.type]
    return check(question, value, today)


def _check_choice(question: Question, value: Any, today: date) -> Any:
    allowed = [choice for choice, _label in question.choices]
    if question.multiple:
        values = value if isinstance(value, list) else [value]
        unknown = [item for item in values if item not in allowed]
        if unknown or not values:
            raise AnswerError(f"{_quote(unknown or values)} is not an option for {question.short}"
                              f" (choose from: {', '.join(allowed)})")
        return [item for item in allowed if item in values]
    if value not in allowed:
        raise AnswerError(f"{_quote(value)} is not an answer about {question.short} "
                          f"(choose one of: {', '.join(allowed)})")
    return value


def _check_date(question: Question, value: Any, today: date) -> str:
    if isinstance(value, date):  # a YAML file may hold real dates
        value = value.isoformat()
    try:
        when = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or len(value) != 10:
        raise AnswerError(format_message(question))
    if when > today:
        raise AnswerError(f"The date of {question.short} must be today or in the past")
    if when < EARLIEST_DATE:
        raise AnswerError(f"The date of {question.short} must be after 1900")
    return when.isoformat()


def _check_number(question: Question, value: Any, today: date) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise AnswerError(format_message(question))
    low, high = question.minimum, question.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise AnswerError(f"Enter {question.short} as a number from {_plain(low)} to "
                          f"{_plain(high)}")
    if not _finite(value):
        raise AnswerError(format_message(question))
    return value if isinstance(value, int) or not value.is_integer() else int(value)


def _finite(value: int | float) -> bool:
    try:
        return isfinite(value)
    except OverflowError:  # an int too large to be any real answer
        return False


def _check_text(question: Question, value: Any, today: date) -> str:
    if not isinstance(value, str):
        raise AnswerError(f"Enter {question.short} as text")
    value = value.strip()
    if len(value) > question.max_length:
        raise AnswerError(f"Keep {question.short} to {question.max_length} characters or fewer "
                          f"(you have {len(value)})")
    return value


def _check_blood_pressure(question: Question, value: Any, today: date) -> str:
    reading = parse_blood_pressure(value)
    if reading is None or not (60 <= reading[0] <= 300 and 30 <= reading[1] <= 200):
        raise AnswerError(format_message(question))
    return f"{reading[0]}/{reading[1]}"


_CHECKS = {"yes_no": _check_choice, "choice": _check_choice, "body_location": _check_choice,
           "date": _check_date, "number": _check_number, "text": _check_text,
           "blood_pressure": _check_blood_pressure}


def _quote(value: Any) -> str:
    return ", ".join(map(repr, value)) if isinstance(value, list) else repr(value)


def _plain(number: float | None) -> str:
    return "any" if number is None else f"{number:g}"


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def normalise(rulebook: Rulebook, raw: Mapping[str, Any],
              today: date) -> tuple[dict[str, Any], dict[str, str]]:
    """Check every answer; return (answers that were asked, {question id: problem}).

    Unknown question ids and invalid values are problems. Answers to follow-ups
    that are not asked (their question was answered No) are dropped, as the
    form drops them, so they can never change an outcome.
    """
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for qid, value in raw.items():
        question = rulebook.questions.get(qid)
        if question is None:
            problems[qid] = "unknown question id"
        elif not is_empty(value):
            try:
                answers[qid] = check_value(question, value, today)
            except AnswerError as error:
                problems[qid] = str(error)
    return prune(rulebook, answers), problems


def asked(rulebook: Rulebook, answers: Mapping[str, Any]) -> list[Question]:
    """The questions a client with these answers is asked, in form order."""
    shown: list[Question] = []
    seen: dict[str, Any] = {}  # answers to questions shown so far
    for question in rulebook.questions.values():
        if question.parent is not None:
            if seen.get(question.parent) not in GATE:
                continue
            if question.ask_when is not None and not question.ask_when(seen, date.min):
                continue
        shown.append(question)
        if question.id in answers:
            seen[question.id] = answers[question.id]
    return shown


def prune(rulebook: Rulebook, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only answers to questions that are asked."""
    return {q.id: answers[q.id] for q in asked(rulebook, answers) if q.id in answers}


def missing(rulebook: Rulebook, answers: Mapping[str, Any]) -> list[Question]:
    """Required questions that are asked but not answered."""
    return [q for q in asked(rulebook, answers)
            if q.required and is_empty(answers.get(q.id))]
