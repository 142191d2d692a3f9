"""Clinical cases: readable YAML files of answers and the outcome a clinician expects.

Each file in tests/clinical_cases/ holds `cases:`, each with a `name`, the `on`
date to screen on, the `answers` (keyed by question id, encoded as in
shared/clinical/README.md) and what to `expect`: the `outcome`, the `urgent`
flag, and optionally the exact set of `rules` that give findings.
"""

from pathlib import Path

import pytest
import yaml

from screening.answers import normalise
from screening.engine import evaluate
from screening.rulebook.yamlio import YamlLoader

CASES_DIR = Path(__file__).parent.parent / "clinical_cases"


def _load_cases():
    for file in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=YamlLoader)  # noqa: S506
        for case in data["cases"]:
            yield pytest.param(case, id=f"{file.stem}: {case['name']}")


CASES = list(_load_cases())


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
