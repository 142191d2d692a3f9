"""Small rule books written to a folder, so tests do not depend on the real rules/.

`write_rulebook(folder)` writes `rulebook.yaml` and five condition files modelled on
the real ones (varicose veins, recent surgery, osteoporosis, catching skin conditions,
and a high blood pressure condition that has number, blood pressure and multiple-choice
questions). Tests break a copy with `edit` (exact text replacement) to check the loader.
Kept as YAML text, not dicts, so what is tested is what a clinic owner would write.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from screening.rulebook import Rulebook, RulebookError, load_rulebook

LABEL = "test-1"

INDEX = f"""\
title: Before your massage (test rule book)
version: "{LABEL}"
reviewed: 2026-11-26

outcomes:
  clear: {{title: Clear, summary: Nothing found., next: Enjoy your massage.}}
  caution: {{title: Caution, summary: Some changes., next: Your therapist will explain.}}
  local: {{title: Local, summary: Some areas avoided., next: Your therapist will explain.}}
  medical_clearance: {{title: Check first, summary: Ask your doctor., next: Bring their advice.}}
  postpone: {{title: Postpone, summary: Not today., next: Please rebook.}}

urgent:
  title: Get medical help now
  text: Some of your answers can be signs of a serious problem.

body_regions:
  - group: Head and body
    regions:
      - {{id: face, label: Face}}
      - {{id: upper_back, label: Upper back}}
      - {{id: lower_back, label: Lower back}}
  - group: Legs
    regions:
      - {{id: left_hip, label: Left hip}}
      - {{id: left_calf, label: Left calf}}
      - {{id: right_calf, label: Right calf}}
      - {{id: left_foot, label: Left foot}}

sections:
  - id: skin
    title: Your skin
    intro: About your skin today.
    conditions: [infectious_skin_condition]
  - id: recent
    title: Operations
    conditions: [recent_surgery]
  - id: bones
    title: Bones
    conditions: [osteoporosis]
  - id: circulation
    title: Circulation
    conditions: [high_blood_pressure, varicose_veins]
"""

INFECTIOUS_SKIN_CONDITION = """\
id: infectious_skin_condition
name: Skin infection
seed: true
reviewed: 2026-11-26

questions:
  - id: infectious_skin_condition
    text: Do you have a skin infection or a catching skin condition right now?
    short: skin infections
    type: yes_no
    not_sure: true
  - id: skin_what
    text: What is it, if you know?
    short: what the skin condition is
    type: choice
    options:
      - {id: impetigo, label: Impetigo}
      - {id: fungal, label: Ringworm or another fungal infection}
      - {id: cold_sore, label: A cold sore}
      - {id: not_sure, label: Not sure}
  - id: skin_where
    text: Where is it?
    short: where the skin condition is
    type: body_location
  - id: skin_treated_since
    text: When did the treatment start?
    short: the start of treatment
    type: date
    optional: true
  - id: skin_covered_small
    text: Is it one small area that can be fully covered?
    short: whether it can be covered
    type: yes_no
    not_sure: true
  - id: skin_unwell
    text: Do you have a fever or feel generally unwell with it?
    short: fever or feeling unwell
    type: yes_no

rules:
  - id: infectious_skin_condition
    outcome: postpone
    areas_from: [skin_where]
    client_message: We'll wait until it has been treated.
    therapist_action: Reschedule until no longer catching.
    source: Catalogue infectious_skin_condition.

  - id: infectious_skin_small_covered
    when:
      all:
        - {q: skin_covered_small, is: yes}
        - {q: skin_unwell, is: no}
        - {q: skin_what, in: [fungal, cold_sore]}
    overrides: [infectious_skin_condition]
    outcome: local
    areas_from: [skin_where]
    client_message: Your therapist will stay away from the covered spot.
    therapist_action: Skip the area and a margin around it.
    source: Catalogue infectious_skin_condition escalation.
"""

RECENT_SURGERY = """\
id: recent_surgery
name: Recent operation
seed: true
reviewed: 2026-11-26

questions:
  - id: recent_surgery
    text: Have you had an operation in the last 6 months?
    short: operations in the last 6 months
    type: yes_no
  - id: surgery_date
    ask_afresh: true
    text: What was the date of the operation?
    short: the operation
    type: date
  - id: surgery_where
    text: Where on your body was it?
    short: where the operation was
    type: body_location
  - id: major_surgery
    text: Was it a major operation?
    short: whether it was a major operation
    type: yes_no
    not_sure: true
  - id: wound_healed
    text: Is the wound fully closed?
    short: whether the wound has closed
    type: yes_no
    not_sure: true
  - id: leg_symptoms_since
    ask_afresh: true
    text: Since the operation, have you had new swelling, pain or warmth in a limb?
    short: new swelling, pain or warmth in a limb
    type: yes_no
  - id: implants
    text: Do you have any implants from it? If so, what and where?
    short: implants
    type: text
    optional: true
    max_length: 50

rules:
  - id: recent_surgery
    outcome: medical_clearance
    areas_from: [surgery_where]
    client_message: Please ask your surgeon whether massage is OK yet.
    therapist_action: Clearance first.
    source: Catalogue recent_surgery.

  - id: recent_surgery_minor_healed
    when:
      all:
        - {q: major_surgery, is: no}
        - {q: wound_healed, is: yes}
        - {q: leg_symptoms_since, is: no}
        - {q: surgery_date, older_than: 6 weeks}
    overrides: [recent_surgery]
    outcome: local
    areas_from: [surgery_where]
    client_message: Your therapist will avoid the area of your operation.
    therapist_action: Avoid or modify only the operated area.
    source: Catalogue recent_surgery timing.
    suggested_default: true
    note: The 6-week window is a convention, not a guideline.

  - id: recent_surgery_leg_symptoms
    when: {q: leg_symptoms_since, is: yes}
    outcome: postpone
    urgent: true
    client_message: Please see a doctor today.
    therapist_action: Possible post-operative DVT; do not massage.
    source: Catalogue recent_surgery escalation.
"""

OSTEOPOROSIS = """\
id: osteoporosis
name: Osteoporosis
seed: true
reviewed: 2026-11-26

questions:
  - id: osteoporosis
    text: Have you been told you have osteoporosis or thin bones?
    short: osteoporosis or thin bones
    type: yes_no
    not_sure: true
  - id: spine_changes
    text: Have you lost height or been told you have a compressed vertebra?
    short: changes in your spine
    type: yes_no
    not_sure: true
  - id: long_term_steroids
    text: Have you taken steroid tablets regularly for more than 3 months?
    short: long-term steroid tablets
    type: yes_no
  - id: painful_areas
    text: Do any of your bones ache right now? If so, where?
    short: bones that ache
    type: body_location
    optional: true
  - id: painful_areas_diagnosed
    text: Has a doctor checked this bone pain?
    short: whether a doctor has checked the bone pain
    type: yes_no
    ask_when: {q: painful_areas, answered: true}

rules:
  - id: osteoporosis
    outcome: caution
    client_message: Your therapist will use a gentler touch.
    therapist_action: Light to moderate, broad pressure.
    source: Catalogue osteoporosis.

  - id: osteoporosis_spine_changes
    when: {q: spine_changes, in: [yes, not_sure]}
    outcome: medical_clearance
    areas: [upper_back, lower_back]
    areas_from: [painful_areas]
    client_message: Please check with your doctor before you have pressure on your back.
    therapist_action: No pressure work on the back.
    source: Catalogue osteoporosis escalation.

  - id: osteoporosis_unexplained_bone_pain
    when:
      all:
        - {q: painful_areas, answered: true}
        - {q: painful_areas_diagnosed, is: no}
    outcome: medical_clearance
    areas_from: [painful_areas]
    client_message: Please ask your doctor about the bone pain.
    therapist_action: No pressure near the painful areas.
    source: Catalogue osteoporosis escalation.

  - id: osteoporosis_long_term_steroids
    when: {q: long_term_steroids, is: yes}
    outcome: caution
    client_message: Your therapist will keep the pressure light.
    therapist_action: Light pressure, no friction.
    source: Catalogue osteoporosis follow-up.
"""

HIGH_BLOOD_PRESSURE = """\
id: high_blood_pressure
name: High blood pressure
reviewed: 2026-11-26

questions:
  - id: high_blood_pressure
    text: Have you been told you have high blood pressure?
    short: high blood pressure
    type: yes_no
    not_sure: true
  - id: bp_reading
    text: What was your last blood pressure reading?
    short: your last blood pressure reading
    type: blood_pressure
    optional: true
  - id: bp_checked_on
    text: When was it measured?
    short: the last blood pressure check
    type: date
    ask_when: {q: bp_reading, answered: true}
  - id: bp_medicines
    text: How many blood pressure medicines do you take?
    short: how many blood pressure medicines you take
    type: number
    min: 0
    max: 20
  - id: bp_symptoms
    ask_afresh: true
    text: Do you have any of these today?
    short: symptoms today
    type: choice
    multiple: true
    options:
      - {id: headache, label: A severe headache}
      - {id: chest_pain, label: Chest pain}
      - {id: none, label: None of these}

rules:
  - id: high_blood_pressure
    outcome: caution
    client_message: Your therapist will avoid deep pressure.
    therapist_action: Moderate pressure; sit up slowly.
    source: Test rule book.

  - id: high_blood_pressure_very_high
    when: {q: bp_reading, bp_at_least: 160/100}
    outcome: medical_clearance
    client_message: Please check with your doctor first.
    therapist_action: Ask for clearance.
    source: Test rule book.

  - id: high_blood_pressure_many_medicines
    when: {q: bp_medicines, at_least: 3}
    outcome: medical_clearance
    client_message: Please check with your doctor first.
    therapist_action: Ask for clearance.
    source: Test rule book.

  - id: high_blood_pressure_chest_pain
    when: {q: bp_symptoms, includes: chest_pain}
    outcome: postpone
    urgent: true
    client_message: Chest pain needs a doctor today.
    therapist_action: Do not massage.
    source: Test rule book.
"""

VARICOSE_VEINS = """\
id: varicose_veins
name: Varicose veins
seed: true
reviewed: 2026-11-26

questions:
  - id: varicose_veins
    text: Do you have varicose veins?
    short: varicose veins
    type: yes_no
    not_sure: true
  - id: vv_location
    text: Where are they?
    short: where your varicose veins are
    type: body_location
  - id: vv_severity
    text: Are they small and mostly flat, or large and raised?
    short: how large your varicose veins are
    type: choice
    options:
      - {id: small_flat, label: Small or mostly flat}
      - {id: large_raised, label: "Large, raised or bulging"}
  - id: vv_symptoms_now
    ask_afresh: true
    text: Right now, are any of them painful, hot, red, hard, or newly swollen?
    short: painful, hot, red or swollen veins
    type: yes_no

rules:
  - id: varicose_veins
    outcome: local
    areas_from: [vv_location]
    client_message: Your therapist won't press on the veins.
    therapist_action: No deep or specific pressure on the veins.
    source: Catalogue varicose_veins.

  - id: varicose_veins_symptoms_now
    when: {q: vv_symptoms_now, is: yes}
    outcome: postpone
    urgent: true
    areas_from: [vv_location]
    client_message: Please get it checked by a doctor today.
    therapist_action: Possible phlebitis or clot; no leg massage.
    source: Catalogue varicose_veins escalation.
"""

CONDITIONS = {
    "infectious_skin_condition": INFECTIOUS_SKIN_CONDITION,
    "recent_surgery": RECENT_SURGERY,
    "osteoporosis": OSTEOPOROSIS,
    "high_blood_pressure": HIGH_BLOOD_PRESSURE,
    "varicose_veins": VARICOSE_VEINS,
}


def write_rulebook(folder: Path, index: str = INDEX,
                   conditions: dict[str, str] | None = None) -> Path:
    """Write a small valid rule book into `folder` (created if needed) and return it."""
    (folder / "conditions").mkdir(parents=True, exist_ok=True)
    (folder / "rulebook.yaml").write_text(index, encoding="utf-8")
    for cid, text in (CONDITIONS if conditions is None else conditions).items():
        (folder / "conditions" / f"{cid}.yaml").write_text(text, encoding="utf-8")
    return folder


def edit(file: Path, old: str, new: str) -> None:
    """Replace `old` (which must occur exactly once) by `new` in `file`."""
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def build_rulebook(folder: Path) -> Rulebook:
    """Write the small rule book into `folder` and load it."""
    return load_rulebook(write_rulebook(folder))


def all_no(rulebook: Rulebook) -> dict[str, str]:
    """No to every main question."""
    return {cid: "no" for cid in rulebook.conditions}


def problems_after(folder: Path, *edits: tuple[str, str, str],
                   write: Callable[[Path], Path] = write_rulebook) -> list[str]:
    """Write a rule book with `write`, apply (file, old, new) edits, return the problems
    loading it reports (it must not load)."""
    write(folder)
    for file, old, new in edits:
        edit(folder / file, old, new)
    try:
        load_rulebook(folder)
    except RulebookError as error:
        assert str(error) == "\n".join(error.problems)
        return error.problems
    raise AssertionError("the rule book loaded, but problems were expected")


def assert_reported(problems: list[str], *fragments: str) -> None:
    """Some single problem mentions every fragment (file, item, field, message)."""
    assert any(all(fragment in problem for fragment in fragments) for problem in problems), (
        f"no problem mentions all of {fragments}:\n" + "\n".join(problems))
