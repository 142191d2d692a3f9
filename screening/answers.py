"""Answers as the contract encodes them: checking values, which questions are asked.

Shared by the form, the CLI and anything else that hands answers to the engine,
so that the same answers give the same outcome whichever way they arrive.
Messages are written for the person who gave the answer. No Flask here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .engine import GATE
from .rulebook import Question, Rulebook
from .rulebook.question_types import AnswerError

__all__ = ["AnswerError", "asked", "check_value", "is_empty", "missing", "normalise", "prune"]


def check_value(question: Question, value: Any, today: date) -> Any:
    """Return `value` in its stored form, or raise AnswerError saying what is wrong (as its
    question type checks it)."""
    return question.kind.check(question, value, today)


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
