"""The clinic's address, phone and email in a real browser: a client taps to call from their
result, and the printed result, record and doctor's letter (Chromium's Print, on A4 and US
Letter) carry them and still print on one page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.client import OUTCOME_CASES
from tests.browser.test_browser_print import PAPERS, printed
from tests.browser.test_browser_review import DESKTOP, PASSWORD, TYPICAL, sign_in
from tests.factories import add_therapist
from tests.web.test_clinic_contact import CONTACT, ONE_LINE

PRINTED_CONTACT = f"{ONE_LINE} · Phone +44 117 496 0000 · Email hello@riverside.example"


@pytest.fixture(scope="module")
def clinic(live):
    """The live app with the clinic's contact details set, and two clients' screenings."""
    saved = {key: live.app.config[key] for key in CONTACT}
    live.app.config.update(CONTACT)
    add_therapist(live.app, password=PASSWORD)
    live.links = {"typical": live.seed(TYPICAL, client_name="Tess Typical"),
                  "doctor": live.seed(OUTCOME_CASES["medical_clearance"],
                                      client_name="Dora Doctor")}
    yield live
    live.app.config.update(saved)


def test_a_client_taps_the_clinics_number_on_their_result(open_page, clinic):
    client = open_page()
    client.goto(clinic.links["typical"])
    contact = client.page.locator("section.contact")
    assert contact.get_by_role("heading").inner_text() == "Contact us"
    call = contact.get_by_role("link", name="+44 117 496 0000")
    assert call.is_visible() and call.get_attribute("href") == "tel:+441174960000"
    write = contact.get_by_role("link", name="hello@riverside.example")
    assert write.get_attribute("href") == "mailto:hello@riverside.example"
    assert contact.locator(".clinic-contact__address").inner_text().splitlines() == [
        "Unit 3", "The Mill", "12 High Street", "Bristol BS1 4AA"]


@pytest.mark.parametrize("paper", PAPERS)
def test_the_printed_result_and_record_carry_the_contact_on_one_page(open_page, clinic, paper):
    client = open_page(viewport=DESKTOP)
    client.goto(clinic.links["typical"])
    [result] = printed(client.page, paper)
    therapist = open_page(viewport=DESKTOP)
    sign_in(therapist)
    therapist.page.get_by_role("link", name="Tess Typical").click()
    expect(therapist.page).to_have_url(re.compile(r"/review/screenings/\d+$"))  # not the queue
    [record] = printed(therapist.page, paper)
    for text in (result, record):
        assert PRINTED_CONTACT in text
        assert "Contact us" not in text  # the screen's section is not printed twice


@pytest.mark.parametrize("paper", PAPERS)
def test_the_printed_letter_tells_the_doctor_how_to_reply_on_one_page(open_page, clinic, paper):
    client = open_page(viewport=DESKTOP)
    client.goto(clinic.links["doctor"] + "/doctor-letter")
    [letter] = printed(client.page, paper)
    for expected in (PRINTED_CONTACT, "To talk it over with us, call +44 117 496 0000.",
                     "or send it to us by email to hello@riverside.example or by post to "
                     f"{ONE_LINE}."):
        assert expected in letter, expected
