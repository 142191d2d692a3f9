"""The questionnaire in Spanish in a real browser: axe-core finds nothing, and the language
switch, reached and pressed with the keyboard mid-form, keeps every answer."""

from tests.browser.harness import axe_report, axe_violations


def test_spanish_questionnaire_switched_to_english_by_keyboard_keeps_the_answers(open_page):
    visitor = open_page()
    page = visitor.page
    visitor.goto("/?lang=es")  # the start page's switch: remembered for the session
    visitor.goto("/questionnaire")
    assert visitor.h1() == "Preguntas de salud antes de su masaje"
    assert page.get_attribute("html", "lang") == "es"
    violations = axe_violations(page)
    assert violations == [], axe_report(violations, "the Spanish questionnaire")

    page.fill("#client_name", "Ana Ejemplo")
    page.check('input[name="varicose_veins"][value="yes"]')
    page.check('input[name="vv_location"][value="left_calf"]')
    page.keyboard.press("Control+Home")
    page.focus("a.skip-link")
    for _ in range(5):  # skip link, the clinic's name, then the switch
        if visitor.focused()["text"] == "English":
            break
        page.keyboard.press("Tab")
    assert visitor.focused()["text"] == "English"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert visitor.h1() == "Health questions before your massage"
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.input_value("#client_name") == "Ana Ejemplo"
    assert page.is_checked('input[name="varicose_veins"][value="yes"]')
    assert page.is_visible('input[name="vv_location"][value="left_calf"]')
    assert page.is_checked('input[name="vv_location"][value="left_calf"]')
    assert page.locator(".error-summary").count() == 0

    # Enter in a text box goes on with the form (its errors shown), not to the switch.
    page.focus("#client_name")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.locator(".error-summary").count() == 1
