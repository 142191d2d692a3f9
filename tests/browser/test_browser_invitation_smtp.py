"""With a real mail server (aiosmtpd on the loopback): a therapist invites a client in the
browser, the email arrives, and the client follows its link in a browser to a stored
screening tied to the invitation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.harness import copy_database
from tests.browser.test_browser_invitations import ConfiguredLiveApp
from tests.browser.test_browser_review import DESKTOP, PASSWORD, sign_in
from tests.factories import add_therapist
from tests.invitations.conftest import SmtpServer, mail_settings
from tests.invitations.helpers import LINK, deliver

TOMORROW = date.today() + timedelta(days=1)


@pytest.fixture(scope="module")
def smtp_server():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live(live_server, migrated_db, rulebook, tmp_path_factory, smtp_server):
    folder = tmp_path_factory.mktemp("browser")
    live_app = ConfiguredLiveApp(copy_database(migrated_db, folder), rulebook, config={
        **mail_settings(smtp_server.port, folder), "BASE_URL": live_server.url})
    add_therapist(live_app.app, password=PASSWORD)
    live_server.serve(live_app.app)
    yield live_app
    live_server.serve(None)
    live_app.close()


def test_the_emailed_link_leads_to_a_stored_screening(open_page, live, live_server,
                                                      smtp_server):
    therapist = open_page(viewport=DESKTOP)
    sign_in(therapist)
    therapist.goto("/review/invitations/new")
    page = therapist.page
    page.get_by_label("Client's name").fill("Cleo Client")
    page.get_by_label("Email address").fill("cleo@example.com")
    page.get_by_label("Appointment date").fill(TOMORROW.isoformat())
    page.get_by_label("Appointment time").fill("09:30")
    page.get_by_role("button", name="Save and send the invitation").click()
    assert "The email to cleo@example.com is on its way." in page.locator(".notice").inner_text()
    assert deliver(live.app) == {"sent": 1}
    [message] = smtp_server.inbox.wait_for(1, timeout=10)
    assert message["To"] == "cleo@example.com"
    [link] = LINK.findall(message.get_body(preferencelist=("plain",)).get_content())
    assert link.startswith(live_server.url + "/start/")

    client = open_page()
    client.page.goto(link)
    client.page.fill("#date_of_birth", "1990-07-14")
    client.answer_all_no()
    client.press_continue()
    key = client.send(signature="Cleo Client")
    stored = live.screening(key)
    assert (stored.client_name, stored.email, stored.appointment_date) == (
        "Cleo Client", "cleo@example.com", TOMORROW)
    assert stored.invitation_id == 1 and stored.outcome == "clear"
    therapist.goto("/review/invitations/1")
    assert "Answered" in page.locator("dl.meta").inner_text()
