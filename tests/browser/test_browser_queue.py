"""The queue in a real browser: a therapist types a name as it sounds ("zoe nguyen") into the
search box and finds Zoë Nguyen-O'Brien, tells two clients of one name apart by their date
of birth, and sees a form filled in twice marked as a likely duplicate (axe-core on both
pages, and nothing wider than a phone)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.client import OUTCOME_CASES
from tests.browser.harness import PHONE, axe_report, axe_violations
from tests.browser.test_browser_pages import OVERFLOW
from tests.browser.test_browser_review import DESKTOP, PASSWORD, sign_in
from tests.factories import add_therapist

ZOE = "Zoë Nguyen-O'Brien"


@pytest.fixture(scope="module")
def seeded(live):
    add_therapist(live.app, password=PASSWORD)
    live.seed(OUTCOME_CASES["local"], client_name=ZOE)
    live.seed(OUTCOME_CASES["local"], client_name=ZOE)  # the same form filled in again
    live.seed(OUTCOME_CASES["caution"], client_name=ZOE, date_of_birth="1999-01-31")
    live.seed({}, client_name="Chloé Brien")
    return live


def rows(page) -> list[dict[str, str]]:
    return page.evaluate("""() => [...document.querySelectorAll('table.queue tbody tr')].map(
        (row) => Object.fromEntries([...row.children].map(
            (cell) => [cell.dataset.label, cell.innerText.trim()])))""")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_therapist_finds_a_client_typed_without_accents(open_page, seeded, viewport):
    therapist = open_page(viewport=viewport)
    sign_in(therapist)
    page = therapist.page
    page.get_by_label("Client name").fill("zoe nguyen")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/review/?*q=zoe+nguyen*")
    found = rows(page)
    assert [row["Client"] for row in found] == [ZOE] * 3
    assert sorted(row["Date of birth"] for row in found) == [
        "27 March 1980", "27 March 1980", "31 January 1999"]
    marked = [row for row in found if "Likely duplicate" in row["Submitted"]]
    assert len(marked) == 1 and marked[0]["Date of birth"] == "27 March 1980"
    assert page.get_by_label("Client name").input_value() == "zoe nguyen"
    violations = axe_violations(page)
    if violations:
        pytest.fail(axe_report(violations, f"the searched queue at {viewport['width']} px"),
                    pytrace=False)
    found = page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= found["width"], found["wide"]


def test_the_duplicate_says_which_screening_came_first(open_page, seeded):
    therapist = open_page(viewport=DESKTOP)
    sign_in(therapist)
    page = therapist.page
    page.goto(therapist.base_url + "/review/screenings/2")
    notice = page.locator("section", has=page.get_by_role("heading", name="Likely duplicate"))
    assert f"{ZOE} sent the same answers earlier the same day" in notice.inner_text()
    notice.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/review/screenings/1$"))
    assert page.get_by_role("heading", name="Sent again the same day").is_visible()
    violations = axe_violations(page)
    if violations:
        pytest.fail(axe_report(violations, "a screening sent again"), pytrace=False)
