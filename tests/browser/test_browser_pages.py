"""Every client page: axe-core finds no WCAG 2.x A/AA violation, nothing scrolls sideways at
320 px, each outcome's result page says the right thing, and the result page prints cleanly.

To check another page, add one line to PAGES: a name and how to get a browser there.
"""

from __future__ import annotations

import pytest

from tests.browser import harness
from tests.browser.client import OUTCOME_CASES, OUTCOME_OF, Client
from tests.browser.harness import (
    NARROW,
    PHONE,
    axe_report,
    axe_violations,
    new_context,
    save_if_failed,
    saved_if_it_fails,
)


def questionnaire_with_errors(client: Client) -> None:
    client.goto("/questionnaire")
    client.press_continue()
    assert client.error_messages()


def questionnaire_with_follow_ups_open(client: Client) -> None:
    client.goto("/questionnaire")
    client.page.evaluate("""(names) => names.forEach((name) => document.querySelector(
        `input[name="${name}"][value="yes"]`).click())""", client.main_questions())
    client.answer({"preg_status": "pregnant"})
    assert client.page.locator(".conditional:visible").count() > 100


def questionnaire_with_the_body_map(client: Client) -> None:
    """A body-area question's map shown, two areas picked, and the focus on an area's box."""
    client.goto("/questionnaire")
    client.answer({"unhealed_wound_or_rash": "yes", "wr_where": ["face", "left_calf"]})
    client.page.focus("input[name=wr_where][value=left_calf]")
    assert client.page.locator("[data-body-map] .is-picked").count() == 3  # the calf twice


def check_your_answers_with_errors(client: Client) -> None:
    client.to_check_page(OUTCOME_CASES["local"])
    client.page.get_by_role("button", name="Send my answers").click()
    client.page.wait_for_load_state()
    assert client.error_messages()


def result(case: str):
    return lambda client: client.goto(client.live.seed(OUTCOME_CASES[case]))


PAGES = {
    "start": lambda client: client.goto("/"),
    "questionnaire": lambda client: client.goto("/questionnaire"),
    "questionnaire-with-errors": questionnaire_with_errors,
    "questionnaire-follow-ups-open": questionnaire_with_follow_ups_open,
    "questionnaire-body-map": questionnaire_with_the_body_map,
    "check-your-answers": lambda client: client.to_check_page(
        {**OUTCOME_CASES["local"], **OUTCOME_CASES["medical_clearance"]}),
    "check-your-answers-with-errors": check_your_answers_with_errors,
    **{f"result-{case}": result(case) for case in OUTCOME_CASES},
    "not-found": lambda client: client.goto("/no-such-page", status=404),
}

OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5)
            && !e.closest('.visually-hidden, .skip-link');
    }).slice(0, 10).map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}`
        + `${e.className ? '.' + String(e.className).split(' ').join('.') : ''}`
        + ` (${Math.round(e.getBoundingClientRect().left)}..`
        + `${Math.round(e.getBoundingClientRect().right)})`);
    return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""


def prepare(client: Client, name: str) -> None:
    """Get the browser to the page `name` of PAGES. If that fails, the page as it was is
    saved (screenshot and HTML, as for a failed test) under NAME-setup."""
    with saved_if_it_fails(client.page.context, f"{name}-setup"):
        PAGES[name](client)


@pytest.fixture(scope="module", params=list(PAGES))
def prepared(request, browser, live, live_server):
    """Each page of PAGES, prepared once and shared by its checks (pytest runs a page's
    checks one after the other)."""
    context = new_context(browser)
    try:
        client = Client(context.new_page(), live, live_server.url)
        prepare(client, request.param)
        yield request.param, client
    finally:
        context.close()


@pytest.fixture
def shown(request, prepared):
    yield prepared
    save_if_failed(request, [prepared[1].page.context])


def test_axe_finds_no_violations(shown):
    name, client = shown
    client.page.set_viewport_size(PHONE)
    violations = axe_violations(client.page)
    if violations:
        pytest.fail(axe_report(violations, f"{name} ({client.page.url})"), pytrace=False)


def test_no_horizontal_scrolling_at_320px(shown):
    name, client = shown
    client.page.set_viewport_size(NARROW)
    found = client.page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= found["width"], (
        f"{name} scrolls sideways at 320 px: document is {found['scrollWidth']} px wide; "
        f"too wide: {found['wide']}")


#: A 1280 x 800 desktop window at 200% zoom lays pages out in 640 x 400 CSS pixels.
ZOOMED = {"width": 640, "height": 400}


def test_works_at_200_percent_zoom(shown):
    """No sideways scrolling, and the page's main button or heading still in reach."""
    name, client = shown
    client.page.set_viewport_size(ZOOMED)
    found = client.page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= found["width"], (
        f"{name} scrolls sideways at 200% zoom: too wide: {found['wide']}")
    assert client.page.locator("h1").first.is_visible()


@pytest.mark.parametrize("prepared", [f"result-{case}" for case in OUTCOME_CASES],
                         indirect=True)
def test_result_page_shows_the_outcome(shown, rulebook):
    name, client = shown
    case = name.removeprefix("result-")
    outcome = OUTCOME_OF[case]
    assert client.outcome_title() == rulebook.outcomes[outcome]["title"]
    assert client.page.locator(f".outcome--{outcome}").is_visible()
    urgent = client.page.locator(".urgent")
    if case == "urgent":
        assert urgent.is_visible()
        assert rulebook.urgent["title"] in urgent.inner_text()
    else:
        assert urgent.count() == 0


def test_printed_result_keeps_the_findings_and_drops_the_rest(visitor, rulebook):
    result("urgent")(visitor)
    page = visitor.page
    page.wait_for_function(  # print-only style sheets load without blocking the page
        "() => [...document.querySelectorAll('link[rel=stylesheet]')].every(link => link.sheet)")
    page.emulate_media(media="print")
    for selector in (".site-header", ".site-footer", ".skip-link", ".no-print", "nav",
                     "button", ".button", ".link-button", "a[role=button]"):
        printed = [element for element in page.locator(selector).all() if element.is_visible()]
        assert not printed, f"{selector} is printed: {printed}"
    for selector in (".urgent", ".outcome", ".findings", ".areas", ".next"):
        assert page.locator(selector).is_visible(), f"{selector} is not printed"
    printed = page.locator("body").inner_text()
    for text in (rulebook.urgent["title"], rulebook.outcomes["postpone"]["title"],
                 rulebook.conditions["varicose_veins"].name, "Left calf or shin",
                 "Ann Example"):
        assert text in printed, f"{text!r} is not printed"
    assert "Keep this page private" not in printed

    page.emulate_media(media="screen")
    assert page.locator(".site-header").is_visible()
    assert page.locator(".no-print").first.is_visible()


def test_a_page_that_cannot_be_prepared_is_saved(browser, live, live_server, monkeypatch,
                                                 tmp_path):
    """A failure while getting a page ready (in the shared fixture, before any test runs)
    leaves a screenshot and the HTML behind, as a failed test does."""
    monkeypatch.setattr(harness, "ARTIFACTS", tmp_path)

    def wrong_page(client: Client) -> None:
        client.goto("/")
        assert client.h1() == "A heading this page does not have"

    monkeypatch.setitem(PAGES, "wrong-page", wrong_page)
    context = new_context(browser)
    try:
        with pytest.raises(AssertionError, match="A heading this page does not have"):
            prepare(Client(context.new_page(), live, live_server.url), "wrong-page")
    finally:
        context.close()
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "wrong-page-setup.html", "wrong-page-setup.png"]
    html = (tmp_path / "wrong-page-setup.html").read_text(encoding="utf-8")
    assert html.startswith(f"<!-- {live_server.url}/ -->") and "<h1" in html
