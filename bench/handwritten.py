"""A hand-written reference floor: the engine's decisions for seven conditions, in plain Python.

It screens the five seed conditions (osteoporosis, recent_surgery, varicose_veins,
infectious_skin_condition, unhealed_wound_or_rash) plus fever_acute_illness and
dvt_suspected exactly as the rule files in rules/conditions/ say, with every test written
out by hand: no rule book, no closures, no dataclasses. It is what the engine would cost
if it were hand-coded, so the engine's speed is measured against it. `bench.engine_bench`
checks that it agrees with the engine on every answer set before timing anything; if a
rule file changes, this file must change with it.

Returns (outcome, urgent, rule ids) with the rule ids in the engine's order: condition
order of the rule book, rule order within a condition, then urgent first and most
restrictive first (a stable sort, as the engine does).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

CONDITIONS = ("fever_acute_illness", "dvt_suspected", "infectious_skin_condition",
              "unhealed_wound_or_rash", "recent_surgery", "osteoporosis", "varicose_veins")

CLEAR, CAUTION, LOCAL, MEDICAL_CLEARANCE, POSTPONE = range(5)
OUTCOMES = ("clear", "caution", "local", "medical_clearance", "postpone")
GATE = ("yes", "not_sure")
SMALL_COVERABLE = ("fungal", "athletes_foot", "cold_sore", "warts")
SIX_WEEKS = timedelta(weeks=6)


def _sort_key(finding: tuple[str, int, bool]) -> tuple[bool, int]:
    return (not finding[2], -finding[1])


def screen(answers: Mapping[str, Any], on: date) -> tuple[str, bool, tuple[str, ...]]:
    get = answers.get
    found: list[tuple[str, int, bool]] = []  # (rule id, outcome rank, urgent)
    add = found.append

    if get("fever_acute_illness") in GATE:
        add(("fever_acute_illness", POSTPONE, False))

    if get("dvt_suspected") in GATE:
        add(("dvt_suspected", POSTPONE, True))
        if get("pe_symptoms") == "yes":
            add(("dvt_pe_symptoms", POSTPONE, True))

    if get("infectious_skin_condition") in GATE:
        if (get("skin_covered_small") == "yes" and get("skin_unwell") == "no"
                and get("skin_what") in SMALL_COVERABLE):
            add(("infectious_skin_small_covered", LOCAL, False))  # overrides the default
        else:
            add(("infectious_skin_condition", POSTPONE, False))

    if get("unhealed_wound_or_rash") in GATE:
        add(("unhealed_wound_or_rash", LOCAL, False))
        kinds = get("wr_type") or ()
        weeping = get("wr_weeping_spreading") == "yes"
        fever = get("wr_fever") == "yes"
        if "rash_unknown" in kinds and (weeping or fever):
            add(("wr_unknown_rash_spreading", POSTPONE, False))
        if weeping and fever:
            add(("wr_infection_signs", POSTPONE, False))
        if "bruise" in kinds and get("wr_bruise_cause_known") == "no":
            add(("wr_unexplained_bruising", MEDICAL_CLEARANCE, False))

    if get("recent_surgery") in GATE:
        healed = get("wound_healed")
        problem = get("wound_problem")
        legs = get("leg_symptoms_since")
        operated = get("surgery_date")
        if operated and date.fromisoformat(operated) < _months_before(on, 6):
            add(("recent_surgery_not_recent", LOCAL, False))  # overrides both below
        elif (get("major_surgery") == "no" and healed == "yes" and problem == "no"
                and legs == "no" and operated
                and date.fromisoformat(operated) < on - SIX_WEEKS):
            add(("recent_surgery_minor_healed", LOCAL, False))  # overrides the default
        else:
            add(("recent_surgery", MEDICAL_CLEARANCE, False))
        if healed in ("no", "not_sure"):
            add(("recent_surgery_wound_open", LOCAL, False))
        if problem == "yes":
            add(("recent_surgery_wound_problem", POSTPONE, False))
        if legs == "yes":
            add(("recent_surgery_leg_symptoms", POSTPONE, True))

    if get("osteoporosis") in GATE:
        add(("osteoporosis", CAUTION, False))
        broken = get("fx_date")
        healed_long_ago = (get("fx_healed") == "yes" and broken
                           and date.fromisoformat(broken) < _months_before(on, 3))
        if get("recent_fracture") in GATE and not healed_long_ago:
            add(("osteoporosis_recent_fracture", LOCAL, False))
        if get("spine_changes") in GATE:
            add(("osteoporosis_spine_changes", MEDICAL_CLEARANCE, False))
        if get("painful_areas") and get("painful_areas_diagnosed") == "no":
            add(("osteoporosis_unexplained_bone_pain", MEDICAL_CLEARANCE, False))
        if get("long_term_steroids") == "yes":
            add(("osteoporosis_long_term_steroids", CAUTION, False))

    if get("varicose_veins") in GATE:
        add(("varicose_veins", LOCAL, False))
        if get("vv_symptoms_now") == "yes":
            add(("varicose_veins_symptoms_now", POSTPONE, True))
        if get("vv_clot_history") in GATE:
            add(("varicose_veins_clot_history", CAUTION, False))

    if not found:
        return "clear", False, ()
    if len(found) > 1:
        found.sort(key=_sort_key)
    return (OUTCOMES[max(rank for _rule, rank, _urgent in found)], found[0][2],
            tuple(rule for rule, _rank, _urgent in found))


def _months_before(on: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    for day in (on.day, 30, 29, 28):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: day 28 exists in every month")
