"""The issue's "done means" for returning clients, in a real browser, with JavaScript and
without: a client who answered before gets a second invitation for the same client record
(made by the therapist from the client's record), sees "Last time you told us...", changes
one section and keeps the others; the therapist sees what changed and the client's history
on one page. Then axe-core on the new pages."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from screening.database import db
from screening.invitations import service
from screening.invitations.validation import InvitationDetails
from tests.browser.harness import axe_report, axe_violations
from tests.browser.test_browser_review import DESKTOP, PASSWORD, sign_in
from tests.factories import add_therapist

TOMORROW = date.today() + timedelta(days=1)
VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "large_raised",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}


@pytest.fixture(scope="module")
def known(live):
    """A therapist, and Ann: invited once, answered with varicose veins in the left calf."""
    add_therapist(live.app, password=PASSWORD)
    with live.app.app_context():
        invitation = service.create(InvitationDetails(
            "Ann Example", "ann@example.com", None, TOMORROW, time(9, 0), "", ""))
        db.session.commit()
        link = "/start/" + service.link_token(invitation.link_key)
    live.seed(VEINS, opened_first=link, client_name="Ann Example")
    return live


def invite_again_from_the_record(therapist, at: str) -> str:
    """From Ann's first screening, her record, "Invite this client": the link to send."""
    page = therapist.page
    therapist.goto("/review/")
    page.get_by_role("link", name="Ann Example").first.click()
    page.get_by_role("link", name="Client 1", exact=True).click()
    assert therapist.h1().startswith("Ann Example")
    page.get_by_role("link", name="Invite this client").click()
    assert page.locator('input[name="client"][value="1"]').is_checked()
    page.get_by_label("Appointment date").fill(TOMORROW.isoformat())
    page.get_by_label("Appointment time").fill(at)
    page.get_by_role("button", name="Save and send the invitation").click()
    return urlsplit(page.get_by_label("Link for Ann Example").input_value()).path


def last_location(live) -> str:
    from sqlalchemy import select

    from screening.models import Screening

    with live.app.app_context():
        latest = db.session.scalar(select(Screening).order_by(Screening.id.desc()))
        return latest.answers["vv_location"][0]


def answer_afresh(client) -> None:
    """No to every question asked afresh (about today), as a person clicks them."""
    questions = client.rulebook.questions
    for question_id in client.main_questions():  # the conditions' (intake ones are optional)
        if questions[question_id].ask_afresh:
            client.page.check(f'input[name="{question_id}"][value="no"]')
    client.page.check('input[name="vv_symptoms_now"][value="no"]')


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_second_invitation_shows_last_time_one_section_changes_the_therapist_sees_it(
        open_page, known, javascript):
    therapist = open_page(viewport=DESKTOP)
    sign_in(therapist)
    link = invite_again_from_the_record(therapist, "10:00" if javascript else "11:00")

    was = last_location(known)  # the left calf, or the right one after the other run
    now = "right_calf" if was == "left_calf" else "left_calf"
    labels = {"left_calf": "Left calf or shin", "right_calf": "Right calf or shin"}
    client = open_page(java_script_enabled=javascript)
    client.goto(link)
    page = client.page
    assert "Welcome back" in page.locator(".notice").first.inner_text()
    last_time = page.locator("#last-time-circulation")
    assert "Last time you told us" in last_time.inner_text()
    assert labels[was] in last_time.inner_text()
    assert not page.locator('input[name="varicose_veins"][value="yes"]').is_visible()
    if javascript:  # axe-core is a script: it runs where scripts run
        violations = axe_violations(page)
        assert violations == [], axe_report(violations, "a returning client's questionnaire")

    answer_afresh(client)
    for radio in page.locator('input[data-change-of][value="same"]').all():
        radio.check()
    page.check('input[name="change-circulation"][value="changed"]')
    if not javascript:  # the server shows the section's questions after Continue
        client.press_continue()
        assert "Change what is different below" in page.locator(
            "#last-time-circulation").inner_text()
    assert page.locator('input[name="varicose_veins"][value="yes"]').is_checked()
    page.locator(f'input[name="vv_location"][value="{was}"]').uncheck()
    page.locator(f'input[name="vv_location"][value="{now}"]').check()
    client.press_continue()
    assert client.h1() == "Check your answers before sending them", client.error_messages()
    assert labels[now] in page.locator("main").inner_text()
    key = client.send()
    stored = known.screening(key)
    assert stored.answers["vv_location"] == [now]
    assert stored.answers["vv_severity"] == "large_raised"

    therapist.goto(f"/review/screenings/{stored.id}")
    since = therapist.page.locator("section", has=therapist.page.locator("#since-last-title"))
    assert since.locator("h2").inner_text().startswith("Returning client, last screened on")
    row = since.locator("tbody tr", has_text="Where are they?")
    assert row.locator("td").all_inner_texts() == [labels[was], labels[now]]
    history = therapist.page.locator("section", has=therapist.page.locator(
        "#client-history-title"))
    assert history.locator("li").count() >= 2
    violations = axe_violations(therapist.page)
    assert violations == [], axe_report(violations, "a returning client's screening")


def test_client_pages_pass_axe(open_page, known):
    therapist = open_page(viewport=DESKTOP)
    sign_in(therapist)
    for path in ("/review/clients", "/review/clients/1", "/review/clients?q=ann",
                 "/review/?client=1"):
        therapist.goto(path)
        violations = axe_violations(therapist.page)
        assert violations == [], axe_report(violations, path)
    therapist.goto("/review/invitations/new")
    therapist.page.get_by_label("Client's name").fill("Ann Example")
    therapist.page.get_by_label("Appointment date").fill(TOMORROW.isoformat())
    therapist.page.get_by_label("Appointment time").fill("15:00")
    therapist.page.get_by_role("button", name="Save and send the invitation").click()
    expect(therapist.page).to_have_title(re.compile("^Error: "))  # once the page has come
    assert therapist.page.locator("#client-0").is_visible()
    violations = axe_violations(therapist.page)
    assert violations == [], axe_report(violations, "inviting: which client is this?")
