"""Named parameters (parameters.yaml): a rule and its wording name a threshold, the loader
checks every name, and changing one value changes the rule and its sentences together.

Uses the small rule book of rulebook_builder with a parameters file, and a copy of rules/.
No Flask.
"""

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from screening.engine import evaluate
from screening.rulebook import RulebookError, load_rulebook
from screening.rulebook.parameters import Parameter
from screening.rulebook.predicates import THRESHOLDS
from tests.engine.rulebook_builder import (
    all_no,
    assert_reported,
    edit,
    problems_after,
    write_rulebook,
)

RULES = Path(__file__).parent.parent.parent / "rules"
RS = "conditions/recent_surgery.yaml"
BP = "conditions/high_blood_pressure.yaml"
PARAMETERS = """\
minor_surgery_healing:
  description: How long after a minor, healed operation only its area is avoided.
  value: 6
  unit: weeks
  source: Catalogue recent_surgery timing.
  reviewed: 2026-11-26

many_medicines:
  description: How many blood pressure medicines mean checking with the doctor first.
  value: 3
  unit: medicines
  source: Test rule book.
  reviewed: 2026-11-26
"""
ON = date(2026, 6, 1)


def write_with_parameters(folder, parameters=PARAMETERS):
    """The small rule book, its surgery window and its medicines limit named as parameters."""
    write_rulebook(folder)
    (folder / "parameters.yaml").write_text(parameters, encoding="utf-8")
    edit(folder / RS, "older_than: 6 weeks", "older_than: minor_surgery_healing")
    edit(folder / RS, "The 6-week window is a convention",
         "The window of {minor_surgery_healing} is a convention")
    edit(folder / BP, "at_least: 3}", "at_least: many_medicines}")
    edit(folder / BP, "    therapist_action: Ask for clearance.\n    source: Test rule book.\n\n"
         "  - id: high_blood_pressure_chest_pain",
         "    therapist_action: '{many_medicines} or more: ask for clearance.'\n"
         "    source: Test rule book.\n\n  - id: high_blood_pressure_chest_pain")
    return folder


def minor_surgery(rulebook, days_ago):
    return evaluate(rulebook, {**all_no(rulebook), "recent_surgery": "yes",
                               "surgery_date": (ON - timedelta(days=days_ago)).isoformat(),
                               "surgery_where": ["lower_back"], "major_surgery": "no",
                               "wound_healed": "yes", "leg_symptoms_since": "no"}, ON)


def rule(rulebook, rule_id):
    return next(rule for rule in rulebook.rules if rule.id == rule_id)


def test_a_rule_and_its_wording_name_the_parameter(tmp_path):
    rulebook = load_rulebook(write_with_parameters(tmp_path))
    assert rulebook.parameters["minor_surgery_healing"].text == "6 weeks"
    assert rule(rulebook, "recent_surgery_minor_healed").note.startswith(
        "The window of 6 weeks is a convention")
    assert rule(rulebook, "high_blood_pressure_many_medicines").therapist_action == (
        "3 medicines or more: ask for clearance.")
    assert minor_surgery(rulebook, days_ago=43).outcome == "local"
    assert minor_surgery(rulebook, days_ago=41).outcome == "medical_clearance"


def test_changing_one_value_changes_the_rule_and_its_sentence_together(tmp_path):
    rulebook = load_rulebook(write_with_parameters(
        tmp_path, PARAMETERS.replace("value: 6\n  unit: weeks", "value: 8\n  unit: weeks")))
    assert rule(rulebook, "recent_surgery_minor_healed").note.startswith(
        "The window of 8 weeks is a convention")
    assert minor_surgery(rulebook, days_ago=43).outcome == "medical_clearance"
    assert minor_surgery(rulebook, days_ago=57).outcome == "local"


def test_the_parameters_file_is_part_of_the_version(tmp_path):
    before = load_rulebook(write_with_parameters(tmp_path)).version
    edit(tmp_path / "parameters.yaml", "reviewed: 2026-11-26\n\nmany",
         "reviewed: 2026-12-01\n\nmany")
    assert load_rulebook(tmp_path).version != before


@pytest.mark.parametrize(("value", "unit", "text"), [
    (6, "weeks", "6 weeks"), (1, "days", "1 day"), (1, "month", "1 month"),
    (12.5, "weeks", "12.5 weeks"), ("160/100", "mmHg", "160/100 mmHg")])
def test_a_parameter_is_said_as_its_value_and_unit(value, unit, text):
    assert Parameter("p", value, unit, "", "", "2026-11-26").text == text


BROKEN = {
    "unknown parameter in a rule": (
        [(RS, "older_than: minor_surgery_healing", "older_than: minor_surgery_heal")],
        [RS, "rule 'recent_surgery_minor_healed'", "field 'when.all[3].older_than'",
         "unknown parameter 'minor_surgery_heal'", "minor_surgery_healing"]),
    "unknown parameter in wording": (
        [(RS, "The window of {minor_surgery_healing}", "The window of {minor_surgery_heal}")],
        [RS, "rule 'recent_surgery_minor_healed', field 'note'",
         "unknown parameter {minor_surgery_heal}"]),
    "unknown parameter in an option label": (
        [("conditions/varicose_veins.yaml", "label: Small or mostly flat",
          'label: "Smaller than {vein_size}"')],
        ["varicose_veins.yaml", "question 'vv_severity', option 'small_flat', field 'label'",
         "unknown parameter {vein_size}"]),
    "a parameter no rule or wording uses": (
        [("parameters.yaml", "many_medicines:\n", "spare_window:\n  description: Spare.\n"
          "  value: 2\n  unit: days\n  source: Nowhere.\n  reviewed: 2026-11-26\n\n"
          "many_medicines:\n")],
        ["parameters.yaml", "parameter 'spare_window'", "is not used by any rule or wording"]),
    "a duration that is not a duration": (
        [("parameters.yaml", "value: 6\n  unit: weeks", "value: 6\n  unit: fortnights")],
        [RS, "field 'when.all[3].older_than'", "parameter 'minor_surgery_healing' (6 fortnights)",
         "not a whole number of days, weeks or months"]),
    "a number in another unit than its question": (
        [(BP, "    max: 20\n", "    max: 20\n    unit: tablets\n")],
        [BP, "field 'when.at_least'", "parameter 'many_medicines' is in medicines",
         "'bp_medicines' is answered in tablets"]),
    "a reading that is not a reading": (
        [(BP, "bp_at_least: 160/100", "bp_at_least: many_medicines")],
        [BP, "field 'when.bp_at_least'", "not a reading like 160/100"]),
    "a parameter without its source": (
        [("parameters.yaml", "  source: Test rule book.\n", "")],
        ["parameters.yaml", "parameter 'many_medicines'", "missing field 'source'"]),
    "a parameter with a bad reviewed date": (
        [("parameters.yaml", "reviewed: 2026-11-26\n\nmany", "reviewed: 2026-13-01\n\nmany")],
        ["parameters.yaml", "parameter 'minor_surgery_healing', field 'reviewed'",
         "is not a date"]),
    "a parameter without a value": (
        [("parameters.yaml", "value: 3\n", "value: []\n")],
        ["parameters.yaml", "parameter 'many_medicines', field 'value'", "expected a number"]),
    "a parameter name that is not an id": (
        [("parameters.yaml", "many_medicines:\n", "Many-Medicines:\n")],
        ["parameters.yaml", "'Many-Medicines' is not an id"]),
}


@pytest.mark.parametrize(("edits", "fragments"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_reference_names_file_item_and_field(tmp_path, edits, fragments):
    assert_reported(problems_after(tmp_path, *edits, write=write_with_parameters), *fragments)


# --- the real rule book ----------------------------------------------------------------------


def _tests(tree):
    if isinstance(tree, dict):
        if "q" in tree:
            yield tree
        for value in tree.values():
            yield from _tests(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from _tests(item)


def test_every_threshold_in_rules_is_a_named_parameter(rulebook):
    literal = [f"{rule.id}: {test}" for rule in rulebook.rules for test in _tests(rule.when_data)
               if any(key in THRESHOLDS and test[key] not in rulebook.parameters
                      for key in test)]
    assert literal == []
    assert len(rulebook.parameters) >= 15
    for parameter in rulebook.parameters.values():
        assert parameter.description and parameter.source and parameter.reviewed


def test_changing_a_parameter_of_rules_changes_its_rule_and_wording(tmp_path, rulebook):
    """The recent fracture window: the question's wording; the cancer window: a rule and the
    sentences the client and the therapist read."""
    rules = shutil.copytree(RULES, tmp_path / "rules")
    source = "\n  source: >-\n    Catalogue "
    edit(rules / "parameters.yaml", f"value: 3\n  unit: months{source}recent_fracture",
         f"value: 12\n  unit: weeks{source}recent_fracture")
    edit(rules / "parameters.yaml", f"value: 12\n  unit: months{source}cancer_treatment",
         f"value: 2\n  unit: years{source}cancer_treatment")
    with pytest.raises(RulebookError, match="'cancer_treatment_window' .2 years. is not a whole "
                                            "number of days, weeks or months"):
        load_rulebook(rules)
    edit(rules / "parameters.yaml", "value: 2\n  unit: years", "value: 24\n  unit: months")
    changed = load_rulebook(rules)
    assert "in the last 12 weeks" in changed.questions["recent_fracture"].text
    assert "in the last 3 months" in rulebook.questions["recent_fracture"].text
    finished = rule(changed, "ca_finished_over_12_months")
    assert "more than 24 months ago" in finished.client_message
    assert "more than 24 months ago" in finished.therapist_action
    answers = {**all_no(rulebook), "cancer_treatment": "yes", "ca_treatments": ["finished_all"],
               "ca_treatment_end": "2025-06-01", "ca_ongoing_effects": "no", "ca_bone": "no",
               "ca_low_counts": "no"}
    on = date(2026, 11, 26)  # 18 months after the end of treatment
    assert "ca_finished_over_12_months" in [f.rule for f in evaluate(rulebook, answers,
                                                                      on).findings]
    assert "ca_finished_over_12_months" not in [f.rule for f in evaluate(changed, answers,
                                                                          on).findings]
