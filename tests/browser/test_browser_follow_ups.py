"""Follow-up questions: shown for Yes / Not sure, hidden again for No, never sent while hidden;
and the same form with JavaScript turned off, where the server asks for them instead."""

from __future__ import annotations

from tests.browser.client import OUTCOME_CASES

VARICOSE_FOLLOW_UPS = ["vv_location", "vv_severity", "vv_symptoms_now", "vv_clot_history"]


def box(client, question_id):
    """The follow-up's container (the element the script shows and hides)."""
    return client.page.locator(f".conditional:has([name='{question_id}'])")


def follow_ups_shown(client, parent) -> list[bool]:
    """For each follow-up of `parent`: visible and every control enabled?"""
    return client.page.eval_on_selector_all(
        f".conditional[data-follow-up-of='{parent}']",
        """boxes => boxes.map(b => !b.hidden && b.offsetParent !== null
            && [...b.querySelectorAll('input, textarea, select')].every(c => !c.disabled))""")


def follow_ups_hidden(client, parent) -> list[bool]:
    """For each follow-up of `parent`: hidden and every control disabled?"""
    return client.page.eval_on_selector_all(
        f".conditional[data-follow-up-of='{parent}']",
        """boxes => boxes.map(b => b.hidden && b.offsetParent === null
            && [...b.querySelectorAll('input, textarea, select')].every(c => c.disabled))""")


def test_follow_ups_open_on_yes_and_not_sure_and_close_on_no(visitor, rulebook):
    visitor.goto("/questionnaire")
    count = len([q for q in rulebook.questions.values() if q.parent == "varicose_veins"])
    assert count == len(VARICOSE_FOLLOW_UPS)
    assert follow_ups_hidden(visitor, "varicose_veins") == [True] * count

    visitor.answer({"varicose_veins": "yes"})
    assert follow_ups_shown(visitor, "varicose_veins") == [True] * count
    visitor.answer({"varicose_veins": "no"})
    assert follow_ups_hidden(visitor, "varicose_veins") == [True] * count
    visitor.answer({"varicose_veins": "not_sure"})
    assert follow_ups_shown(visitor, "varicose_veins") == [True] * count
    # other conditions' follow-ups are untouched
    surgery = len([q for q in rulebook.questions.values() if q.parent == "recent_surgery"])
    assert surgery > 0
    assert follow_ups_hidden(visitor, "recent_surgery") == [True] * surgery


def test_follow_up_asked_only_for_the_matching_answer(visitor):
    """A follow-up's own condition (data-ask-when): weeks only if pregnant, etc."""
    visitor.goto("/questionnaire")
    visitor.answer({"pregnancy": "yes"})
    assert box(visitor, "preg_status").is_visible()
    assert box(visitor, "preg_weeks").is_hidden()
    assert box(visitor, "preg_postpartum").is_hidden()
    visitor.answer({"preg_status": "pregnant"})
    assert box(visitor, "preg_weeks").is_visible()
    assert visitor.page.is_enabled("#preg_weeks")
    visitor.answer({"preg_status": "given_birth"})
    assert box(visitor, "preg_weeks").is_hidden()
    assert visitor.page.is_disabled("#preg_weeks")
    assert box(visitor, "preg_postpartum").is_visible()
    visitor.answer({"pregnancy": "no"})
    assert visitor.page.locator(".conditional[data-follow-up-of='pregnancy']:visible").count() == 0


def test_answers_to_hidden_follow_ups_are_not_sent(visitor, live, rulebook):
    visitor.goto("/questionnaire")
    visitor.fill_details()
    visitor.answer_all_no()
    visitor.answer(OUTCOME_CASES["local"])  # varicose veins: every follow-up answered
    visitor.answer({"pregnancy": "yes", "preg_status": "pregnant", "preg_weeks": "20"})
    visitor.answer({"varicose_veins": "no", "pregnancy": "no"})  # changed their mind
    assert follow_ups_hidden(visitor, "varicose_veins") == [True] * len(VARICOSE_FOLLOW_UPS)

    with visitor.page.expect_request("**/questionnaire") as posted:
        visitor.press_continue()
    sent = posted.value.post_data
    for question_id in [*VARICOSE_FOLLOW_UPS, "preg_status", "preg_weeks"]:
        assert f"{question_id}=" not in sent, question_id
    assert visitor.h1() == "Check your answers before sending them"
    check_text = visitor.page.locator("main").inner_text()
    assert rulebook.questions["vv_severity"].text not in check_text

    key = visitor.send()
    assert visitor.outcome_title() == rulebook.outcomes["clear"]["title"]
    screening = live.screening(key)
    assert screening.answers == {question_id: "no" for question_id in visitor.main_questions()}
    assert screening.findings == [] and screening.body_areas == []


def test_the_form_works_without_javascript(open_page, live, rulebook):
    visitor = open_page(java_script_enabled=False)
    visitor.goto("/questionnaire")
    assert follow_ups_hidden(visitor, "varicose_veins") == [True] * len(VARICOSE_FOLLOW_UPS)
    visitor.fill_quickly()
    visitor.page.check("input[name='varicose_veins'][value='yes']")
    # without the script, nothing opens until the form is sent
    assert follow_ups_hidden(visitor, "varicose_veins") == [True] * len(VARICOSE_FOLLOW_UPS)
    visitor.press_continue()

    # the server asks for the follow-ups, and shows them, calmly: nothing was wrong
    assert not visitor.page.title().startswith("Error:")
    assert visitor.page.locator(".error-summary__title").inner_text() == \
        "A few more questions about your answers"
    assert visitor.h1() == "Health questions before your massage"
    links = visitor.page.eval_on_selector_all(".error-summary a",
                                              "links => links.map(a => a.getAttribute('href'))")
    required = [q for q in VARICOSE_FOLLOW_UPS if rulebook.questions[q].required]
    assert required and all(any(link.startswith(f"#{q}") for link in links) for q in required)
    assert follow_ups_shown(visitor, "varicose_veins") == [True] * len(VARICOSE_FOLLOW_UPS)
    assert visitor.page.is_checked("input[name='varicose_veins'][value='yes']")
    assert visitor.page.input_value("#client_name") == "Ann Example"

    answers = {k: v for k, v in OUTCOME_CASES["local"].items() if k != "varicose_veins"}
    visitor.answer(answers)
    visitor.press_continue()
    assert visitor.h1() == "Check your answers before sending them", visitor.error_messages()
    key = visitor.send()
    assert visitor.outcome_title() == rulebook.outcomes["local"]["title"]
    assert live.screening(key).answers["vv_location"] == ["left_calf", "right_calf"]
