"""Dates outside the window their question asks about (screening/date_checks.py): found
from the rule book's `ask_to_check` rules, said with that rule's window, and screened by
that same rule. No Flask."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from screening.date_checks import confirmation, date_checks, dates_to_check, message
from screening.engine import evaluate
from screening.rulebook import RulebookError, load_rulebook
from screening.rulebook.predicates import window_start

RULES = Path(__file__).parent.parent.parent / "rules"
RS = "conditions/recent_surgery.yaml"
ON = date(2026, 11, 26)


def surgery(on_date: date, **answers):
    return {"recent_surgery": "yes", "surgery_date": on_date.isoformat(),
            "surgery_what": "Knee replacement", "surgery_what_where": ["left_knee"],
            "major_surgery": "yes", "wound_healed": "yes", "wound_problem": "no",
            "leg_symptoms_since": "no", **answers}


def test_the_operation_date_is_checked_against_the_rules_own_window(rulebook):
    checks = {check.question: check for check in date_checks(rulebook)}
    check = checks["surgery_date"]
    assert check.rule.id == "recent_surgery_not_recent"
    window = rulebook.parameters[check.rule.when_data["older_than"]]
    assert check.window == window.text == "6 months"
    # a break with plates from years ago is a right answer to the fracture question
    assert "fx_date" not in checks


def test_a_date_is_checked_exactly_when_the_screening_treats_it_as_outside(rulebook):
    first_day = window_start(ON, 6, "month")
    inside, outside = surgery(first_day), surgery(date(first_day.year, first_day.month,
                                                       first_day.day - 1))
    assert dates_to_check(rulebook, inside, ON) == []
    assert [c.question for c in dates_to_check(rulebook, outside, ON)] == ["surgery_date"]
    assert [f.rule for f in evaluate(rulebook, inside, ON).findings] == ["recent_surgery"]
    assert [f.rule for f in evaluate(rulebook, outside, ON).findings] == [
        "recent_surgery_not_recent"]


def test_an_operation_two_years_ago_is_not_told_it_is_still_healing(rulebook):
    result = evaluate(rulebook, surgery(date(2024, 11, 20)), ON)
    assert result.outcome == "local"  # never below the catalogue's local for a healed one
    assert result.body_areas == ("left_knee",)
    text = " ".join(finding.client_message for finding in result.findings)
    assert "still healing" not in text
    assert "more than 6 months ago" in text


def test_a_confirmed_date_is_not_asked_again_but_a_changed_one_is(rulebook):
    answers = surgery(date(2024, 11, 20))
    said_right = frozenset({confirmation("surgery_date", "2024-11-20")})
    assert dates_to_check(rulebook, answers, ON, said_right) == []
    moved = surgery(date(2024, 11, 21))
    assert len(dates_to_check(rulebook, moved, ON, said_right)) == 1


def test_the_message_says_the_window_and_the_question(rulebook):
    check, = dates_to_check(rulebook, surgery(date(2024, 11, 20)), ON)
    assert message(rulebook, check, before_appointment=False) == (
        "This date is more than 6 months ago, but the question is about operations or "
        "procedures in the last 6 months. Please check the date. If it is right, tick the "
        "box to say so and continue.")
    assert "6 months before your appointment" in message(rulebook, check, True)


def test_changing_the_window_changes_the_check_and_its_message(tmp_path):
    rules = shutil.copytree(RULES, tmp_path / "rules")
    parameters = rules / "parameters.yaml"
    text = parameters.read_text(encoding="utf-8")
    old = "recent_surgery_window:\n  description: How far back the question about operations " \
          "and procedures asks.\n  value: 6\n"
    assert old in text
    parameters.write_text(text.replace(old, old.replace("value: 6", "value: 12")),
                          encoding="utf-8")
    changed = load_rulebook(rules)
    seven_months = surgery(date(2026, 4, 20))
    assert dates_to_check(changed, seven_months, ON) == []
    check, = dates_to_check(changed, surgery(date(2025, 10, 1)), ON)
    assert "more than 12 months ago" in message(changed, check, False)


@pytest.mark.parametrize("when", [
    "{q: surgery_date, within: recent_surgery_window}",
    "{q: wound_healed, is: yes}",
    "{q: surgery_date, older_than: 6 months}",
    "{q: fx_date, older_than: recent_surgery_window}",
])
def test_only_a_date_of_its_own_condition_against_a_named_window_can_be_checked(tmp_path,
                                                                                 when):
    rules = shutil.copytree(RULES, tmp_path / "rules")
    file = rules / RS
    text = file.read_text(encoding="utf-8")
    old = "when: {q: surgery_date, older_than: recent_surgery_window}"
    assert text.count(old) == 1
    file.write_text(text.replace(old, f"when: {when}"), encoding="utf-8")
    with pytest.raises(RulebookError) as error:
        load_rulebook(rules)
    assert any("rule 'recent_surgery_not_recent', field 'ask_to_check'" in problem
               and "the form can only ask the client to check a date" in problem
               for problem in error.value.problems), error.value.problems


def test_a_birth_two_years_ago_is_checked_and_not_screened_as_a_pregnancy(rulebook):
    answers = {"pregnancy": "yes", "preg_status": "given_birth", "preg_warning_now": "no",
               "preg_postpartum": "2024-11-10", "preg_complications": "no"}
    check, = dates_to_check(rulebook, answers, ON)
    assert check.question == "preg_postpartum" and check.window == "6 weeks"
    text = " ".join(f.client_message for f in evaluate(rulebook, answers, ON).findings)
    assert "pregnancy aches" not in text and "not a recent birth" in text


def test_a_healed_break_with_metalwork_is_not_called_a_healing_bone(rulebook):
    answers = {"osteoporosis": "yes", "spine_changes": "no", "long_term_steroids": "no",
               "recent_fracture": "yes", "fx_where": ["right_hand"], "fx_date": "2024-11-20",
               "fx_assessed": "yes", "fx_healed": "yes", "fx_cause": "no"}
    result = evaluate(rulebook, answers, ON)
    assert result.outcome == "local" and result.body_areas == ("right_hand",)
    text = " ".join(finding.client_message for finding in result.findings)
    assert "healing bone" not in text and "broke recently" not in text
    assert "won't press on any plates, pins or screws" in text
    assert dates_to_check(rulebook, answers, ON) == []  # an old break is a right answer
