"""The body map in a real browser: areas picked by tapping the figures on a phone (320 and
390 px wide), by keyboard alone, and without JavaScript (the list alone); what is stored,
what "check your answers" shows, and the therapist's record and its chart in print."""

from __future__ import annotations

import pytest

from tests.browser.client import TODAY, Client
from tests.browser.harness import NARROW, axe_report, axe_violations
from tests.browser.test_browser_keyboard import Keyboard, sign_and_send, start_and_fill_details
from tests.browser.test_browser_pages import OVERFLOW
from tests.browser.test_browser_print import printed
from tests.browser.test_browser_review import DESKTOP, PASSWORD
from tests.factories import add_therapist

#: The injury the client tells us about, and where it is (by the map).
INJURY = {"acute_muscle_strain_or_sprain": "yes"}
INJURY_DETAILS = {"strain_when": TODAY.isoformat(), "strain_swelling": "yes",
                  "strain_severe": "no"}
PICKED = ["lower_back", "right_shoulder"]  # in the order of the list (and of the form's post)
SHOWN = "Lower back, Right shoulder"
#: A point of the region's shape that a finger would land on (nothing drawn over it there),
#: on the first figure showing it, scrolled into view: [x, y], or null.
POINT_ON = """([question, region]) => {
    const slot = document.querySelector(`fieldset:has([name="${question}"]) [data-body-map]`);
    for (const shape of slot.querySelectorAll(`[data-region="${region}"]`)) {
        shape.scrollIntoView({block: 'center'});
        const box = shape.getBoundingClientRect();
        for (const fy of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
            for (const fx of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
                const x = box.left + box.width * fx, y = box.top + box.height * fy;
                const hit = document.elementFromPoint(x, y);
                if (hit && hit.closest('[data-region]') === shape) { return [x, y]; }
            }
        }
    }
    return null;
}"""


def tap(client: Client, question: str, region: str) -> None:
    point = client.page.evaluate(POINT_ON, [question, region])
    assert point, f"no point of {region} on the map of {question} can be tapped"
    client.page.touchscreen.tap(*point)


def ticked(client: Client, question: str) -> list[str]:
    return client.page.eval_on_selector_all(
        f'input[name="{question}"]:checked', "boxes => boxes.map((box) => box.value)")


def drawn_as(client: Client, question: str, state: str = "is-picked") -> list[str]:
    """The regions the question's map shows picked (or focused), each once, in the order of
    the list."""
    regions = client.page.eval_on_selector_all(
        f'fieldset:has([name="{question}"]) [data-body-map] .{state}',
        "shapes => shapes.map((shape) => shape.dataset.region)")
    return [region.id for region in client.rulebook.regions if region.id in regions]


@pytest.fixture
def phone(open_page, request):
    """A touch-screen phone of the width given by the test's `width` parameter."""
    return open_page(viewport={"width": request.param, "height": 740}, has_touch=True,
                     is_mobile=True)


@pytest.mark.parametrize("phone", [NARROW["width"], 390], indirect=True)
def test_every_area_can_be_tapped_on_and_off_on_a_phone(phone, rulebook):
    """Each of the rule book's regions, tapped on a phone, ticks its box and shows picked on
    the map; tapped again, unticks; and nothing scrolls sideways."""
    phone.goto("/questionnaire")
    phone.fill_quickly({"unhealed_wound_or_rash": "yes"})
    regions = [region.id for region in rulebook.regions]
    for region in regions:
        tap(phone, "wr_where", region)
    assert ticked(phone, "wr_where") == regions
    assert drawn_as(phone, "wr_where") == regions
    found = phone.page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= found["width"], found["wide"]
    for region in regions[1:]:
        tap(phone, "wr_where", region)
    assert ticked(phone, "wr_where") == drawn_as(phone, "wr_where") == regions[:1]


@pytest.fixture
def therapist(open_page, live):
    add_therapist(live.app, password=PASSWORD)
    client = open_page(viewport=DESKTOP)
    client.goto("/review/sign-in")
    client.page.get_by_label("Email address").fill("kim@example.com")
    client.page.get_by_label("Password").fill(PASSWORD)
    client.page.get_by_role("button", name="Sign in").click()
    client.page.wait_for_url("**/review/")
    return client


@pytest.mark.parametrize("phone", [NARROW["width"]], indirect=True)
def test_a_client_taps_their_injury_and_the_therapist_prints_it_on_the_chart(
        phone, therapist, live, rulebook):
    phone.goto("/questionnaire")
    phone.fill_quickly(INJURY)
    figures = phone.page.locator("fieldset:has([name=strain_where]) .body-map__svg")
    assert figures.count() == 2 and all(figure.is_visible() for figure in figures.all())
    for region in [*PICKED, "right_knee", "right_knee"]:  # the knee: a slip, tapped off
        tap(phone, "strain_where", region)
    assert ticked(phone, "strain_where") == drawn_as(phone, "strain_where") == PICKED
    phone.fill_quickly({**INJURY, **INJURY_DETAILS})  # (the boxes stay ticked)
    phone.press_continue()
    assert phone.h1() == "Check your answers before sending them", phone.error_messages()
    row = phone.page.locator(".summary__row", has_text=rulebook.questions["strain_where"].text)
    assert row.locator(".summary__value").inner_text() == SHOWN
    key = phone.send()
    screening = live.screening(key)
    assert screening.answers["strain_where"] == PICKED
    assert screening.body_areas == PICKED

    therapist.goto(f"/review/screenings/{screening.id}")
    chart = therapist.page.locator(".body-chart")
    assert [line.strip() for line in chart.locator(".body-chart__key").inner_text().split("\n")
            ] == ["Avoid or treat gently", SHOWN]
    for figure, view in zip(chart.locator(".body-chart__svg").all(), rulebook.body_map.views,
                            strict=True):
        patterned = figure.locator("path[fill^='url(']").evaluate_all(
            "paths => paths.map((path) => path.getAttribute('d'))")
        assert sorted(shape.region for shape in view.shapes if shape.d in patterned) == sorted(
            region for region in PICKED if region in {shape.region for shape in view.shapes})
    violations = axe_violations(therapist.page)
    if violations:
        pytest.fail(axe_report(violations, "the screening page with the chart"), pytrace=False)
    [page] = printed(therapist.page, "A4")  # one page
    for expected in ("Body chart", "Front", "Back", "Avoid or treat gently", SHOWN):
        assert expected in page, expected
    therapist.page.emulate_media(media="print")
    assert therapist.page.locator(".body-chart__figures").is_visible()


def test_areas_picked_by_keyboard_alone_show_on_the_map(visitor, date_order, live, rulebook):
    """Tab to each area's box and press Space: the map shows it picked, and the area of the
    box with the focus outlined; the map itself is never a Tab stop."""
    keyboard = Keyboard(visitor, date_order)
    start_and_fill_details(visitor, keyboard)
    for question_id in visitor.main_questions():
        keyboard.answer_radio(question_id, INJURY.get(question_id, "no"))
        if question_id in INJURY:
            for number, region in enumerate(PICKED, start=1):
                keyboard.tick("strain_where", region)
                assert drawn_as(visitor, "strain_where") == PICKED[:number]
                assert drawn_as(visitor, "strain_where", "is-focused") == [region]
            keyboard.tab_to(id="strain_when")
            keyboard.type_date(INJURY_DETAILS["strain_when"])
            keyboard.answer_radio("strain_swelling", "yes")
            keyboard.answer_radio("strain_severe", "no")
    assert not [stop for stop in keyboard.stops if stop["tag"] in ("svg", "path")]
    assert drawn_as(visitor, "strain_where") == PICKED
    keyboard.tab_to(text="Continue")
    keyboard.enter_and_wait()
    check = visitor.page.locator(".summary__row", has_text=rulebook.questions["strain_where"].text)
    assert check.locator(".summary__value").inner_text() == SHOWN
    key = sign_and_send(visitor, keyboard)
    assert live.screening(key).answers["strain_where"] == PICKED


def test_without_javascript_the_list_is_the_question(open_page, live, rulebook):
    visitor = open_page(viewport=NARROW, java_script_enabled=False)
    visitor.goto("/questionnaire")
    visitor.fill_quickly(INJURY)
    visitor.press_continue()  # the server asks the follow-ups
    fieldset = visitor.page.locator("fieldset:has([name=strain_where])")
    assert fieldset.is_visible()
    assert fieldset.locator("[data-body-map]").count() == 1
    assert not fieldset.locator("[data-body-map] *").count()  # no map: nothing to click
    for region in PICKED:
        label = rulebook.region_label(region)
        fieldset.get_by_label(label, exact=True).check()
    visitor.answer(INJURY_DETAILS)
    visitor.press_continue()
    assert visitor.h1() == "Check your answers before sending them", visitor.error_messages()
    row = visitor.page.locator(".summary__row", has_text=rulebook.questions["strain_where"].text)
    assert row.locator(".summary__value").inner_text() == SHOWN
    key = visitor.send()
    assert live.screening(key).answers["strain_where"] == PICKED
