"""Predicates (`when`, `ask_when` trees): operators, groups, time windows and compile errors.

Pure: questions are built here as dataclasses, no rule book files and no Flask.
"""

from datetime import date, timedelta

import pytest

from screening.fields import parse_blood_pressure
from screening.rulebook.predicates import (
    PredicateError,
    compile_predicate,
    parse_duration,
    window_start,
)
from screening.rulebook.types import Option, Question

ON = date(2026, 3, 31)


def question(qid, qtype, **fields):
    return Question(id=qid, condition="test", text=qid, short=qid, type=qtype, **fields)


QUESTIONS = {q.id: q for q in [
    question("pain", "yes_no"),
    question("swollen", "yes_no", not_sure=True),
    question("size", "choice", options=(Option("small", "Small"), Option("large", "Large"))),
    question("symptoms", "choice", multiple=True,
             options=(Option("headache", "Headache"), Option("chest_pain", "Chest pain"))),
    question("where", "body_location", multiple=True,
             options=(Option("neck", "Neck"), Option("left_calf", "Left calf"))),
    question("operated_on", "date"),
    question("score", "number"),
    question("notes", "text"),
    question("reading", "blood_pressure"),
]}


def holds(tree, answers, on=ON):
    """Compile `tree` against QUESTIONS and test it on `answers`."""
    return compile_predicate(tree, QUESTIONS)(answers, on)


def days_before(days, on=ON):
    return (on - timedelta(days=days)).isoformat()


# --- operators -----------------------------------------------------------------------


@pytest.mark.parametrize(("tree", "answers", "expected"), [
    ({"q": "pain", "is": "yes"}, {"pain": "yes"}, True),
    ({"q": "pain", "is": "yes"}, {"pain": "no"}, False),
    ({"q": "size", "is": "large"}, {"size": "large"}, True),
    ({"q": "size", "is": "large"}, {"size": "small"}, False),
    ({"q": "swollen", "in": ["yes", "not_sure"]}, {"swollen": "not_sure"}, True),
    ({"q": "swollen", "in": ["yes", "not_sure"]}, {"swollen": "no"}, False),
    ({"q": "symptoms", "includes": "chest_pain"}, {"symptoms": ["headache", "chest_pain"]}, True),
    ({"q": "symptoms", "includes": "chest_pain"}, {"symptoms": ["headache"]}, False),
    ({"q": "where", "includes": ["neck", "left_calf"]}, {"where": ["left_calf"]}, True),
    ({"q": "where", "includes": ["neck"]}, {"where": ["left_calf"]}, False),
    ({"q": "where", "answered": True}, {"where": ["neck"]}, True),
    ({"q": "where", "answered": True}, {"where": []}, False),
    ({"q": "notes", "answered": True}, {"notes": "a plate in my wrist"}, True),
    ({"q": "notes", "answered": True}, {"notes": ""}, False),
    ({"q": "notes", "answered": False}, {"notes": ""}, True),
    ({"q": "notes", "answered": False}, {"notes": "a plate in my wrist"}, False),
    ({"q": "operated_on", "within": "6 weeks"}, {"operated_on": days_before(10)}, True),
    ({"q": "operated_on", "within": "6 weeks"}, {"operated_on": days_before(100)}, False),
    ({"q": "operated_on", "older_than": "6 weeks"}, {"operated_on": days_before(100)}, True),
    ({"q": "operated_on", "older_than": "6 weeks"}, {"operated_on": days_before(10)}, False),
    ({"q": "score", "at_least": 7}, {"score": 7}, True),
    ({"q": "score", "at_least": 7}, {"score": 6.5}, False),
    ({"q": "score", "below": 3}, {"score": 2}, True),
    ({"q": "score", "below": 3}, {"score": 3}, False),
    ({"q": "score", "at_least": 0}, {"score": 0}, True),
    ({"q": "reading", "bp_at_least": "160/100"}, {"reading": "160/80"}, True),
    ({"q": "reading", "bp_at_least": "160/100"}, {"reading": "120/100"}, True),
    ({"q": "reading", "bp_at_least": "160/100"}, {"reading": "159/99"}, False),
])
def test_operator(tree, answers, expected):
    assert holds(tree, answers) is expected


@pytest.mark.parametrize("tree", [
    {"q": "pain", "is": "no"},
    {"q": "swollen", "in": ["yes", "no", "not_sure"]},
    {"q": "symptoms", "includes": ["headache", "chest_pain"]},
    {"q": "where", "includes": "neck"},
    {"q": "where", "answered": True},
    {"q": "operated_on", "within": "6 weeks"},
    {"q": "operated_on", "older_than": "1 day"},
    {"q": "score", "at_least": 0},
    {"q": "score", "below": 100},
    {"q": "reading", "bp_at_least": "60/30"},
])
def test_a_missing_answer_never_matches(tree):
    assert holds(tree, {}) is False


def test_a_missing_answer_is_not_answered():
    assert holds({"q": "where", "answered": False}, {}) is True


# --- all / any / not ------------------------------------------------------------------


PAIN = {"q": "pain", "is": "yes"}
LARGE = {"q": "size", "is": "large"}


@pytest.mark.parametrize(("tree", "answers", "expected"), [
    ({"all": [PAIN, LARGE]}, {"pain": "yes", "size": "large"}, True),
    ({"all": [PAIN, LARGE]}, {"pain": "yes", "size": "small"}, False),
    ({"any": [PAIN, LARGE]}, {"pain": "no", "size": "large"}, True),
    ({"any": [PAIN, LARGE]}, {"pain": "no", "size": "small"}, False),
    ({"not": PAIN}, {"pain": "no"}, True),
    ({"not": PAIN}, {"pain": "yes"}, False),
    ({"all": [PAIN, {"not": {"any": [LARGE, {"q": "score", "at_least": 5}]}}]},
     {"pain": "yes", "size": "small", "score": 2}, True),
    ({"all": [PAIN, {"not": {"any": [LARGE, {"q": "score", "at_least": 5}]}}]},
     {"pain": "yes", "size": "small", "score": 5}, False),
])
def test_groups(tree, answers, expected):
    assert holds(tree, answers) is expected


# --- windows -----------------------------------------------------------------------------


@pytest.mark.parametrize(("on", "amount", "unit", "start"), [
    (date(2026, 2, 12), 6, "week", date(2026, 1, 1)),
    (date(2026, 3, 1), 3, "day", date(2026, 2, 26)),
    (date(2026, 5, 15), 3, "month", date(2026, 2, 15)),
    (date(2026, 3, 31), 1, "month", date(2026, 2, 28)),   # clamped to the month's end
    (date(2024, 3, 31), 1, "month", date(2024, 2, 29)),   # leap year
    (date(2026, 5, 31), 1, "month", date(2026, 4, 30)),
    (date(2026, 1, 15), 2, "month", date(2025, 11, 15)),  # year wrap
    (date(2026, 1, 10), 3, "week", date(2025, 12, 20)),   # year wrap
    (date(2026, 2, 28), 14, "month", date(2024, 12, 28)),
])
def test_window_start(on, amount, unit, start):
    assert window_start(on, amount, unit) == start


@pytest.mark.parametrize(("duration", "days", "inside"), [
    ("6 weeks", 41, True), ("6 weeks", 42, True), ("6 weeks", 43, False),
    ("3 days", 2, True), ("3 days", 3, True), ("3 days", 4, False),
    ("1 week", 0, True),
])
def test_window_boundaries_in_days(duration, days, inside):
    """`within N` includes the day exactly N before; `older_than N` starts the day after."""
    answers = {"operated_on": days_before(days)}
    assert holds({"q": "operated_on", "within": duration}, answers) is inside
    assert holds({"q": "operated_on", "older_than": duration}, answers) is not inside


@pytest.mark.parametrize(("answer", "inside"), [
    ("2026-02-16", True), ("2026-02-15", True), ("2026-02-14", False),
])
def test_window_boundaries_in_months(answer, inside):
    """3 months before 15 May is 15 Feb (inside); 14 Feb is outside."""
    on = date(2026, 5, 15)
    answers = {"operated_on": answer}
    assert holds({"q": "operated_on", "within": "3 months"}, answers, on) is inside
    assert holds({"q": "operated_on", "older_than": "3 months"}, answers, on) is not inside


def test_month_window_clamped_at_month_end():
    answers_inside, answers_outside = {"operated_on": "2026-02-28"}, {"operated_on": "2026-02-27"}
    assert holds({"q": "operated_on", "within": "1 month"}, answers_inside, ON) is True
    assert holds({"q": "operated_on", "within": "1 month"}, answers_outside, ON) is False


@pytest.mark.parametrize(("text", "parsed"), [
    ("6 weeks", (6, "week")), ("1 week", (1, "week")), ("3 days", (3, "day")),
    ("12 months", (12, "month")), (" 2  months ", (2, "month")),
])
def test_parse_duration(text, parsed):
    assert parse_duration(text) == parsed


@pytest.mark.parametrize("text", ["6 wekes", "72 hours", "six weeks", "6weeks", "", 6, None])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "parsed"), [
    ("135/85", (135, 85)), (" 120 / 80 ", (120, 80)), ("80/50", (80, 50)),
    ("135-85", None), ("135", None), ("1350/85", None), (13585, None), (None, None),
])
def test_parse_blood_pressure(text, parsed):
    assert parse_blood_pressure(text) == parsed


# --- compile errors ------------------------------------------------------------------------


@pytest.mark.parametrize(("tree", "path", "message"), [
    ({"all": [PAIN, {"q": "pian", "is": "yes"}]}, "when.all[1]", "unknown question id 'pian'"),
    ({"q": ["pain"], "is": "yes"}, "when", "unknown question id ['pain']"),
    ({"q": {"id": "pain"}, "is": "yes"}, "when", "unknown question id"),
    ({"q": "pain", "equals": "yes"}, "when", "unknown operator 'equals'"),
    ({"q": "pain", "is": "yes", "in": ["yes"]}, "when", "exactly one operator"),
    ({"q": "pain"}, "when", "exactly one operator"),
    ({"any": [PAIN, {"q": "pain", "within": "6 weeks"}]}, "when.any[1]",
     "'within' does not apply to 'pain', a yes_no question"),
    ({"q": "operated_on", "is": "yes"}, "when", "'is' does not apply to 'operated_on'"),
    ({"q": "score", "bp_at_least": "160/100"}, "when", "does not apply to 'score'"),
    ({"q": "pain", "is": "maybe"}, "when.is", "'maybe' is not an answer to 'pain'"),
    ({"q": "pain", "is": "not_sure"}, "when.is", "'not_sure' is not an answer to 'pain'"),
    ({"q": "pain", "is": True}, "when.is", "True is not an answer to 'pain'"),
    ({"q": "size", "in": ["small", "huge"]}, "when.in", "'huge' is not an answer to 'size'"),
    ({"q": "where", "includes": "knee"}, "when.includes", "'knee' is not an answer"),
    ({"q": "operated_on", "within": "6 wekes"}, "when.within", "is not a duration"),
    ({"q": "operated_on", "older_than": "72 hours"}, "when.older_than", "'3 days'"),
    ({"q": "size", "in": "small"}, "when.in", "'in' needs a list"),
    ({"q": "size", "in": []}, "when.in", "'in' needs a list"),
    ({"q": "where", "is": "neck"}, "when.is", "use 'includes'"),
    ({"q": "size", "includes": "small"}, "when.includes", "use 'is' or 'in'"),
    ({"q": "notes", "answered": "yes"}, "when.answered", "true or false"),
    ({"q": "score", "at_least": "7"}, "when.at_least", "'7' is not a number"),
    ({"q": "score", "below": True}, "when.below", "True is not a number"),
    ({"q": "reading", "bp_at_least": "160"}, "when.bp_at_least", "not a reading"),
    ({"not": {"all": []}}, "when.not.all", "non-empty list"),
    ({"every": [PAIN]}, "when", "unknown key 'every'"),
    ({"all": [PAIN], "any": [PAIN]}, "when", "expected one of all/any/not"),
    ([PAIN], "when", "expected a mapping"),
    ({"all": [PAIN, "pain is yes"]}, "when.all[1]", "expected a mapping"),
])
def test_compile_error_names_the_path(tree, path, message):
    with pytest.raises(PredicateError) as caught:
        compile_predicate(tree, QUESTIONS)
    assert caught.value.path == path
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{path}: ")


def test_compile_error_uses_the_given_root_path():
    with pytest.raises(PredicateError) as caught:
        compile_predicate({"any": [{"q": "nope", "is": "yes"}]}, QUESTIONS, "ask_when")
    assert caught.value.path == "ask_when.any[0]"
