"""Loading a rule book: a valid one loads; a broken one lists every problem with its place.

Uses the small rule book of rulebook_builder, written to tmp_path and broken by exact
text edits. No Flask.
"""

import re

import pytest

from screening.rulebook import RulebookError, load_rulebook
from tests.engine.rulebook_builder import (
    CONDITIONS,
    LABEL,
    assert_reported,
    build_rulebook,
    edit,
    problems_after,
    write_rulebook,
)

VV = "conditions/varicose_veins.yaml"
RS = "conditions/recent_surgery.yaml"
OST = "conditions/osteoporosis.yaml"
SKIN = "conditions/infectious_skin_condition.yaml"
BP = "conditions/high_blood_pressure.yaml"
INDEX = "rulebook.yaml"


# --- a valid rule book -------------------------------------------------------------------


def test_small_rulebook_loads(tmp_path):
    rulebook = build_rulebook(tmp_path)
    assert list(rulebook.conditions) == list(CONDITIONS)  # section order
    assert rulebook.title == "Before your massage (test rule book)"
    assert [section.id for section in rulebook.sections] == ["skin", "recent", "bones",
                                                             "circulation"]
    assert rulebook.path == str(tmp_path)
    assert len(rulebook.rules) == 15


def test_questions_follow_form_order_and_know_their_condition(tmp_path):
    rulebook = build_rulebook(tmp_path)
    surgery = rulebook.conditions["recent_surgery"]
    assert surgery.questions[0] == "recent_surgery"
    assert list(rulebook.questions)[:2] == ["infectious_skin_condition", "skin_what"]
    assert rulebook.questions["recent_surgery"].parent is None
    assert rulebook.questions["surgery_date"].parent == "recent_surgery"
    assert rulebook.questions["implants"].required is False
    assert rulebook.questions["surgery_where"].multiple is True
    assert [o.id for o in rulebook.questions["surgery_where"].options][:2] == ["face",
                                                                             "upper_back"]


def test_version_is_label_and_content_hash(tmp_path):
    rulebook = build_rulebook(tmp_path)
    assert re.fullmatch(rf"{re.escape(LABEL)}\+[0-9a-f]{{12}}", rulebook.version)
    assert rulebook.version == f"{LABEL}+{rulebook.digest[:12]}"


def test_version_changes_when_any_file_changes(tmp_path):
    before = build_rulebook(tmp_path).version
    edit(tmp_path / VV, "Your therapist won't press", "Your therapist will not press")
    after = load_rulebook(tmp_path).version
    assert after != before
    assert after.startswith(f"{LABEL}+")


def test_version_depends_on_content_not_folder(tmp_path):
    """The same files in another folder (or loaded twice) give the same version."""
    first = build_rulebook(tmp_path / "a")
    assert build_rulebook(tmp_path / "b").version == first.version
    assert load_rulebook(tmp_path / "a").version == first.version


def test_path_may_name_the_index_file(tmp_path):
    write_rulebook(tmp_path)
    assert load_rulebook(tmp_path / "rulebook.yaml").conditions.keys() == CONDITIONS.keys()


def test_yes_and_no_in_yaml_stay_strings(tmp_path):
    rulebook = build_rulebook(tmp_path)
    rule = next(r for r in rulebook.rules if r.id == "varicose_veins_symptoms_now")
    assert rule.when_data == {"q": "vv_symptoms_now", "is": "yes"}
    minor = next(r for r in rulebook.rules if r.id == "recent_surgery_minor_healed")
    assert {"q": "major_surgery", "is": "no"} in minor.when_data["all"]


def test_suggested_default_and_note_are_kept(tmp_path):
    rulebook = build_rulebook(tmp_path)
    minor = next(r for r in rulebook.rules if r.id == "recent_surgery_minor_healed")
    assert minor.suggested_default is True
    assert minor.note.startswith("The 6-week window")
    assert minor.overrides == ("recent_surgery",)


# --- a broken rule book ------------------------------------------------------------------

BROKEN = {
    "unknown question in a rule": (
        [(RS, "{q: wound_healed, is: yes}", "{q: wound_heald, is: yes}")],
        [RS, "rule 'recent_surgery_minor_healed'", "field 'when.all[1]'",
         "unknown question id 'wound_heald'"]),
    "question id that is a list": (
        [(VV, "{q: vv_symptoms_now, is: yes}", "{q: [vv_symptoms_now], is: yes}")],
        [VV, "rule 'varicose_veins_symptoms_now'", "field 'when'", "unknown question id"]),
    "ask_when question id that is a list": (
        [(OST, "ask_when: {q: painful_areas, answered: true}",
          "ask_when: {q: [painful_areas], answered: true}")],
        [OST, "question 'painful_areas_diagnosed'", "field 'ask_when'",
         "unknown question id"]),
    "unknown operator": (
        [(VV, "{q: vv_symptoms_now, is: yes}", "{q: vv_symptoms_now, equals: yes}")],
        [VV, "rule 'varicose_veins_symptoms_now'", "field 'when'",
         "unknown operator 'equals'"]),
    "operator value not an answer": (
        [(VV, "{q: vv_symptoms_now, is: yes}", "{q: vv_symptoms_now, is: maybe}")],
        [VV, "rule 'varicose_veins_symptoms_now'", "field 'when.is'",
         "'maybe' is not an answer to 'vv_symptoms_now'"]),
    "bad duration": (
        [(RS, "older_than: 6 weeks", "older_than: 6 wekes")],
        [RS, "rule 'recent_surgery_minor_healed'", "field 'when.all[3].older_than'",
         "'6 wekes' is not a duration"]),
    "duplicate rule id across files": (
        [(OST, "id: osteoporosis_long_term_steroids", "id: recent_surgery_leg_symptoms")],
        [OST, "rule 'recent_surgery_leg_symptoms'", "duplicate rule id"]),
    "duplicate question id": (
        [(VV, "  - id: vv_location\n", "  - id: surgery_where\n")],
        [VV, "question 'surgery_where'", "duplicate question id",
         "conditions/recent_surgery.yaml"]),
    "bad reviewed date": (
        [(VV, "reviewed: 2026-11-26", "reviewed: 2026-13-01")],
        [VV, "field 'reviewed'", "'2026-13-01' is not a date"]),
    "bad reviewed date in rulebook.yaml": (
        [(INDEX, "reviewed: 2026-11-26", "reviewed: 2026-13-01")],
        [INDEX, "field 'reviewed'", "'2026-13-01' is not a date"]),
    "bad reviewed date (quoted)": (
        [(VV, "reviewed: 2026-11-26", 'reviewed: "2026-13-01"')],
        [VV, "field 'reviewed'", "'2026-13-01' is not a date"]),
    "bad reviewed date in rulebook.yaml (quoted)": (
        [(INDEX, "reviewed: 2026-11-26", 'reviewed: "26/11/2026"')],
        [INDEX, "field 'reviewed'", "is not a date"]),
    "unknown outcome": (
        [(VV, "    outcome: local\n", "    outcome: avoid_area\n")],
        [VV, "rule 'varicose_veins'", "field 'outcome'", "unknown outcome 'avoid_area'"]),
    "invalid YAML": (
        [(BP, "rules:\n", "rules: [\n")],
        [BP, "is not valid YAML", "line"]),
    "duplicate YAML key": (
        [(VV, "    outcome: local\n", "    outcome: local\n    outcome: caution\n")],
        [VV, "is not valid YAML", "duplicate key 'outcome'", "line 32"]),
    "missing client_message": (
        [(VV, "    client_message: Your therapist won't press on the veins.\n", "")],
        [VV, "rule 'varicose_veins'", "missing field 'client_message'"]),
    "empty client_message": (
        [(VV, "client_message: Your therapist won't press on the veins.",
          'client_message: ""')],
        [VV, "rule 'varicose_veins'", "field 'client_message'", "expected some text"]),
    "missing question text": (
        [(VV, "    text: Where are they?\n", "")],
        [VV, "question 'vv_location'", "missing field 'text'"]),
    "unknown field in a rule": (
        [(VV, "    outcome: local\n", "    outcome: local\n    priority: 3\n")],
        [VV, "rule 'varicose_veins'", "unknown field 'priority'"]),
    "unknown field in a question": (
        [(VV, "    short: varicose veins\n", "    short: varicose veins\n    requred: true\n")],
        [VV, "question 'varicose_veins'", "unknown field 'requred'"]),
    "areas_from not a body_location question": (
        [(VV, "    outcome: local\n    areas_from: [vv_location]",
          "    outcome: local\n    areas_from: [vv_severity]")],
        [VV, "rule 'varicose_veins'", "field 'areas_from'",
         "'vv_severity' is not a body_location question"]),
    "unknown body region in areas": (
        [(OST, "areas: [upper_back, lower_back]", "areas: [upper_back, low_back]")],
        [OST, "rule 'osteoporosis_spine_changes'", "field 'areas'",
         "unknown body region 'low_back'"]),
    "overrides a rule of another condition": (
        [(RS, "overrides: [recent_surgery]", "overrides: [varicose_veins]")],
        [RS, "rule 'recent_surgery_minor_healed'", "field 'overrides'",
         "'varicose_veins' is not another rule of condition 'recent_surgery'"]),
    "overrides itself": (
        [(RS, "overrides: [recent_surgery]", "overrides: [recent_surgery_minor_healed]")],
        [RS, "rule 'recent_surgery_minor_healed'", "field 'overrides'"]),
    "ask_when looks at a later question": (
        [(OST, "    short: changes in your spine\n",
          "    short: changes in your spine\n    ask_when: {q: painful_areas, answered: true}\n")],
        [OST, "question 'spine_changes'", "field 'ask_when'", "earlier questions",
         "'painful_areas'"]),
    "ask_when looks at another condition": (
        [(OST, "    short: changes in your spine\n",
          "    short: changes in your spine\n    ask_when: {q: recent_surgery, is: yes}\n")],
        [OST, "question 'spine_changes'", "field 'ask_when'", "'recent_surgery'"]),
    "ask_when with a timing operator": (
        [(BP, "ask_when: {q: bp_reading, answered: true}",
          "ask_when: {q: bp_reading, bp_at_least: 140/90}")],
        [BP, "question 'bp_checked_on'", "field 'ask_when'", "bp_at_least cannot be used"]),
    "suggested_default without a note": (
        [(RS, "    note: The 6-week window is a convention, not a guideline.\n", "")],
        [RS, "rule 'recent_surgery_minor_healed'", "field 'note'", "expected some text"]),
    "condition file not in any section": (
        [(INDEX, "conditions: [high_blood_pressure, varicose_veins]",
          "conditions: [varicose_veins]")],
        [BP, "is not listed in any section"]),
    "section lists a condition with no file": (
        [(INDEX, "conditions: [osteoporosis]", "conditions: [osteoporosis, pregnancy]")],
        [INDEX, "sections", "condition 'pregnancy' has no file conditions/pregnancy.yaml"]),
    "condition listed twice": (
        [(INDEX, "conditions: [osteoporosis]", "conditions: [osteoporosis, varicose_veins]")],
        [INDEX, "sections", "condition 'varicose_veins' is listed twice"]),
    "main question id is not the condition id": (
        [(VV, "  - id: varicose_veins\n    text:", "  - id: has_varicose_veins\n    text:")],
        [VV, "question 'has_varicose_veins'", "field 'id'",
         "must be the condition id 'varicose_veins'"]),
    "main question not yes_no": (
        [(VV, "    short: varicose veins\n    type: yes_no",
          "    short: varicose veins\n    type: text")],
        [VV, "question 'varicose_veins'", "main question must be a required yes_no"]),
    "condition id differs from file name": (
        [(VV, "id: varicose_veins\nname:", "id: varicose\nname:")],
        [VV, "field 'id'", "must match the file name"]),
    "unknown question type": (
        [(VV, "    type: choice\n", "    type: dropdown\n")],
        [VV, "question 'vv_severity'", "field 'type'", "unknown type 'dropdown'"]),
    "choice with one option": (
        [(VV, '      - {id: large_raised, label: "Large, raised or bulging"}\n', "")],
        [VV, "question 'vv_severity'", "field 'options'", "at least two options"]),
    "flag not a boolean": (
        [(VV, "    type: yes_no\n    not_sure: true", "    type: yes_no\n    not_sure: yes")],
        [VV, "question 'varicose_veins'", "field 'not_sure'", "expected true or false"]),
    "missing outcome wording": (
        [(INDEX, "  postpone: {title: Postpone, summary: Not today., next: Please rebook.}\n",
          "")],
        [INDEX, "outcomes", "missing field 'postpone'"]),
    "unknown field in rulebook.yaml": (
        [(INDEX, "title: Before", "titel: x\ntitle: Before")],
        [INDEX, "rule book", "unknown field 'titel'"]),
    "body region that is not a mapping": (
        [(INDEX, "      - {id: face, label: Face}", "      - face")],
        [INDEX, "body_regions[0]", "'face'", "expected a mapping"]),
    "option that is not a mapping": (
        [(VV, "      - {id: small_flat, label: Small or mostly flat}", "      - small_flat")],
        [VV, "question 'vv_severity'", "'small_flat'", "expected a mapping"]),
    "section that is not a mapping": (
        [(INDEX, "  - id: recent\n    title: Operations\n    conditions: [recent_surgery]",
          "  - recent_surgery")],
        [INDEX, "sections[1]", "expected a mapping"]),
    "duplicate body region": (
        [(INDEX, "{id: left_foot, label: Left foot}", "{id: face, label: Left foot}")],
        [INDEX, "region 'face'", "duplicate region id"]),
    # Checks of things that would load but break a page: a rule book that loads works.
    "question id the form uses for a field of its own": (
        [(VV, "  - id: vv_severity\n", "  - id: email\n")],
        [VV, "question 'email'", "field 'id'", "a name the questionnaire form uses itself"]),
    "question id the form uses for a method": (
        [(VV, "  - id: vv_severity\n", "  - id: validate\n")],
        [VV, "question 'validate'", "field 'id'", "a name the questionnaire form uses itself"]),
    "ask_when FHIR enableWhen cannot express": (
        [(OST, "ask_when: {q: painful_areas, answered: true}",
          "ask_when: {any: [{q: spine_changes, is: yes}, "
          "{not: {q: long_term_steroids, is: yes}}]}")],
        [OST, "question 'painful_areas_diagnosed'", "field 'ask_when'", "FHIR enableWhen"]),
    "field of another question type": (
        [(RS, "    short: the operation\n", "    short: the operation\n    unit: weeks\n")],
        [RS, "question 'surgery_date' (a date question)", "unknown field 'unit'"]),
    "several answers to a yes_no question": (
        [(VV, "    short: varicose veins\n", "    short: varicose veins\n    multiple: true\n")],
        [VV, "question 'varicose_veins' (a yes_no question)", "unknown field 'multiple'"]),
    "min above max": (
        [(BP, "    min: 0\n", "    min: 30\n")],
        [BP, "question 'bp_medicines'", "field 'min'", "30 is above the max, 20"]),
    "body_location question with no body regions": (
        [(INDEX, "body_regions:\n", "body_regions: []\nold_body_regions:\n")],
        [VV, "question 'vv_location'", "no body_regions"]),
    "duplicate section id": (
        [(INDEX, "  - id: bones\n", "  - id: skin\n")],
        [INDEX, "sections[2], field 'id'", "duplicate section id 'skin'"]),
    "section id of the form's own section": (
        [(INDEX, "  - id: bones\n", "  - id: details\n")],
        [INDEX, "sections[2], field 'id'", "the form's own first section"]),
    "section without a title": (
        [(INDEX, "    title: Bones\n", '    title: ""\n')],
        [INDEX, "sections[2], field 'title'", "expected some text"]),
    "a seed the clinic says it added": (
        [(VV, "seed: true", "seed: true\nadded_by_clinic: true")],
        [VV, "condition", "drop seed or added_by_clinic"]),
    "seed not a boolean": (
        [(VV, "seed: true", "seed: maybe")],
        [VV, "condition, field 'seed'", "expected true or false"]),
}


@pytest.mark.parametrize(("edits", "fragments"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_rulebook_names_file_item_and_field(tmp_path, edits, fragments):
    problems = problems_after(tmp_path, *edits)
    assert_reported(problems, *fragments)


def test_every_problem_is_reported_at_once(tmp_path):
    problems = problems_after(
        tmp_path,
        (VV, "{q: vv_symptoms_now, is: yes}", "{q: vv_symptom_now, is: yes}"),
        (OST, "areas: [upper_back, lower_back]", "areas: [upper_back, low_back]"),
        (RS, "    note: The 6-week window is a convention, not a guideline.\n", ""),
        (INDEX, "conditions: [osteoporosis]", "conditions: [osteoporosis, pregnancy]"),
        (BP, "rules:\n", "rules: [\n"),
    )
    assert_reported(problems, VV, "unknown question id 'vv_symptom_now'")
    assert_reported(problems, OST, "unknown body region 'low_back'")
    assert_reported(problems, RS, "field 'note'")
    assert_reported(problems, INDEX, "'pregnancy' has no file")
    assert_reported(problems, BP, "is not valid YAML")
    assert len(problems) == 5


def test_missing_folder_is_a_rulebook_error(tmp_path):
    with pytest.raises(RulebookError) as caught:
        load_rulebook(tmp_path / "nowhere")
    assert_reported(caught.value.problems, "rulebook.yaml", "not found")


def test_index_that_is_not_a_mapping(tmp_path):
    write_rulebook(tmp_path)
    (tmp_path / INDEX).write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(RulebookError) as caught:
        load_rulebook(tmp_path)
    assert_reported(caught.value.problems, INDEX, "must hold a mapping")
