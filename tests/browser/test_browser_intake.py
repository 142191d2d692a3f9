"""The intake details in a real browser, as a new client would give them: lower back and right
shoulder picked on the map by tapping at phone width (and, in a second run, by keyboard
alone), a pain score, firm pressure and their doctor; then the therapist's printed A4 record
shows the chart with those areas and the areas to avoid, on one page, black on white. Also
without JavaScript (the score lists show beside the ticked areas by CSS alone), and axe-core
on each page (with an error to correct too)."""

from __future__ import annotations

import pytest

from tests.browser.client import OUTCOME_CASES, Client
from tests.browser.harness import NARROW, axe_report, axe_violations
from tests.browser.test_browser_body_map import drawn_as, tap, ticked
from tests.browser.test_browser_keyboard import Keyboard, sign_and_send, start_and_fill_details
from tests.browser.test_browser_pages import OVERFLOW
from tests.browser.test_browser_print import PRINTED_TEXT, printed, wait_for_print_styles
from tests.browser.test_browser_review import DESKTOP, PASSWORD, sign_in
from tests.factories import add_therapist

PICKED = ["lower_back", "right_shoulder"]
#: The varicose veins in both calves: the areas to avoid, from the findings.
VEINS = OUTCOME_CASES["local"]
DOCTOR = {"name": "Dr A Patel", "practice": "Riverside Surgery"}
PAIN_SHOWN = "Lower back (pain score 6 of 10), Right shoulder"


def no_violations(client: Client, where: str) -> None:
    violations = axe_violations(client.page)
    if violations:
        pytest.fail(axe_report(violations, where), pytrace=False)


def score_list(client: Client, region: str):
    return client.page.locator(f"select[name=pain_areas]:has(option[value='{region}:0'])")


def give_a_wrong_emergency_phone(client: Client) -> None:
    """Name an emergency contact with a phone number that is not one, and press Continue:
    the message is the only one in the summary."""
    client.page.locator("#emergency_contact-name").fill("Sam Example")
    client.page.locator("#emergency_contact-phone").fill("call me")
    client.press_continue()
    assert client.error_messages() == [
        "Enter the phone number of your emergency contact like 07700 900 982 or "
        "+44 7700 900982"]


@pytest.fixture
def phone(open_page):
    return open_page(viewport={"width": NARROW["width"], "height": 740}, has_touch=True,
                     is_mobile=True)


@pytest.fixture(scope="module")
def account(live):
    add_therapist(live.app, password=PASSWORD)


@pytest.fixture
def therapist(account, open_page):
    client = open_page(viewport=DESKTOP)
    sign_in(client)
    return client


def assert_stored(live, key: str, outcome: str = "local") -> int:
    screening = live.screening(key)
    assert screening.answers["pain_areas"] == {"lower_back": 6, "right_shoulder": None}
    assert screening.answers["pressure"] == "firm"
    assert screening.answers["doctor"] == DOCTOR
    assert screening.outcome == outcome  # the veins or nothing: the intake changes nothing
    return screening.id


def assert_printed_record(therapist: Client, screening_id: int, rulebook) -> None:
    """The therapist's record, printed on A4: one page with the chart (areas to avoid, the
    client's focus and pain areas, each kind in its own pattern) and the intake details,
    all text black on white."""
    therapist.goto(f"/review/screenings/{screening_id}")
    no_violations(therapist, "the screening page with the intake details")
    [page] = printed(therapist.page, "A4")
    for expected in ("Body chart", "Avoid or treat gently", "Left calf or shin, Right calf or "
                     "shin", "Focus on, or painful", PAIN_SHOWN, "Pressure: Firm",
                     "Doctor: Dr A Patel, Riverside Surgery", "Page 1 of 1"):
        assert expected in page, expected
    browser = therapist.page
    wait_for_print_styles(browser)
    browser.emulate_media(media="print")
    assert browser.locator(".body-chart__figures").is_visible()
    assert browser.locator(".intake-summary").is_visible()
    texts = [text for text in browser.evaluate(PRINTED_TEXT)
             if text["element"].startswith(("dt", "dd", "h2"))]
    assert texts and all(text["color"] == "rgb(0, 0, 0)" for text in texts), texts
    assert all(text["points"] >= 9.99 for text in texts), texts
    drawn = browser.eval_on_selector_all(
        '.body-chart__svg path[fill^="url("]',
        "paths => paths.map((path) => [path.getAttribute('d'), path.getAttribute('fill')])")
    for region, kind in (("lower_back", "focus"), ("right_shoulder", "focus"),
                         ("left_calf", "avoid")):
        shapes = {shape.d for view in rulebook.body_map.views for shape in view.shapes
                  if shape.region == region}
        assert any(d in shapes and fill.endswith(f"-{kind})") for d, fill in drawn), (region,
                                                                                     kind)
    # A pattern per kind (hatched, cross-hatched, dotted): told apart without colour.
    tiles = browser.evaluate("""() => [...new Set([...document.querySelectorAll(
        '.body-chart__figures pattern')].map((p) => p.querySelector('g').innerHTML))]""")
    assert len(tiles) == 2  # avoid and focus on this record
    browser.emulate_media(media=None)


def test_a_client_taps_their_areas_on_a_phone_and_the_therapist_prints_them(
        phone, therapist, live, rulebook):
    phone.goto("/questionnaire")
    phone.fill_quickly(VEINS)
    for region in [*PICKED, "neck", "neck"]:  # the neck: a slip, tapped off again
        tap(phone, "pain_areas", region)
    assert ticked(phone, "pain_areas") == drawn_as(phone, "pain_areas") == PICKED
    assert score_list(phone, "lower_back").is_visible()
    assert not score_list(phone, "neck").is_visible()  # only ticked areas have a score
    score_list(phone, "lower_back").select_option("lower_back:6")
    phone.page.locator("input[name=pressure][value=firm]").tap()
    phone.page.get_by_label("Name", exact=True).first.fill(DOCTOR["name"])
    phone.page.locator("#doctor-practice").fill(DOCTOR["practice"])
    found = phone.page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= found["width"], found["wide"]
    no_violations(phone, "the questionnaire with the intake details filled in")
    give_a_wrong_emergency_phone(phone)
    no_violations(phone, "the questionnaire with an emergency contact to correct")
    assert ticked(phone, "pain_areas") == drawn_as(phone, "pain_areas") == PICKED
    phone.page.locator("#emergency_contact-phone").fill("07700 900123")
    phone.press_continue()
    assert phone.h1() == "Check your answers before sending them", phone.error_messages()
    row = phone.page.locator(".summary__row", has_text=rulebook.questions["pain_areas"].text)
    assert row.locator(".summary__value").inner_text() == PAIN_SHOWN
    no_violations(phone, "check your answers with the intake details")
    key = phone.send()
    no_violations(phone, "the result with the intake details")
    assert "Pressure: Firm" in phone.page.locator(".intake-summary").inner_text()
    assert_printed_record(therapist, assert_stored(live, key), rulebook)


def test_the_same_by_keyboard_alone(visitor, date_order, therapist, live, rulebook):
    keyboard = Keyboard(visitor, date_order)
    start_and_fill_details(visitor, keyboard)
    for question_id in visitor.main_questions():
        keyboard.answer_radio(question_id, VEINS.get(question_id, "no"))
        if question_id == "varicose_veins":
            for region in VEINS["vv_location"]:
                keyboard.tick("vv_location", region)
            for follow_up in ("vv_severity", "vv_symptoms_now", "vv_clot_history"):
                keyboard.answer_radio(follow_up, VEINS[follow_up])
    keyboard.tick("pain_areas", "lower_back")
    focused = keyboard.press("Tab")  # the area's score list, now shown, is the next stop
    assert (focused["tag"], focused["value"]) == ("select", ""), focused
    visitor.page.keyboard.type("6")
    assert visitor.focused()["value"] == "lower_back:6"
    keyboard.tick("pain_areas", "right_shoulder")
    assert drawn_as(visitor, "pain_areas") == PICKED
    keyboard.answer_radio("pressure", "firm")
    keyboard.tab_to(id="doctor-name")
    visitor.page.keyboard.type(DOCTOR["name"])
    keyboard.tab_to(id="doctor-practice")
    visitor.page.keyboard.type(DOCTOR["practice"])
    assert not [stop for stop in keyboard.stops if stop["tag"] in ("svg", "path")]
    keyboard.tab_to(text="Continue")
    keyboard.enter_and_wait()
    row = visitor.page.locator(".summary__row", has_text=rulebook.questions["pain_areas"].text)
    assert row.locator(".summary__value").inner_text() == PAIN_SHOWN
    key = sign_and_send(visitor, keyboard)
    assert_printed_record(therapist, assert_stored(live, key), rulebook)


def test_without_javascript_the_lists_and_scores_work(open_page, live, rulebook):
    visitor = open_page(viewport=NARROW, java_script_enabled=False)
    visitor.goto("/questionnaire")
    visitor.fill_quickly({})
    fieldset = visitor.page.locator("fieldset:has([name=pain_areas])")
    assert not fieldset.locator("[data-body-map] *").count()  # no map: the list is it
    assert not score_list(visitor, "lower_back").is_visible()
    for region in PICKED:
        fieldset.get_by_label(rulebook.region_label(region), exact=True).check()
    assert score_list(visitor, "lower_back").is_visible()  # shown by CSS alone
    score_list(visitor, "lower_back").select_option("lower_back:6")
    visitor.page.locator("input[name=pressure][value=firm]").check()
    visitor.page.locator("#doctor-name").fill(DOCTOR["name"])
    visitor.page.locator("#doctor-practice").fill(DOCTOR["practice"])
    give_a_wrong_emergency_phone(visitor)
    assert visitor.page.locator("#emergency_contact-phone").input_value() == "call me"
    assert score_list(visitor, "lower_back").input_value() == "lower_back:6"
    # (axe-core needs JavaScript: the phone run checks the same page with it)
    visitor.page.locator("#emergency_contact-phone").fill("07700 900123")
    visitor.press_continue()
    assert visitor.h1() == "Check your answers before sending them", visitor.error_messages()
    key = visitor.send()
    assert assert_stored(live, key, outcome="clear")
    assert live.screening(key).answers["emergency_contact"] == {
        "name": "Sam Example", "phone": "07700 900123"}
