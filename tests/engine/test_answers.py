"""Answers: checking and normalising values, which questions are asked, which are missing.

Uses the small rule book of rulebook_builder. No Flask.
"""

from datetime import date

import pytest

from screening.answers import AnswerError, asked, check_value, missing, normalise, prune
from screening.rulebook import Question
from tests.engine.rulebook_builder import all_no, build_rulebook

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def rulebook(tmp_path_factory):
    return build_rulebook(tmp_path_factory.mktemp("rules"))


def ids(questions):
    return [question.id for question in questions]


# --- normalise: problems ------------------------------------------------------------------


def test_valid_answers_have_no_problems(rulebook):
    answers, problems = normalise(rulebook, all_no(rulebook), TODAY)
    assert problems == {}
    assert answers == all_no(rulebook)


def test_unknown_question_ids_are_reported(rulebook):
    _answers, problems = normalise(rulebook, {**all_no(rulebook), "vv_locaton": ["left_calf"],
                                              "nope": "yes"}, TODAY)
    assert problems == {"vv_locaton": "unknown question id", "nope": "unknown question id"}


@pytest.mark.parametrize(("qid", "value", "message"), [
    ("varicose_veins", "maybe",
     "'maybe' is not an answer about varicose veins (choose one of: yes, no, not_sure)"),
    ("varicose_veins", True, "True is not an answer about varicose veins"),
    ("varicose_veins", "Yes", "'Yes' is not an answer about varicose veins"),
    ("vv_symptoms_now", "not_sure",
     "'not_sure' is not an answer about painful, hot, red or swollen veins (choose one of: "
     "yes, no)"),
    ("vv_severity", "huge", "'huge' is not an answer about how large your varicose veins are"),
    ("vv_severity", ["small_flat"], "is not an answer about how large your varicose veins are"),
    ("vv_location", ["left_calf", "knee"],
     "'knee' is not an option for where your varicose veins are"),
    ("vv_location", "knee", "'knee' is not an option for where your varicose veins are"),
    ("bp_symptoms", ["fever"], "'fever' is not an option for symptoms today"),
    ("surgery_date", "2026-02-30",
     "Enter the date of the operation as a real date, for example"),
    ("surgery_date", "30/01/2026", "Enter the date of the operation as a real date"),
    ("surgery_date", "20260130", "Enter the date of the operation as a real date"),
    ("surgery_date", "2026-01-30T10:00", "Enter the date of the operation as a real date"),
    ("surgery_date", 20260130, "Enter the date of the operation as a real date"),
    ("surgery_date", "2026-06-02", "The date of the operation must be today or in the past"),
    ("surgery_date", "1899-12-31", "The date of the operation must be after 1900"),
    ("bp_medicines", "2", "Enter how many blood pressure medicines you take as a number"),
    ("bp_medicines", True, "Enter how many blood pressure medicines you take as a number"),
    ("bp_medicines", float("nan"), "as a number"),
    ("bp_medicines", float("inf"), "as a number"),
    ("bp_medicines", 21,
     "Enter how many blood pressure medicines you take as a number from 0 to 20"),
    ("bp_medicines", -1, "as a number from 0 to 20"),
    ("implants", "x" * 51, "Keep implants to 50 characters or fewer (you have 51)"),
    ("implants", 42, "Enter implants as text"),
    ("bp_reading", "120-80",
     "Enter your last blood pressure reading as two numbers, for example 135/85"),
    ("bp_reading", "120/80/60", "Enter your last blood pressure reading as two numbers"),
    ("bp_reading", "310/80", "Enter your last blood pressure reading as two numbers"),
    ("bp_reading", "120/20", "Enter your last blood pressure reading as two numbers"),
    ("bp_reading", 120, "Enter your last blood pressure reading as two numbers"),
])
def test_invalid_value_is_reported_with_a_message_naming_the_question(rulebook, qid, value,
                                                                       message):
    raw = {**all_no(rulebook), "varicose_veins": "yes", "recent_surgery": "yes",
           "high_blood_pressure": "yes", qid: value}
    answers, problems = normalise(rulebook, raw, TODAY)
    assert list(problems) == [qid]
    assert message in problems[qid]
    assert qid not in answers


def test_huge_integer_is_out_of_range(rulebook):
    _answers, problems = normalise(rulebook, {"high_blood_pressure": "yes",
                                              "bp_medicines": 10 ** 400}, TODAY)
    assert "as a number from 0 to 20" in problems["bp_medicines"]


def test_huge_integer_without_bounds_is_reported_not_raised():
    question = Question(id="count", condition="c", text="How many?", short="the count",
                        type="number")
    with pytest.raises(AnswerError, match="the count"):
        check_value(question, 10 ** 400, TODAY)


def test_every_problem_is_reported_and_valid_answers_kept(rulebook):
    raw = {**all_no(rulebook), "recent_surgery": "yes", "surgery_date": "2026-02-30",
           "implants": "x" * 60, "major_surgery": "no", "what": "yes"}
    answers, problems = normalise(rulebook, raw, TODAY)
    assert set(problems) == {"surgery_date", "implants", "what"}
    assert answers["major_surgery"] == "no"


@pytest.mark.parametrize(("qid", "value"), [
    ("surgery_date", "2026-06-01"),  # today
    ("surgery_date", "1900-01-01"),
    ("bp_medicines", 0),
    ("bp_medicines", 20),
    ("implants", "x" * 50),
    ("bp_reading", "60/30"),
    ("bp_reading", "300/200"),
    ("vv_symptoms_now", "no"),
])
def test_edge_values_are_accepted(rulebook, qid, value):
    raw = {"varicose_veins": "yes", "recent_surgery": "yes", "high_blood_pressure": "yes",
           qid: value}
    answers, problems = normalise(rulebook, raw, TODAY)
    assert problems == {}
    assert answers[qid] == value


@pytest.mark.parametrize("empty", ["", [], None])
def test_empty_answers_are_dropped_without_a_problem(rulebook, empty):
    raw = {"varicose_veins": "yes", "vv_location": empty, "vv_severity": empty}
    answers, problems = normalise(rulebook, raw, TODAY)
    assert problems == {}
    assert answers == {"varicose_veins": "yes"}


# --- normalise: values --------------------------------------------------------------------


@pytest.mark.parametrize(("qid", "value", "stored"), [
    ("vv_location", ["right_calf", "left_calf", "right_calf"], ["left_calf", "right_calf"]),
    ("vv_location", "left_calf", ["left_calf"]),
    ("bp_symptoms", ["chest_pain", "headache"], ["headache", "chest_pain"]),
    ("implants", "  a plate in my left wrist \n", "a plate in my left wrist"),
    ("bp_reading", "120 / 80", "120/80"),
    ("bp_reading", " 135/85 ", "135/85"),
    ("bp_medicines", 2.0, 2),
    ("bp_medicines", 1.5, 1.5),
    ("surgery_date", "2026-01-30", "2026-01-30"),
])
def test_values_are_normalised(rulebook, qid, value, stored):
    raw = {"varicose_veins": "yes", "recent_surgery": "yes", "high_blood_pressure": "yes",
           qid: value}
    answers, problems = normalise(rulebook, raw, TODAY)
    assert problems == {}
    assert answers[qid] == stored
    assert type(answers[qid]) is type(stored)


def test_check_value_works_on_one_question(rulebook):
    question = rulebook.questions["vv_severity"]
    assert check_value(question, "large_raised", TODAY) == "large_raised"


# --- hidden follow-ups --------------------------------------------------------------------


def test_follow_ups_of_a_no_are_dropped(rulebook):
    raw = {**all_no(rulebook), "vv_location": ["left_calf"], "vv_symptoms_now": "yes"}
    answers, problems = normalise(rulebook, raw, TODAY)
    assert problems == {}
    assert answers == all_no(rulebook)


def test_follow_ups_without_their_main_answer_are_dropped(rulebook):
    answers, _problems = normalise(rulebook, {"vv_symptoms_now": "yes"}, TODAY)
    assert answers == {}


def test_follow_ups_of_not_sure_are_kept(rulebook):
    raw = {"varicose_veins": "not_sure", "vv_symptoms_now": "yes"}
    assert normalise(rulebook, raw, TODAY)[0] == raw


def test_ask_when_follow_up_dropped_until_its_trigger_is_answered(rulebook):
    raw = {"osteoporosis": "yes", "painful_areas_diagnosed": "no"}
    assert prune(rulebook, raw) == {"osteoporosis": "yes"}
    raw["painful_areas"] = ["lower_back"]
    assert prune(rulebook, raw) == raw


# --- asked and missing --------------------------------------------------------------------


def test_asked_with_all_no_is_the_main_questions_in_form_order(rulebook):
    assert ids(asked(rulebook, all_no(rulebook))) == list(rulebook.conditions)


def test_asked_with_no_answers_is_the_main_questions(rulebook):
    assert ids(asked(rulebook, {})) == list(rulebook.conditions)


def test_asked_includes_follow_ups_of_yes_in_order(rulebook):
    shown = ids(asked(rulebook, {**all_no(rulebook), "varicose_veins": "yes"}))
    assert shown[-4:] == ["varicose_veins", "vv_location", "vv_severity", "vv_symptoms_now"]


def test_asked_follows_ask_when(rulebook):
    base = {**all_no(rulebook), "osteoporosis": "yes"}
    assert "painful_areas_diagnosed" not in ids(asked(rulebook, base))
    shown = ids(asked(rulebook, {**base, "painful_areas": ["left_hip"]}))
    assert shown[shown.index("painful_areas") + 1] == "painful_areas_diagnosed"


def test_missing_with_no_answers_is_every_main_question(rulebook):
    assert ids(missing(rulebook, {})) == list(rulebook.conditions)


def test_missing_with_all_no_is_nothing(rulebook):
    assert missing(rulebook, all_no(rulebook)) == []


def test_missing_lists_required_follow_ups_only(rulebook):
    answers = {**all_no(rulebook), "recent_surgery": "yes", "surgery_date": "2026-01-30"}
    assert ids(missing(rulebook, answers)) == ["surgery_where", "major_surgery", "wound_healed",
                                               "leg_symptoms_since"]  # not the optional implants


def test_missing_includes_an_ask_when_question_once_shown(rulebook):
    answers = {**all_no(rulebook), "high_blood_pressure": "yes", "bp_medicines": 1,
               "bp_symptoms": ["none"]}
    assert missing(rulebook, answers) == []
    answers["bp_reading"] = "150/95"
    assert ids(missing(rulebook, answers)) == ["bp_checked_on"]


def test_an_empty_answer_counts_as_missing(rulebook):
    answers = {**all_no(rulebook), "osteoporosis": "yes", "spine_changes": "no",
               "long_term_steroids": "no", "painful_areas": []}
    assert missing(rulebook, answers) == []
    answers["long_term_steroids"] = ""
    assert ids(missing(rulebook, answers)) == ["long_term_steroids"]
