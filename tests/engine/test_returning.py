"""The pure logic behind "Has anything changed since last time?": which answers a
returning client may keep, each section's plan, the post made whole, and the changes
shown to the therapist. On the real rule book and on the small test one; no Flask."""

from datetime import date, timedelta

import pytest

from screening.answers import normalise
from screening.returning import (
    CHANGED,
    SAME,
    answer_changes,
    answer_items,
    asked_afresh,
    kept_answers,
    merged_post,
    outcome_move,
    plan,
    returning_since,
    section_questions,
)
from screening.rulebook import load_rulebook
from screening.rulebook.load_conditions import windowed_questions
from screening.rulebook.predicates import referenced_questions
from tests.engine.rulebook_builder import assert_reported, edit, problems_after, write_rulebook

TODAY = date(2026, 12, 2)
VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "large_raised",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}


def answers(rulebook, more=None):
    checked, problems = normalise(rulebook, {**{cid: "no" for cid in rulebook.conditions},
                                             **(more or {})}, TODAY)
    assert problems == {}
    return checked


def test_within_twelve_months_is_returning():
    assert returning_since(TODAY - timedelta(days=30), TODAY)
    assert returning_since(date(2025, 12, 2), TODAY)
    assert not returning_since(date(2025, 12, 1), TODAY)
    assert not returning_since(None, TODAY)
    assert not returning_since(TODAY + timedelta(days=1), TODAY)


def test_questions_about_today_and_their_follow_ups_are_never_kept(rulebook):
    last = answers(rulebook, {**VEINS, "fever_acute_illness": "yes", "temp_38": "no",
                              "illness_symptoms": ["cold_symptoms"],
                              "illness_last_symptom": TODAY.isoformat()})
    kept = kept_answers(rulebook, last, TODAY)
    assert "fever_acute_illness" not in kept and "temp_38" not in kept
    assert "illness_symptoms" not in kept, "a follow-up of a question asked afresh"
    assert "vv_symptoms_now" not in kept, "a red flag"
    assert kept["varicose_veins"] == "yes" and kept["vv_location"] == ["left_calf"]
    assert not any(asked_afresh(rulebook, rulebook.questions[qid]) for qid in kept)


def test_every_windowed_or_red_flag_question_of_the_real_rule_book_is_asked_afresh(rulebook):
    for rule in rulebook.rules:
        marked = windowed_questions(rule.when_data) | (
            referenced_questions(rule.when_data or {}) if rule.urgent else set())
        for qid in marked:
            assert asked_afresh(rulebook, rulebook.questions[qid]), (rule.id, qid)
    for section in rulebook.sections:
        if section.id == "today":
            assert all(asked_afresh(rulebook, rulebook.questions[qid])
                       for qid in section_questions(rulebook, section))


def test_a_retired_question_or_a_value_no_longer_valid_is_not_kept(rulebook):
    last = {**answers(rulebook, VEINS), "old_question": "yes", "vv_severity": "enormous"}
    kept = kept_answers(rulebook, last, TODAY)
    assert "old_question" not in kept
    assert "vv_severity" not in kept and "varicose_veins" not in kept, \
        "a condition whose kept answers are no longer whole is asked as new"
    assert kept["diabetes"] == "no"


def test_a_section_plan_shows_what_was_said_and_what_no_change_keeps(rulebook):
    kept = kept_answers(rulebook, answers(rulebook, VEINS), TODAY)
    plans = {item.id: item for item in plan(rulebook, kept)}
    assert not plans["today"].asks_about_change, "everything in it is asked afresh"
    circulation = plans["circulation"]
    assert circulation.asks_about_change
    said = dict(circulation.last_time)
    assert said["varicose_veins"] == "yes" and said["vv_location"] == ["left_calf"]
    assert "vv_symptoms_now" not in circulation.kept
    assert "vv_location" in circulation.kept


def test_no_change_puts_last_times_answers_in_place_of_what_was_posted(rulebook):
    kept = kept_answers(rulebook, answers(rulebook, VEINS), TODAY)
    plans = plan(rulebook, kept)
    posted = [("client_name", "Ann"), ("varicose_veins", "no"), ("vv_symptoms_now", "yes"),
              ("diabetes", "yes"), ("fever_acute_illness", "no")]
    choices = {item.id: SAME for item in plans}
    choices["other"] = CHANGED
    merged = merged_post(rulebook, posted, plans, choices, kept)
    assert ("varicose_veins", "yes") in merged and ("varicose_veins", "no") not in merged
    assert ("vv_location", "left_calf") in merged
    assert ("vv_symptoms_now", "yes") in merged, "asked afresh: as posted"
    assert ("diabetes", "yes") in merged, "a section that changed: as posted"
    assert ("client_name", "Ann") in merged and ("fever_acute_illness", "no") in merged


def test_answer_items_are_as_a_form_posts_them(rulebook):
    """Each answer as its type posts it: a list repeated, a date in ISO form, areas with
    their scores, a contact's parts in order (the intake details of issue 14)."""
    assert answer_items(rulebook, {
        "vv_location": ["left_calf", "right_calf"], "surgery_date": date(2026, 1, 2),
        "pain_areas": {"lower_back": 6, "right_shoulder": None},
        "doctor": {"name": "Dr A Patel", "phone": "0123 456"}, "visit_goals": None}) == [
        ("vv_location", "left_calf"), ("vv_location", "right_calf"),
        ("surgery_date", "2026-01-02"),
        ("pain_areas", "lower_back"), ("pain_areas", "right_shoulder"),
        ("pain_areas", "lower_back:6"),
        ("doctor", "Dr A Patel"), ("doctor", ""), ("doctor", "0123 456"), ("doctor", "")]


def test_changes_are_listed_answer_by_answer_by_section(rulebook):
    both = ["left_calf", "right_calf"]
    before = {**answers(rulebook, {**VEINS, "vv_location": both}), "old_question": "yes"}
    after = answers(rulebook, {**VEINS, "vv_location": both[::-1]})
    changes = dict(answer_changes(rulebook, before, after))
    assert "Heart, blood pressure and circulation" not in changes, "same areas, other order"
    [retired] = changes["No longer asked"]
    assert (retired.question_id, retired.question, retired.before) == ("old_question", None, "yes")
    moved = dict(answer_changes(rulebook, before, {**after, "vv_location": ["right_calf"]}))
    [change] = moved["Heart, blood pressure and circulation"]
    assert (change.question_id, change.before, change.after) == \
        ("vv_location", both, ["right_calf"])
    assert answer_changes(rulebook, after, after) == []


@pytest.mark.parametrize(("before", "after", "move"), [
    ("clear", "postpone", "more restrictive"), ("local", "caution", "less restrictive"),
    ("caution", "caution", "the same")])
def test_how_the_outcome_moved(before, after, move):
    assert outcome_move(before, after) == move


# --- the rule book marks what is asked afresh, and the loader checks it ------------------


def test_a_windowed_rules_question_must_be_marked(tmp_path):
    problems = problems_after(tmp_path, ("conditions/recent_surgery.yaml",
                                         "  - id: surgery_date\n    ask_afresh: true\n",
                                         "  - id: surgery_date\n"))
    assert_reported(problems, "recent_surgery.yaml", "question 'surgery_date'",
                    "tested over a time window by rule 'recent_surgery_minor_healed'",
                    "ask_afresh: true")


def test_a_red_flag_question_must_be_marked(tmp_path):
    problems = problems_after(tmp_path, ("conditions/varicose_veins.yaml",
                                         "  - id: vv_symptoms_now\n    ask_afresh: true\n",
                                         "  - id: vv_symptoms_now\n"))
    assert_reported(problems, "varicose_veins.yaml", "question 'vv_symptoms_now'",
                    "is a red flag (urgent rule", "ask_afresh: true")


def test_ask_afresh_is_true_or_false(tmp_path):
    problems = problems_after(tmp_path, ("conditions/recent_surgery.yaml",
                                         "  - id: surgery_date\n    ask_afresh: true\n",
                                         "  - id: surgery_date\n    ask_afresh: sometimes\n"))
    assert_reported(problems, "recent_surgery.yaml", "surgery_date", "ask_afresh")


def test_any_question_may_be_marked(tmp_path):
    write_rulebook(tmp_path)
    edit(tmp_path / "conditions/osteoporosis.yaml", "questions:\n  - id: osteoporosis\n",
         "questions:\n  - id: osteoporosis\n    ask_afresh: true\n")
    rulebook = load_rulebook(tmp_path)
    assert rulebook.questions["osteoporosis"].ask_afresh
    assert asked_afresh(rulebook, rulebook.questions["spine_changes"])
