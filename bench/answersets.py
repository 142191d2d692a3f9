"""Realistic answer sets generated from the rule book's own questions, with a fixed seed.

Most clients are healthy (No to every main question); a realistic share answer Yes or
Not sure to one or more conditions, weighted by how common each is in a massage clinic.
Follow-ups are filled the way the form asks them (in form order, only when their question
opens the gate and their `ask_when` holds), and dates fall around the screening date so
that time windows ("within 6 weeks", "older than 3 months") fire both ways. Every answer
set is passed through `screening.answers.normalise` and `missing` so that it is exactly
what the form would store.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from screening.answers import missing, normalise
from screening.engine import GATE
from screening.rulebook import Question, Rulebook

#: How common each condition is among clients (relative weights; unknown ids get 3).
PREVALENCE = {
    "red_flags_today": 0.2, "fever_acute_illness": 2, "dvt_suspected": 0.5,
    "intoxicated_or_sedated": 0.5, "infectious_skin_condition": 3, "unhealed_wound_or_rash": 8,
    "allergies_sensitivities": 12, "recent_surgery": 6, "recent_fracture": 3,
    "acute_muscle_strain_or_sprain": 8, "head_injury_concussion": 1,
    "implanted_device_or_injection": 4, "osteoporosis": 5,
    "arthritis_or_inflammation_flare": 10, "nerve_symptoms_or_disc": 8,
    "fibromyalgia_chronic_pain": 5, "unexplained_pain_or_lump": 2, "heart_condition": 3,
    "uncontrolled_high_blood_pressure": 8, "varicose_veins": 8, "clot_history": 2,
    "blood_thinners_or_bleeding_disorder": 4, "aneurysm": 0.5, "stroke_tia": 1,
    "dizziness_fainting": 3, "cancer_treatment": 2, "lymph_nodes_lymphoedema": 1.5,
    "diabetes": 6, "epilepsy_seizures": 1, "kidney_liver_lung_organ_disease": 2,
    "pregnancy": 4,
}
DEFAULT_PREVALENCE = 3
#: How many conditions a client has: 0 for most, a tail of several.
CONDITION_COUNTS = ((0, 0.55), (1, 0.25), (2, 0.12), (3, 0.05), (4, 0.02), (5, 0.01))
#: Options that are only ever picked alone.
EXCLUSIVE_OPTIONS = frozenset({"none", "not_sure"})
TEXTS = ("Left knee, about two years ago", "Ibuprofen when needed", "Keyhole, right knee",
         "My GP is aware", "Not sure of the name", "No lying on my front for a while",
         "Tablets every morning", "Hip replacement", "Mild, comes and goes")


def condition_count(rng: random.Random) -> int:
    roll = rng.random()
    for count, share in CONDITION_COUNTS:
        roll -= share
        if roll < 0:
            return count
    return CONDITION_COUNTS[-1][0]


def pick_conditions(rng: random.Random, rulebook: Rulebook, count: int) -> list[str]:
    """`count` distinct condition ids, weighted by prevalence."""
    pool = list(rulebook.conditions)
    chosen: list[str] = []
    while len(chosen) < min(count, len(pool)):
        weights = [PREVALENCE.get(cid, DEFAULT_PREVALENCE) for cid in pool]
        cid = rng.choices(pool, weights)[0]
        pool.remove(cid)
        chosen.append(cid)
    return chosen


def past_date(rng: random.Random, today: date) -> str:
    """A date up to two years back: a fifth in the last 3 days, two fifths inside 6 weeks,
    so that windows from '3 days' to '12 months' are crossed both ways."""
    roll = rng.random()
    if roll < 0.2:
        days = rng.randint(0, 3)
    elif roll < 0.4:
        days = rng.randint(4, 42)
    elif roll < 0.65:
        days = rng.randint(43, 120)
    else:
        days = rng.randint(121, 730)
    return (today - timedelta(days=days)).isoformat()


def _yes_no(rng: random.Random, question: Question) -> str:
    choices = ["yes", "no", "not_sure"] if question.not_sure else ["yes", "no"]
    weights = [0.3, 0.6, 0.1] if question.not_sure else [0.3, 0.7]
    return rng.choices(choices, weights)[0]


def _several(rng: random.Random, values: list[str], most: int = 3) -> list[str]:
    plain = [value for value in values if value not in EXCLUSIVE_OPTIONS]
    exclusive = [value for value in values if value in EXCLUSIVE_OPTIONS]
    if exclusive and rng.random() < 0.1:
        return [rng.choice(exclusive)]
    picked = set(rng.sample(plain, rng.randint(1, min(most, len(plain)))))
    return [value for value in plain if value in picked]  # in option order, as stored


def answer_for(rng: random.Random, question: Question, today: date) -> Any:
    """One plausible answer to `question`, encoded as the form stores it."""
    kind = question.type
    if kind == "yes_no":
        return _yes_no(rng, question)
    if kind in ("choice", "body_location"):
        values = [value for value, _label in question.choices]
        if question.multiple:
            return _several(rng, values)
        return rng.choice(values)
    if kind == "date":
        return past_date(rng, today)
    if kind == "number":
        low = int(question.minimum if question.minimum is not None else 0)
        high = int(question.maximum if question.maximum is not None else 100)
        return rng.randint(low, high)
    if kind == "blood_pressure":
        return f"{rng.randint(100, 190)}/{rng.randint(60, 115)}"
    return rng.choice(TEXTS)[:question.max_length]


def make_answers(rng: random.Random, rulebook: Rulebook, today: date,
                 conditions: Iterable[str] | None = None) -> dict[str, Any]:
    """One client's complete answers: Yes/Not sure to `conditions` (drawn if None)."""
    if conditions is None:
        conditions = pick_conditions(rng, rulebook, condition_count(rng))
    positive = set(conditions)
    answers: dict[str, Any] = {}
    for question in rulebook.questions.values():  # form order: follow-ups after their question
        if question.intake:  # intake details are optional and never screened: left out
            continue
        if question.parent is None:
            if question.id in positive:
                gate = ["yes", "not_sure"] if question.not_sure else ["yes"]
                answers[question.id] = rng.choices(gate, [0.85, 0.15][:len(gate)])[0]
            else:
                answers[question.id] = "no"
            continue
        if answers.get(question.parent) not in GATE:
            continue
        if question.ask_when is not None and not question.ask_when(answers, date.min):
            continue
        if not question.required and rng.random() < 0.5:
            continue
        answers[question.id] = answer_for(rng, question, today)
    return answers


def screening_date(rng: random.Random, today: date) -> date:
    """The date a screening is evaluated on: the appointment (usually within 2 weeks) or today."""
    return today + timedelta(days=rng.randint(0, 14)) if rng.random() < 0.7 else today


def answer_sets(rulebook: Rulebook, count: int, seed: int,
                today: date) -> list[tuple[dict[str, Any], date]]:
    """`count` (answers, screening date) pairs, each checked to be what the form stores."""
    rng = random.Random(seed)
    sets = []
    for _ in range(count):
        answers = make_answers(rng, rulebook, today)
        check(rulebook, answers, today)
        sets.append((answers, screening_date(rng, today)))
    return sets


def check(rulebook: Rulebook, answers: dict[str, Any], today: date) -> None:
    """Fail loudly if `answers` is not exactly a complete, valid, pruned form submission."""
    normalised, problems = normalise(rulebook, answers, today)
    if problems or normalised != answers:
        raise AssertionError(f"generated answers the form would not store: {problems}")
    unanswered = missing(rulebook, answers)
    if unanswered:
        raise AssertionError(f"generated answers miss {[q.id for q in unanswered]}")
