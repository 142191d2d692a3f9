"""When a follow-up is asked, as one flat list of tests joined by all or by any.

A follow-up is asked when its main question is Yes or Not sure and its `ask_when` holds.
Other systems can only say that as one flat list of tests joined by all or by any (FHIR R4's
`enableWhen` with `enableBehavior`), each test `=` (some answer equals the value), `!=` (no
answer does, so also when unanswered) or `exists` (answered, or not). `follow_up_tests`
writes the gate and the ask_when tree that way, or raises FlatError when it cannot; the
loader calls it for every follow-up, so a rule book that loads can always be written in
FHIR. Pure: no Flask, no FHIR codes (screening/fhir/questionnaire.py adds those).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .types import Question


class Test(NamedTuple):
    question: str
    operator: str  # "=", "!=" or "exists"
    value: str | bool  # an answer code, or (for exists) whether it is answered


class FlatError(ValueError):
    """The follow-up's ask_when cannot be written as one flat list of tests."""


def follow_up_tests(questions: Mapping[str, Question],
                    question: Question) -> tuple[list[Test], str | None]:
    """(tests, "all" or "any" or None for a single test) for when follow-up `question` is
    asked."""
    parent = questions[question.parent]
    if parent.not_sure:
        gate_all = [_exists(parent), Test(parent.id, "!=", "no")]
        gate_any = [Test(parent.id, "=", "yes"), Test(parent.id, "=", "not_sure")]
    else:
        gate_all = gate_any = [Test(parent.id, "=", "yes")]
    if question.ask_when_data is None:
        return gate_any, "any" if len(gate_any) > 1 else None
    conjunction, disjunction = _forms(questions, question.ask_when_data)
    if conjunction is not None:
        tests = list(dict.fromkeys([*gate_all, *conjunction]))
        return tests, "all" if len(tests) > 1 else None
    if disjunction is not None and all(_implies_gate(questions, parent, test)
                                       for test in disjunction):
        return disjunction, "any" if len(disjunction) > 1 else None
    raise FlatError("it cannot be written as one list of tests joined by all, or by any "
                    "(as FHIR enableWhen needs): use a single test, or tests joined by all, or "
                    "by any")


def _exists(question: Question, answered: bool = True) -> Test:
    return Test(question.id, "exists", answered)


def _implies_gate(questions: Mapping[str, Question], parent: Question, test: Test) -> bool:
    """An answer to one of the parent's follow-ups exists only when the parent's gate holds."""
    asked = questions[test.question]
    positive = test.operator == "=" or test == _exists(asked)
    return positive and asked.parent == parent.id


def _forms(questions: Mapping[str, Question], tree: Any) -> tuple[list | None, list | None]:
    """(tests all of which hold, tests any of which holds), None where impossible."""
    if "all" in tree or "any" in tree:
        key = "all" if "all" in tree else "any"
        parts = [_forms(questions, part) for part in tree[key]]
        if len(parts) == 1:
            return parts[0]
        index = 0 if key == "all" else 1
        if any(part[index] is None for part in parts):
            return None, None
        joined = [test for part in parts for test in part[index]]
        return (joined, None) if key == "all" else (None, joined)
    if "not" in tree:
        return _negated(questions, tree["not"])
    question = questions[tree["q"]]
    if "answered" in tree:
        return [_exists(question, tree["answered"])], [_exists(question, tree["answered"])]
    values = _tested_values(tree)
    anyof = [Test(question.id, "=", value) for value in values]
    if len(anyof) == 1:
        return anyof, anyof
    if question.multiple:  # includes several: any of them
        return None, anyof
    others = [value for value, _label in question.choices if value not in values]
    return [_exists(question), *(Test(question.id, "!=", value) for value in others)], anyof


def _negated(questions: Mapping[str, Question], tree: Any) -> tuple[list | None, list | None]:
    if "all" in tree or "any" in tree:  # De Morgan
        key = "any" if "all" in tree else "all"
        return _forms(questions, {key: [{"not": part} for part in next(iter(tree.values()))]})
    if "not" in tree:
        return _forms(questions, tree["not"])
    question = questions[tree["q"]]
    if "answered" in tree:
        return _forms(questions, {"q": question.id, "answered": not tree["answered"]})
    values = _tested_values(tree)
    noneof = [Test(question.id, "!=", value) for value in values]
    if len(noneof) == 1:
        return noneof, noneof
    if question.multiple:
        return noneof, None
    others = [value for value, _label in question.choices if value not in values]
    return noneof, [_exists(question, False), *(Test(question.id, "=", value)
                                                for value in others)]


def _tested_values(tree: dict) -> list[str]:
    values = tree.get("is", tree.get("in", tree.get("includes")))
    return values if isinstance(values, list) else [values]
