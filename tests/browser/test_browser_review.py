"""The therapist's pages in a real browser: the whole review flow, axe-core on every page,
and no sideways scrolling on a phone. Printing is in test_browser_print.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.client import OUTCOME_CASES
from tests.browser.harness import NARROW, axe_report, axe_violations
from tests.browser.test_browser_pages import OVERFLOW, ZOOMED
from tests.factories import add_therapist

DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "correct horse battery"
TYPICAL = {**OUTCOME_CASES["local"], "osteoporosis": "yes", "recent_fracture": "no",
           "spine_changes": "yes", "long_term_steroids": "no"}


@pytest.fixture(scope="module")
def seeded(live):
    """A therapist, a clear screening, and a flagged (urgent) one sent after it."""
    add_therapist(live.app, password=PASSWORD)
    live.seed({}, client_name="Carol Clear")
    live.seed(TYPICAL, client_name="Tess Typical")
    live.seed(OUTCOME_CASES["urgent"], client_name="Uma Urgent")
    return live


def sign_in(client) -> None:
    client.goto("/review/sign-in")
    client.page.get_by_label("Email address").fill("kim@example.com")
    client.page.get_by_label("Password").fill(PASSWORD)
    client.page.get_by_role("button", name="Sign in").click()
    client.page.wait_for_url("**/review/")


@pytest.fixture
def therapist(open_page, seeded):
    client = open_page(viewport=DESKTOP)
    sign_in(client)
    return client


def test_review_flow_flagged_first_decision_and_audit(therapist):
    page = therapist.page
    first = page.locator("table.queue tbody tr").first
    assert first.locator("th").inner_text() == "Uma Urgent"
    assert "Urgent" in first.inner_text() and "Not reviewed yet" in first.inner_text()
    first.get_by_role("link", name="Uma Urgent").click()
    assert therapist.h1() == "Uma Urgent"

    page.get_by_label("Waiting for doctor's clearance").check()
    page.get_by_label("Note (optional)").fill("Asked her to see the GP about the calf today")
    page.get_by_role("button", name="Save decision").click()
    assert "Decision recorded." in page.locator(".notice").inner_text()
    history = page.locator("ol.history li").first.inner_text()
    assert history.startswith("Waiting for doctor's clearance (current) by Kim Lee")

    page.get_by_role("link", name="Audit trail").click()
    expect(page).to_have_url(re.compile(r"/review/audit$"))  # the page has come
    whats = page.locator('td[data-label="What"]').all_inner_texts()
    assert whats[:3] == ["Viewed screening",  # the page again, after saving
                         "Recorded decision (Waiting for doctor's clearance)",
                         "Viewed screening"]
    page.get_by_role("link", name="Queue").click()
    expect(page).to_have_url(re.compile(r"/review/$"))
    rows = page.locator("table.queue tbody tr th").all_inner_texts()
    assert rows[-1] == "Uma Urgent"  # reviewed now: after the unreviewed ones


def test_sign_in_comes_back_to_the_page_asked_for(open_page, seeded):
    client = open_page(viewport=DESKTOP)
    client.goto("/review/audit")
    assert client.page.url.endswith("/review/sign-in?next=/review/audit")
    client.page.get_by_label("Email address").fill("kim@example.com")
    client.page.get_by_label("Password").fill(PASSWORD)
    client.page.get_by_label("Password").press("Enter")
    client.page.wait_for_url("**/review/audit")
    assert client.h1() == "Audit trail"


REVIEW_PAGES = {
    "sign-in": "/review/sign-in",
    "queue": "/review/",
    "queue-filtered": "/review/?outcome=postpone&state=unreviewed",
    "screening": "/review/screenings/2",
    "screening-urgent": "/review/screenings/3",
    "audit": "/review/audit",
    "sessions": "/review/sessions",
    "doctor-letter": "/review/screenings/2/doctor-letter",
}


@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_review_pages_pass_axe_and_fit_a_phone_and_zoom(open_page, seeded, name):
    client = open_page(viewport=DESKTOP)
    if name != "sign-in":
        sign_in(client)
    client.goto(REVIEW_PAGES[name])
    violations = axe_violations(client.page)
    if violations:
        pytest.fail(axe_report(violations, f"{name} ({client.page.url})"), pytrace=False)
    for viewport in (ZOOMED, NARROW):  # 200% zoom of a desktop window, and a small phone
        client.page.set_viewport_size(viewport)
        found = client.page.evaluate(OVERFLOW)
        assert found["scrollWidth"] <= found["width"], (name, viewport, found["wide"])
    violations = axe_violations(client.page)
    if violations:
        pytest.fail(axe_report(violations, f"{name} at 320 px"), pytrace=False)


def test_client_doctor_letter_passes_axe(open_page, seeded):
    client = open_page()
    client.goto(seeded.seed(TYPICAL) + "/doctor-letter")
    assert "a question for Ann Example's doctor" in client.h1()
    violations = axe_violations(client.page)
    if violations:
        pytest.fail(axe_report(violations, "client's doctor letter"), pytrace=False)


def test_sign_out_everywhere_else_from_the_sessions_page(open_page, seeded):
    """With CSRF on: the other browser's next page is the sign-in page, saying it was signed
    out; the browser that asked carries on."""
    desk, laptop = open_page(viewport=DESKTOP), open_page(viewport=DESKTOP)
    sign_in(laptop)
    sign_in(desk)
    desk.page.get_by_role("link", name="Sessions").click()
    assert desk.h1() == "Where you are signed in"
    assert "This browser" in desk.page.locator("table.queue").inner_text()
    desk.page.get_by_role("button", name="Sign out everywhere else").click()
    notice = desk.page.locator(".notice").inner_text()
    assert notice.startswith("Signed out everywhere else (") and "other session" in notice
    assert "You are not signed in anywhere else." in desk.page.locator("main").inner_text()

    laptop.page.reload()
    assert laptop.page.url.endswith("/review/sign-in?next=/review/")
    assert "You were signed out." in laptop.page.locator(".notice").inner_text()
    desk.page.get_by_role("link", name="Queue").click()
    assert desk.h1() == "Screenings"
