"""The client side in Spanish in a real browser: axe-core finds nothing in either language
(the questionnaire, its errors, the result, the doctor's letter), the language switch,
reached and pressed with the keyboard mid-form, keeps every answer both ways, and the
printed result is in the language the client answered in."""

from tests.browser.client import OUTCOME_CASES
from tests.browser.harness import axe_report, axe_violations
from tests.browser.test_browser_print import printed
from tests.web.helpers import URGENT_CHECK


def no_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], axe_report(violations, where)


def switch_by_keyboard(visitor, to: str) -> None:
    """Tab from the skip link to the switch offering `to`, press Enter, wait for the page."""
    page = visitor.page
    page.keyboard.press("Control+Home")
    page.focus("a.skip-link")
    for _ in range(5):  # skip link, the clinic's name, then the switch
        if visitor.focused()["text"] == to:
            break
        page.keyboard.press("Tab")
    assert visitor.focused()["text"] == to
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_spanish_questionnaire_switched_to_english_by_keyboard_keeps_the_answers(open_page):
    visitor = open_page()
    page = visitor.page
    visitor.goto("/?lang=es")  # the start page's switch: remembered for the session
    visitor.goto("/questionnaire")
    assert visitor.h1() == "Preguntas de salud antes de su masaje"
    assert page.get_attribute("html", "lang") == "es"
    no_violations(page, "the Spanish questionnaire")

    page.fill("#client_name", "Ana Ejemplo")
    page.check('input[name="varicose_veins"][value="yes"]')
    page.check('input[name="vv_location"][value="left_calf"]')
    switch_by_keyboard(visitor, "English")

    assert visitor.h1() == "Health questions before your massage"
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.input_value("#client_name") == "Ana Ejemplo"
    assert page.is_checked('input[name="varicose_veins"][value="yes"]')
    assert page.is_visible('input[name="vv_location"][value="left_calf"]')
    assert page.is_checked('input[name="vv_location"][value="left_calf"]')
    assert page.locator(".error-summary").count() == 0
    no_violations(page, "the English questionnaire")

    switch_by_keyboard(visitor, "Español")  # and back: still every answer
    assert page.get_attribute("html", "lang") == "es"
    assert page.input_value("#client_name") == "Ana Ejemplo"
    assert page.is_checked('input[name="vv_location"][value="left_calf"]')
    switch_by_keyboard(visitor, "English")

    # Enter in a text box goes on with the form (its errors shown), not to the switch.
    page.focus("#client_name")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.locator(".error-summary").count() == 1


def test_spanish_errors_result_and_letter_pass_axe_and_print_in_spanish(open_page, live):
    visitor = open_page()
    page = visitor.page
    visitor.goto("/?lang=es")
    visitor.goto("/questionnaire")
    page.get_by_role("button", name="Continuar", exact=True).click()  # nothing filled in
    assert page.locator(".error-summary h2").inner_text() == "Hay un problema"
    no_violations(page, "the Spanish questionnaire's errors")

    answers = {**OUTCOME_CASES["medical_clearance"], **URGENT_CHECK}
    result = live.seed(answers, opened_first="/?lang=es", client_name="Ana Ejemplo")
    english_browser = open_page()
    english_browser.goto(result)  # their link, opened elsewhere: still their language
    shown = english_browser.page
    assert shown.get_attribute("html", "lang") == "es"
    assert shown.locator("#urgent-title").inner_text().endswith("Busque ayuda médica ahora")
    no_violations(shown, "the Spanish result")
    [sheet, *_rest] = printed(shown, "A4")
    assert "Busque ayuda médica ahora" in sheet and "Your massage" not in sheet
    english_browser.goto(f"{result}/doctor-letter")
    assert shown.locator("article.letter").get_attribute("lang") == "es"
    no_violations(shown, "the doctor's letter in Spanish")
