"""Red-flag answers: the urgent advice appears beside the answer at once (a tap at phone
width, with JavaScript), and without JavaScript at the top of the next page the server sends."""

from __future__ import annotations

from tests.browser.harness import PHONE, axe_report, axe_violations

ADVICE = ".urgent-now[data-red-flag-of='{}'] .urgent"


def tap(client, question_id, value):
    client.page.locator(f'input[name="{question_id}"][value="{value}"]').tap()


def test_the_clot_client_is_told_to_get_help_before_the_next_question(open_page, rulebook):
    client = open_page(viewport=PHONE, has_touch=True, is_mobile=True)
    client.goto("/questionnaire")
    region = client.page.locator("[data-red-flag-of='dvt_suspected']")
    assert region.get_attribute("aria-live") == "assertive"
    assert client.page.locator(ADVICE.format("dvt_suspected")).count() == 0

    tap(client, "dvt_suspected", "yes")
    advice = client.page.locator(ADVICE.format("dvt_suspected"))
    advice.wait_for()
    text = advice.inner_text()
    assert "Stop: get medical help now" in text
    assert rulebook.urgent["text"].split(".")[0] in text
    assert "you can still finish this form and send it, so the clinic" in text.replace("\n", " ")
    # beside the answer: above the follow-up it opened, the next question asked
    follow_up = client.page.locator("input[name='pe_symptoms']").first
    assert follow_up.is_visible()
    assert advice.bounding_box()["y"] < follow_up.bounding_box()["y"]
    assert advice.is_visible()

    tap(client, "pe_symptoms", "yes")  # the follow-up is a red flag of its own too
    client.page.locator(ADVICE.format("pe_symptoms")).wait_for()
    violations = axe_violations(client.page)
    assert not violations, axe_report(violations, "questionnaire with urgent advice shown")

    tap(client, "dvt_suspected", "no")  # changed their mind: the advice goes
    assert client.page.locator(ADVICE.format("dvt_suspected")).count() == 0
    assert client.page.locator(".urgent-now .urgent").count() == 0


def test_a_non_red_flag_answer_shows_no_advice(visitor):
    visitor.goto("/questionnaire")
    visitor.answer({"varicose_veins": "yes", "dvt_suspected": "no"})
    assert visitor.page.locator(".urgent-now .urgent").count() == 0


def test_without_javascript_the_next_page_says_it_at_the_top(open_page):
    client = open_page(java_script_enabled=False)
    client.goto("/questionnaire")
    client.fill_details()
    for question_id in client.main_questions():
        client.page.check(f'input[name="{question_id}"][value="no"]')
    client.page.check('input[name="dvt_suspected"][value="yes"]')
    client.press_continue()
    # the questionnaire again, for the follow-ups: the advice first
    top = client.page.locator("main .urgent-top").first
    assert "Stop: get medical help now" in top.inner_text()
    first = client.page.locator("main h1, main .urgent-top").first
    assert "urgent-top" in first.get_attribute("class")
    # (axe-core needs JavaScript: the same block on the check page is checked below)


def test_the_check_page_says_it_at_the_top(visitor):
    visitor.to_check_page({"dvt_suspected": "yes", "pe_symptoms": "no",
                           "clot_diagnosed_now": "no", "clot_risk_factors": ["none"]})
    top = visitor.page.locator("main .urgent-top")
    assert "Stop: get medical help now" in top.inner_text()
    assert visitor.page.get_by_role("button", name="Send my answers").is_visible()
    violations = axe_violations(visitor.page)
    assert not violations, axe_report(violations, "check page with urgent advice")
