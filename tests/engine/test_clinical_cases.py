"""Clinical cases: readable YAML files of answers and the outcome a clinician expects
(tests/clinical_cases/, read by tests/clinical.py)."""

import pytest

from screening.answers import normalise
from screening.engine import evaluate
from tests.clinical import CASES, CASES_DIR


def test_there_are_cases_for_every_condition(rulebook):
    files = {path.stem for path in CASES_DIR.glob("*.yaml")}
    assert set(rulebook.conditions) <= files


@pytest.mark.parametrize("case", CASES)
def test_clinical_case(rulebook, case):
    on = case["on"]
    answers, problems = normalise(rulebook, case["answers"], today=on)
    assert problems == {}, "the case's answers must all be valid"
    result = evaluate(rulebook, answers, on)
    expected = case["expect"]
    assert result.outcome == expected["outcome"]
    assert result.urgent is expected.get("urgent", False)
    if "rules" in expected:
        assert sorted(f.rule for f in result.findings) == sorted(expected["rules"])
