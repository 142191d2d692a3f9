"""Red-flag answers are found from the rule book's urgent rules, never listed by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from screening.engine import evaluate
from screening.red_flags import red_flag_answered, red_flags


def test_the_clot_questions_and_their_answers_are_red_flags(rulebook):
    flags = red_flags(rulebook)
    assert flags["dvt_suspected"] == ("yes", "not_sure")
    assert flags["pe_symptoms"] == ("yes",)
    assert "varicose_veins" not in flags and "clot_diagnosed_now" not in flags


def test_every_red_flag_answer_alone_gives_an_urgent_result(rulebook):
    for question_id, values in red_flags(rulebook).items():
        question = rulebook.questions[question_id]
        answers = {question.condition: "yes"}
        parent = question.parent
        while parent:
            answers[parent] = "yes"
            parent = rulebook.questions[parent].parent
        for value in values:
            result = evaluate(rulebook, {**answers, question_id: value}, date.today())
            assert result.urgent, (question_id, value)


def test_a_rule_made_not_urgent_is_no_longer_a_red_flag(rulebook):
    condition = rulebook.conditions["dvt_suspected"]
    calmer = replace(condition, rules=tuple(replace(rule, urgent=False)
                                            for rule in condition.rules))
    edited = replace(rulebook, conditions={**rulebook.conditions, "dvt_suspected": calmer})
    assert "dvt_suspected" not in red_flags(edited)
    assert "pe_symptoms" not in red_flags(edited)
    assert "chest_pain_now" in red_flags(edited)


def test_answers_with_a_red_flag_are_told_apart(rulebook):
    assert red_flag_answered(rulebook, {"dvt_suspected": "not_sure"})
    assert not red_flag_answered(rulebook, {"dvt_suspected": "no", "varicose_veins": "yes"})
