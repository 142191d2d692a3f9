"""Clinical cases: readable YAML files of answers and the outcome a clinician expects
(tests/clinical_cases/, read by tests/clinical.py)."""

import pytest

from screening.answers import normalise
from screening.engine import evaluate
from screening.rulebook import load_rulebook
from screening.rulebook.translate import translated
from tests.clinical import CASES, CASES_DIR
from tests.engine.test_rulebook_translations import SPANISH, rules_with


def test_there_are_cases_for_every_condition(rulebook):
    files = {path.stem for path in CASES_DIR.glob("*.yaml")}
    assert set(rulebook.conditions) <= files


@pytest.fixture(scope="module")
def with_spanish(rulebook, tmp_path_factory):
    """The real rule book with its Spanish: rules/translations/es.yaml, or until it has one
    the tests' small hand-written file."""
    if "es" in rulebook.translations:
        return rulebook
    return load_rulebook(rules_with(tmp_path_factory.mktemp("es"),
                                    es=SPANISH.read_text(encoding="utf-8")))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("case", CASES)
def test_clinical_case(with_spanish, case, language):
    """Each case screens the same in every language: a translated rule book changes words only."""
    rulebook = translated(with_spanish, language)
    on = case["on"]
    answers, problems = normalise(rulebook, case["answers"], today=on)
    assert problems == {}, "the case's answers must all be valid"
    result = evaluate(rulebook, answers, on)
    expected = case["expect"]
    assert result.outcome == expected["outcome"]
    assert result.urgent is expected.get("urgent", False)
    if "rules" in expected:
        assert sorted(f.rule for f in result.findings) == sorted(expected["rules"])
