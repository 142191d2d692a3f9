"""Predicates: the `when` and `ask_when` trees of the rule book.

A tree is `{all: [...]}`, `{any: [...]}`, `{not: tree}` or a leaf
`{q: QUESTION_ID, OPERATOR: VALUE}`. Trees are checked against the questions
when the rule book loads and compiled to plain closures, so evaluating a rule
is a few function calls and no parsing. This module imports no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from ..fields import parse_blood_pressure
from .parameters import Parameter

#: A compiled predicate: (answers, screening date) -> bool. Each test reads its own answer,
#: so a leaf is one call.
Predicate = Callable[[Mapping[str, Any], date], bool]

_DURATION = re.compile(r"^\s*(\d{1,4})\s+(day|week|month)s?\s*$")


class PredicateError(ValueError):
    """A problem in one predicate tree; `path` says where inside the tree."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def parse_duration(text: Any) -> tuple[int, str]:
    """'6 weeks' -> (6, 'week'). Raises ValueError with a readable message."""
    match = _DURATION.match(str(text)) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a duration like '3 days', '6 weeks' or '3 months' "
                         "(give 72 hours as '3 days')")
    return int(match.group(1)), match.group(2)


def window_start(on: date, amount: int, unit: str) -> date:
    """The first day inside a window of `amount` units ending on `on`.

    'within 6 weeks' on 12 Feb starts on 1 Jan (42 days earlier, inclusive).
    Months are calendar months; the day is clamped (31 Mar - 1 month = 28/29 Feb).
    """
    if unit == "day":
        return on - timedelta(days=amount)
    if unit == "week":
        return on - timedelta(weeks=amount)
    month_index = on.year * 12 + on.month - 1 - amount
    year, month = divmod(month_index, 12)
    month += 1
    for day in (on.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: day 28 exists in every month")


# --- operators -------------------------------------------------------------
# Each operator checks its value and builds its test (answers, on) -> bool at load time.
# Which operators apply to a question is its type's (`question.kind.operators`).


def _check_values(question, values: list[Any], path: str) -> None:
    allowed = {value for value, _label in question.choices}
    for value in values:
        if not isinstance(value, str) or value not in allowed:
            raise PredicateError(
                path, f"{value!r} is not an answer to '{question.id}' "
                f"(expected one of: {', '.join(sorted(allowed))})")


def _op_is(question, value, path):
    _check_values(question, [value], path)
    if question.multiple:
        raise PredicateError(path, f"'{question.id}' takes several answers: use 'includes'")
    qid = question.id
    return lambda answers, on: answers.get(qid) == value


def _op_in(question, value, path):
    if not isinstance(value, list) or not value:
        raise PredicateError(path, "'in' needs a list of answers")
    _check_values(question, value, path)
    if question.multiple:
        raise PredicateError(path, f"'{question.id}' takes several answers: use 'includes'")
    allowed, qid = frozenset(value), question.id
    return lambda answers, on: answers.get(qid) in allowed


def _op_includes(question, value, path):
    values = value if isinstance(value, list) else [value]
    _check_values(question, values, path)
    if not question.multiple:
        raise PredicateError(path, f"'includes' needs a question with several answers; "
                                   f"'{question.id}' has one: use 'is' or 'in'")
    wanted, qid = frozenset(values), question.id

    def includes(answers, on):
        answer = answers.get(qid)
        return bool(answer) and not wanted.isdisjoint(answer)

    return includes


def _op_answered(question, value, path):
    if not isinstance(value, bool):
        raise PredicateError(path, "'answered' is true or false")
    qid = question.id
    if value:
        return lambda answers, on: answers.get(qid) not in (None, "", [])
    return lambda answers, on: answers.get(qid) in (None, "", [])


def _duration_op(inside: bool):
    def build(question, value, path):
        try:
            amount, unit = parse_duration(value)
        except ValueError as error:
            raise PredicateError(path, str(error)) from None

        qid = question.id

        def test(answers, on):
            answer = answers.get(qid)
            if not answer:
                return False
            started = date.fromisoformat(answer) >= window_start(on, amount, unit)
            return started if inside else not started

        return test

    return build


def _number_op(at_least: bool):
    def build(question, value, path):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PredicateError(path, f"{value!r} is not a number")
        qid = question.id
        if at_least:
            return lambda answers, on: (answer := answers.get(qid)) is not None \
                and answer >= value
        return lambda answers, on: (answer := answers.get(qid)) is not None and answer < value

    return build


def _op_bp_at_least(question, value, path):
    limit = parse_blood_pressure(value)
    if limit is None:
        raise PredicateError(path, f"{value!r} is not a reading like '160/100'")
    systolic, diastolic = limit
    qid = question.id

    def test(answers, on):
        reading = parse_blood_pressure(answers.get(qid))
        return reading is not None and (reading[0] >= systolic or reading[1] >= diastolic)

    return test


OPERATORS: dict[str, Callable] = {
    "is": _op_is,
    "in": _op_in,
    "includes": _op_includes,
    "answered": _op_answered,
    "within": _duration_op(inside=True),
    "older_than": _duration_op(inside=False),
    "at_least": _number_op(at_least=True),
    "below": _number_op(at_least=False),
    "bp_at_least": _op_bp_at_least,
}


#: Operators whose value is a threshold, and of what kind: a rule may give the name of a
#: parameter (parameters.yaml) instead of the number.
THRESHOLDS = {"within": "duration", "older_than": "duration", "at_least": "number",
              "below": "number", "bp_at_least": "reading"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def compile_predicate(tree: Any, questions: Mapping[str, Any], path: str = "when",
                      parameters: Mapping[str, Parameter] | None = None) -> Predicate:
    """Check a predicate tree against the questions (and the parameters it names) and
    compile it.

    Raises PredicateError naming the place in the tree (e.g. `when.all[1]`).
    """
    if not isinstance(tree, dict) or not tree:
        raise PredicateError(path, "expected a mapping such as {q: question_id, is: yes}")
    if "q" not in tree:
        return _compile_group(tree, questions, path, parameters or {})
    question_id = tree["q"]
    if not isinstance(question_id, str) or question_id not in questions:
        raise PredicateError(path, f"unknown question id {question_id!r}")
    question = questions[question_id]
    operators = [key for key in tree if key != "q"]
    if len(operators) != 1:
        raise PredicateError(path, f"a test on '{question_id}' needs exactly one operator "
                                   f"(one of: {', '.join(OPERATORS)}), found {operators or 'none'}")
    name = operators[0]
    if name not in OPERATORS:
        raise PredicateError(path, f"unknown operator {name!r} (expected one of: "
                                   f"{', '.join(OPERATORS)})")
    if name not in question.kind.operators:
        raise PredicateError(path, f"operator '{name}' does not apply to '{question_id}', "
                                   f"a {question.type} question")
    value = tree[name]
    if name in THRESHOLDS and isinstance(value, str) and _NAME.match(value):
        value = _parameter(value, THRESHOLDS[name], question, parameters or {}, f"{path}.{name}")
    return OPERATORS[name](question, value, f"{path}.{name}")


def _parameter(name: str, kind: str, question, parameters: Mapping[str, Parameter],
               path: str) -> Any:
    """The value of the parameter a test names, as its operator takes it."""
    parameter = parameters.get(name)
    if parameter is None:
        raise PredicateError(path, f"unknown parameter '{name}' (parameters.yaml has: "
                                   f"{', '.join(sorted(parameters)) or 'none'})")
    try:
        value = parameter.operand(kind)
    except ValueError as error:
        raise PredicateError(path, str(error)) from None
    if kind == "number" and question.unit and parameter.unit != question.unit:
        raise PredicateError(path, f"parameter '{name}' is in {parameter.unit}, but "
                                   f"'{question.id}' is answered in {question.unit}")
    return value


def parameter_names(tree: Any) -> set[str]:
    """Every parameter a predicate tree names."""
    if isinstance(tree, dict):
        named = {value for key, value in tree.items() if key in THRESHOLDS
                 and isinstance(value, str) and _NAME.match(value)} if "q" in tree else set()
        return named.union(*(parameter_names(value) for value in tree.values()))
    if isinstance(tree, list):
        return set().union(*(parameter_names(item) for item in tree))
    return set()


def _compile_group(tree: dict, questions: Mapping[str, Any], path: str,
                   parameters: Mapping[str, Parameter]) -> Predicate:
    if len(tree) != 1:
        raise PredicateError(path, f"expected one of all/any/not or a test with 'q', "
                                   f"found {sorted(tree)}")
    (key, value), = tree.items()
    if key == "not":
        inner = compile_predicate(value, questions, f"{path}.not", parameters)
        return lambda answers, on: not inner(answers, on)
    if key not in ("all", "any"):
        raise PredicateError(path, f"unknown key {key!r} (expected all, any, not, or q)")
    if not isinstance(value, list) or not value:
        raise PredicateError(f"{path}.{key}", "expected a non-empty list of tests")
    parts = tuple(compile_predicate(item, questions, f"{path}.{key}[{index}]", parameters)
                  for index, item in enumerate(value))
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:  # the usual case, without a generator per call
        first, second = parts
        if key == "all":
            return lambda answers, on: first(answers, on) and second(answers, on)
        return lambda answers, on: first(answers, on) or second(answers, on)
    if key == "all":
        return lambda answers, on: all(part(answers, on) for part in parts)
    return lambda answers, on: any(part(answers, on) for part in parts)


def referenced_questions(tree: Any) -> set[str]:
    """Every question id a (valid) predicate tree looks at."""
    if isinstance(tree, dict):
        if "q" in tree:
            return {tree["q"]} if isinstance(tree["q"], str) else set()
        return set().union(*(referenced_questions(value) for value in tree.values()))
    if isinstance(tree, list):
        return set().union(*(referenced_questions(item) for item in tree))
    return set()
