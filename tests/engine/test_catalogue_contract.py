"""The rule book keeps the clinical catalogue's contract (tests/catalogue_contract.yaml).

The rule book screens every catalogue condition, and any other only when its file says the
clinic added it (`added_by_clinic: true`), so a clinic adds a condition without touching
Python. Every catalogue question id is asked under the same condition; no condition is
screened lower than its catalogue category; every urgent escalation, and every red flag
named in our product rules, reaches the client as urgent advice.
"""

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from screening.answers import normalise
from screening.engine import evaluate
from screening.rulebook import RANK, load_rulebook
from tests.engine.rulebook_builder import edit

CONTRACT = yaml.safe_load((Path(__file__).parent.parent / "catalogue_contract.yaml").read_text())
ON = date(2026, 11, 26)

#: Answers that trigger each of the catalogue's urgent escalations, and the red flags our
#: product rules add (chest pain, stroke signs, suspected clot): the catalogue's prose
#: escalations are made concrete by follow-ups such as hi_red_flags.
URGENT = {
    "leg_symptoms_since == yes": {"recent_surgery": "yes", "leg_symptoms_since": "yes"},
    "vv_symptoms_now == yes": {"varicose_veins": "yes", "vv_symptoms_now": "yes"},
    "pe_symptoms == yes": {"dvt_suspected": "yes", "pe_symptoms": "yes"},
    "worsening headache, repeated vomiting, confusion or drowsiness": {
        "head_injury_concussion": "yes", "hi_red_flags": "yes"},
    "stroke_new_symptoms == yes": {"stroke_tia": "yes", "stroke_new_symptoms": "yes"},
    "last reading >= 180/110": {"uncontrolled_high_blood_pressure": "yes",
                                "bp_last_reading": "185/95"},
    "bp_symptoms_today == yes": {"uncontrolled_high_blood_pressure": "yes",
                                 "bp_symptoms_today": "yes"},
    "ch_symptoms_now == yes": {"clot_history": "yes", "ch_symptoms_now": "yes"},
    "preg_warning_now == yes": {"pregnancy": "yes", "preg_warning_now": "yes"},
    "nv_red_flags == yes": {"nerve_symptoms_or_disc": "yes", "nv_red_flags": "yes"},
    "suspected clot (urgent referral)": {"dvt_suspected": "yes"},
    "suspected clot, not sure": {"dvt_suspected": "not_sure"},
    "chest pain in the last month": {"heart_condition": "yes", "chest_pain_recent": "yes"},
    "chest pain now": {"heart_condition": "yes", "chest_pain_recent": "yes",
                       "chest_pain_now": "yes"},
    "chest pain or stroke signs today, no history": {"red_flags_today": "yes",
                                                    "red_flag_kind": ["stroke_signs"]},
    "warning signs today, not sure": {"red_flags_today": "not_sure"},
}


def screen(rulebook, answers):
    checked, problems = normalise(rulebook, answers, today=ON)
    assert problems == {}
    return evaluate(rulebook, checked, ON)


def catalogue_differences(rulebook) -> list[str]:
    """How the rule book's conditions differ from the catalogue's, beyond what it says it
    adds."""
    added = {cid for cid, condition in rulebook.conditions.items() if condition.added_by_clinic}
    return [*(f"{cid}: a catalogue condition the rule book does not screen"
              for cid in sorted(set(CONTRACT) - set(rulebook.conditions))),
            *(f"{cid}: not a catalogue condition: its file should say added_by_clinic: true"
              for cid in sorted(set(rulebook.conditions) - set(CONTRACT) - added)),
            *(f"{cid}: a catalogue condition, not added by the clinic"
              for cid in sorted(added & set(CONTRACT)))]


def test_every_catalogue_condition_is_screened(rulebook):
    assert len(CONTRACT) == 30
    assert catalogue_differences(rulebook) == []
    seeds = {cid for cid, facts in CONTRACT.items() if facts["seed"]}
    assert seeds == {cid for cid, condition in rulebook.conditions.items() if condition.seed}


SAUNA = """\
id: sauna_today
name: Sauna or steam room today
added_by_clinic: true
reviewed: 2026-12-01

questions:
  - id: sauna_today
    text: Will you use the sauna or steam room just before your massage?
    short: the sauna or steam room
    type: yes_no

rules:
  - id: sauna_today
    outcome: caution
    client_message: Please have a glass of water and cool down before your massage.
    therapist_action: Check the client has cooled down and drunk some water.
    source: Clinic policy.
"""


def test_a_clinic_adds_a_condition_in_its_rule_book_alone(tmp_path):
    """A condition of the clinic's own: its file, a place in a section, and the flag."""
    rules = shutil.copytree(Path(__file__).parent.parent.parent / "rules", tmp_path / "rules")
    (rules / "conditions" / "sauna_today.yaml").write_text(SAUNA, encoding="utf-8")
    edit(rules / "rulebook.yaml", "conditions: [cancer_treatment,",
         "conditions: [sauna_today, cancer_treatment,")
    rulebook = load_rulebook(rules)
    assert "sauna_today" in rulebook.conditions
    assert catalogue_differences(rulebook) == []

    edit(rules / "conditions" / "sauna_today.yaml", "added_by_clinic: true\n", "")
    assert catalogue_differences(load_rulebook(rules)) == [
        "sauna_today: not a catalogue condition: its file should say added_by_clinic: true"]
    edit(rules / "conditions" / "osteoporosis.yaml", "seed: true\n", "added_by_clinic: true\n")
    assert "osteoporosis: a catalogue condition, not added by the clinic" in \
        catalogue_differences(load_rulebook(rules))


@pytest.mark.parametrize("condition_id", CONTRACT)
def test_catalogue_question_ids_are_kept(rulebook, condition_id):
    for question_id in [condition_id, *CONTRACT[condition_id]["follow_ups"]]:
        question = rulebook.questions.get(question_id)
        assert question is not None, f"{question_id} is missing"
        # osteoporosis's follow-up `recent_fracture` is also a condition's id: it is asked
        # once, as that condition's question, and osteoporosis's rule tests that answer.
        assert question.condition in {condition_id, question_id if question_id in CONTRACT
                                      else condition_id}


@pytest.mark.parametrize("condition_id", CONTRACT)
def test_base_rule_has_the_catalogue_category(rulebook, condition_id):
    base = rulebook.conditions[condition_id].rules[0]
    assert base.when_data is None, "the first rule is the condition's base rule"
    assert base.outcome == CONTRACT[condition_id]["category"]


@pytest.mark.parametrize("condition_id", CONTRACT)
def test_yes_alone_is_never_screened_lower_than_the_catalogue(rulebook, condition_id):
    question = rulebook.questions[condition_id]
    for answer in ("yes", "not_sure") if question.not_sure else ("yes",):
        result = screen(rulebook, {condition_id: answer})
        assert RANK[result.outcome] >= RANK[CONTRACT[condition_id]["category"]], answer
        assert result.urgent is CONTRACT[condition_id]["urgent"]


def test_every_urgent_escalation_of_the_catalogue_has_answers_here():
    whens = {when for facts in CONTRACT.values() for when in facts["urgent_escalations"]}
    covered = set(URGENT) | {"last reading >= 180/110 or bp_symptoms_today == yes"}
    assert whens <= covered


@pytest.mark.parametrize("flag", URGENT)
def test_red_flags_reach_the_client_as_urgent(rulebook, flag):
    result = screen(rulebook, URGENT[flag])
    assert result.urgent is True
    assert RANK[result.outcome] >= RANK["medical_clearance"]
    urgent_messages = [f.client_message for f in result.findings if f.urgent]
    assert urgent_messages and all(message.strip() for message in urgent_messages)
