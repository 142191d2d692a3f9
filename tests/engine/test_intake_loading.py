"""Intake details (intake.yaml): loaded as sections of their own, kept apart from the
screening (no rule reads one unless it says so), and checked like every other part of the
rule book. Uses the small rule book of rulebook_builder plus a small intake.yaml. No Flask."""

from datetime import date

import pytest

from screening.answers import asked, missing, normalise
from screening.engine import evaluate
from screening.rulebook import load_rulebook
from screening.rulebook.question_types import AnswerError
from tests.engine.rulebook_builder import (
    all_no,
    assert_reported,
    edit,
    problems_after,
    write_rulebook,
)

INTAKE = """\
sections:
  - id: visit
    title: Your visit
    place: before
    questions:
      - id: pain_areas
        text: Where does it hurt?
        short: where it hurts
        type: body_areas_scored
        optional: true
        score_label: Pain score
        chart: focus
      - id: no_touch_areas
        text: Any areas not to touch?
        short: the areas not to touch
        type: body_location
        optional: true
        chart: no_touch
  - id: after
    title: Your massage
    place: after
    questions:
      - id: pressure
        text: What pressure do you like?
        short: the pressure you like
        type: choice
        optional: true
        record_label: Pressure
        options:
          - {id: light, label: Light}
          - {id: firm, label: Firm}
      - id: doctor
        text: Your doctor
        short: your doctor
        type: contact
        optional: true
        addressee: true
        parts: [name, practice, phone, email]
        needs: [name or practice]
"""
VV = "conditions/varicose_veins.yaml"
READS_PRESSURE = """  - id: varicose_veins_symptoms_now
    when: {q: vv_symptoms_now, is: yes}"""
TODAY = date(2026, 12, 1)


def write_with_intake(folder, intake=INTAKE):
    write_rulebook(folder)
    (folder / "intake.yaml").write_text(intake, encoding="utf-8")
    return folder


def intake_problems(tmp_path, *edits):
    return problems_after(tmp_path, *edits, write=write_with_intake)


def test_intake_sections_come_before_and_after_the_health_questions(tmp_path):
    rulebook = load_rulebook(write_with_intake(tmp_path))
    assert [(section.id, section.kind) for section in rulebook.sections] == [
        ("visit", "intake"), ("skin", "screening"), ("recent", "screening"),
        ("bones", "screening"), ("circulation", "screening"), ("after", "intake")]
    assert rulebook.sections[0].questions == ("pain_areas", "no_touch_areas")
    assert rulebook.sections[1].questions[:2] == ("infectious_skin_condition", "skin_what")
    assert list(rulebook.questions)[:3] == ["pain_areas", "no_touch_areas",
                                            "infectious_skin_condition"]
    assert list(rulebook.questions)[-2:] == ["pressure", "doctor"]
    doctor = rulebook.questions["doctor"]
    assert (doctor.intake, doctor.condition, doctor.section, doctor.parent) == (
        True, "", "after", None)
    assert rulebook.addressee is doctor
    assert "doctor" not in [qid for condition in rulebook.conditions.values()
                            for qid in condition.questions]


def test_intake_yaml_is_part_of_the_rule_book_version(tmp_path):
    before = load_rulebook(write_with_intake(tmp_path)).version
    edit(tmp_path / "intake.yaml", "title: Your visit", "title: About your visit")
    assert load_rulebook(tmp_path).version != before


def test_intake_details_are_asked_and_optional_and_never_change_the_outcome(tmp_path):
    rulebook = load_rulebook(write_with_intake(tmp_path))
    assert {"pain_areas", "pressure", "doctor"} <= {q.id for q in asked(rulebook, {})}
    answers, problems = normalise(rulebook, {
        **all_no(rulebook), "pain_areas": {"lower_back": 7}, "no_touch_areas": ["face"],
        "pressure": "firm", "doctor": {"name": "Dr A Patel"}}, TODAY)
    assert problems == {} and missing(rulebook, answers) == []
    assert evaluate(rulebook, answers, TODAY) == evaluate(rulebook, all_no(rulebook), TODAY)
    assert rulebook.intake_chart(answers) == {"focus": ["lower_back"], "no_touch": ["face"],
                                              "scores": {"lower_back": "pain score 7 of 10"}}


def test_a_rule_reading_an_intake_detail_is_refused_unless_it_says_so(tmp_path):
    reading = (VV, READS_PRESSURE, """  - id: varicose_veins_symptoms_now
    when: {all: [{q: vv_symptoms_now, is: yes}, {q: pressure, is: firm}]}""")
    assert_reported(intake_problems(tmp_path, reading), VV, "rule 'varicose_veins_symptoms_now'",
                    "reads the intake detail 'pressure'", "add reads_intake: true")


def test_a_rule_taking_areas_from_an_intake_detail_is_refused_too(tmp_path):
    problems = intake_problems(tmp_path, (VV, "    areas_from: [vv_location]\n    client_message: "
                                          "Your therapist won't", "    areas_from: [vv_location, "
                                          "no_touch_areas]\n    client_message: Your therapist "
                                          "won't"))
    assert_reported(problems, VV, "rule 'varicose_veins'", "'no_touch_areas'", "reads_intake")


def test_a_rule_that_says_reads_intake_may_read_one(tmp_path):
    # The rule is urgent, so the intake detail it reads is asked afresh like any red flag.
    write_with_intake(tmp_path, INTAKE.replace(
        "        type: choice\n        optional: true\n        record_label: Pressure\n",
        "        type: choice\n        optional: true\n        record_label: Pressure\n"
        "        ask_afresh: true\n"))
    edit(tmp_path / VV, READS_PRESSURE, """  - id: varicose_veins_symptoms_now
    reads_intake: true
    when: {all: [{q: vv_symptoms_now, is: yes}, {q: pressure, is: firm}]}""")
    rulebook = load_rulebook(tmp_path)
    answers = {**all_no(rulebook), "varicose_veins": "yes", "vv_location": ["lower_back"],
               "vv_severity": "small_flat", "vv_symptoms_now": "yes"}
    rules = {finding.rule for finding in evaluate(rulebook, answers, TODAY).findings}
    assert "varicose_veins_symptoms_now" not in rules
    firm = {finding.rule for finding in evaluate(rulebook, {**answers, "pressure": "firm"},
                                                 TODAY).findings}
    assert "varicose_veins_symptoms_now" in firm


def test_reads_intake_on_a_rule_reading_none_is_refused(tmp_path):
    problems = intake_problems(tmp_path, (VV, READS_PRESSURE, """  - id: varicose_veins_symptoms_now
    reads_intake: true
    when: {q: vv_symptoms_now, is: yes}"""))
    assert_reported(problems, VV, "field 'reads_intake'", "reads no intake detail")


@pytest.mark.parametrize(("old", "new", "fragments"), [
    ("        chart: focus\n", "        chart: focus\n        ask_when: {q: x, is: yes}\n",
     ("question 'pain_areas'", "ask_when")),
    ("id: pressure", "id: varicose_veins",
     ("question 'varicose_veins'", "duplicate question id (also in intake.yaml)")),
    ("place: after", "place: later", ("sections[1], field 'place'", "before or after")),
    ("id: after", "id: skin", ("sections[1], field 'id'", "duplicate section id 'skin'")),
    ("        chart: no_touch", "        chart: avoid", ("field 'chart'", "focus, no_touch")),
    ("        record_label: Pressure\n", "        record_label: Pressure\n        chart: focus\n",
     ("question 'pressure', field 'chart'", "on a body-area question")),
    ("parts: [name, practice, phone, email]", "parts: [name, fax]",
     ("field 'parts'", "name, practice, relationship, phone, email")),
    ("needs: [name or practice]", "needs: [name or fax]",
     ("field 'needs'", "'name or fax' is not one of the question's parts")),
    ("        addressee: true\n", "", ()),
    ("type: body_areas_scored", "type: body_map", ("unknown type 'body_map'",)),
])
def test_intake_mistakes_are_named(tmp_path, old, new, fragments):
    if not fragments:  # no addressee at all is fine: the letter says "Dear doctor"
        write_with_intake(tmp_path)
        edit(tmp_path / "intake.yaml", old, new)
        assert load_rulebook(tmp_path).addressee is None
        return
    assert_reported(intake_problems(tmp_path, ("intake.yaml", old, new)), *fragments)


def test_two_addressees_are_refused(tmp_path):
    second = INTAKE + """      - id: other_doctor
        text: Another doctor
        short: another doctor
        type: contact
        optional: true
        addressee: true
        parts: [name]
"""
    problems = problems_after(tmp_path, write=lambda folder: write_with_intake(folder, second))
    assert_reported(problems, "intake.yaml", "question 'other_doctor', field 'addressee'",
                    "only one contact")


def test_a_rule_book_without_intake_yaml_has_no_intake_details(tmp_path):
    rulebook = load_rulebook(write_rulebook(tmp_path))
    assert all(section.kind == "screening" for section in rulebook.sections)
    assert not any(question.intake for question in rulebook.questions.values())
    assert rulebook.addressee is None


# The two answer kinds, as the engine's callers hand them in ----------------------------------


def test_scored_areas_are_checked(tmp_path):
    question = load_rulebook(write_with_intake(tmp_path)).questions["pain_areas"]
    kind = question.kind
    assert kind.check(question, ["lower_back", "face"], TODAY) == {"face": None,
                                                                   "lower_back": None}
    assert kind.read(question, ["face", "face:3", "upper_back:9"]) == {"face": 3}
    for wrong, message in ((["nose"], "'nose' is not a body area"),
                           ({"face": 11}, "Choose a pain score from 0 to 10 for Face"),
                           ({"face": True}, "from 0 to 10"), ({}, "Select at least one")):
        with pytest.raises(AnswerError, match=message):
            kind.check(question, wrong, TODAY)
    with pytest.raises(AnswerError, match="from 0 to 10 for Face"):
        kind.read(question, ["face", "face:-1"])


def test_contacts_are_checked(tmp_path):
    question = load_rulebook(write_with_intake(tmp_path)).questions["doctor"]
    kind = question.kind
    assert kind.read(question, [" Dr A Patel ", "", "", ""]) == {"name": "Dr A Patel"}
    assert kind.read(question, ["", "", "", ""]) is None
    assert kind.posted(question, {"practice": "Riverside"}) == ["", "Riverside", "", ""]
    for wrong, message in (({"phone": "0163"}, "phone number of your doctor"),
                           ({"name": "A", "email": "a@b"}, "email address of your doctor"),
                           ({"email": "a@b.org"}, "Enter the name or practice of your doctor"),
                           ({"fax": "1"}, "'fax' is not part of your doctor"),
                           ({"name": "x" * 101}, "Keep the name of your doctor to 100"),
                           ("Dr A Patel", "as text")):
        with pytest.raises(AnswerError, match=message):
            kind.check(question, wrong, TODAY)
