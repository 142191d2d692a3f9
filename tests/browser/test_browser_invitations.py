"""The issue's "done means", in a real browser: as after `make run` (no mail server, the
app's own sender thread running), a therapist signs in and invites a client for tomorrow,
the invitation is an .eml file in the outbox folder, the client follows its link and answers
"yes" to a red-flag question, the alert is in the outbox too, and the Appointments view shows
the appointment as answered and urgent. Then axe-core on the invitation pages."""

from __future__ import annotations

import email
import email.policy
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.client import OUTCOME_CASES
from tests.browser.harness import NARROW, LiveApp, axe_report, axe_violations, copy_database
from tests.browser.test_browser_pages import OVERFLOW, ZOOMED
from tests.browser.test_browser_review import DESKTOP, PASSWORD, sign_in
from tests.factories import add_therapist, make_app
from tests.invitations.helpers import LINK

TOMORROW = date.today() + timedelta(days=1)
TEAM = "team@riverside.example"


@dataclass
class ConfiguredLiveApp(LiveApp):
    """The live app (CSRF on) with more settings."""

    config: dict = field(default_factory=dict)

    def __post_init__(self):
        self.app = make_app(self.db_path, WTF_CSRF_ENABLED=True, **self.config)

    def close(self) -> None:
        self.app.extensions["outbox_sender"].stop(timeout=10)
        super().close()


@pytest.fixture(scope="module")
def outbox(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance") / "outbox"


@pytest.fixture(scope="module")
def live(live_server, migrated_db, rulebook, tmp_path_factory, outbox):
    """As `make run` serves it: no mail server, emails as .eml files, the sender running."""
    live_app = ConfiguredLiveApp(
        copy_database(migrated_db, tmp_path_factory.mktemp("browser")), rulebook,
        config={"OUTBOX_FOLDER": str(outbox), "ALERT_EMAILS": TEAM,
                "BASE_URL": live_server.url, "MAIL_SENDER_THREAD": True})
    add_therapist(live_app.app, password=PASSWORD)
    live_server.serve(live_app.app)
    yield live_app
    live_server.serve(None)
    live_app.close()


def wait_for_eml(folder: Path, kind: str, count: int = 1, timeout: float = 60) -> list:
    """The .eml files of `kind` the app's sender wrote, parsed as a mail program would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        paths = sorted(folder.glob(f"*-{kind}-*.eml")) if folder.exists() else []
        if len(paths) >= count:
            return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                    for path in paths]
        time.sleep(0.1)
    raise AssertionError(f"no {kind} .eml in {folder} after {timeout} s")


def test_invite_follow_the_eml_link_answer_a_red_flag_see_the_alert_and_the_appointment(
        open_page, live, live_server, outbox):
    therapist = open_page(viewport=DESKTOP)
    sign_in(therapist)
    page = therapist.page
    page.get_by_role("link", name="Appointments", exact=True).click()
    page.get_by_role("button", name="Invite a client").click()
    assert therapist.h1() == "Invite a client"
    page.get_by_label("Client's name").fill("Ann Example")
    page.get_by_label("Email address").fill("ann@example.com")
    page.get_by_label("Appointment date").fill(TOMORROW.isoformat())
    page.get_by_label("Appointment time").fill("10:00")
    page.get_by_role("button", name="Save and send the invitation").click()
    assert therapist.h1() == "Ann Example"
    notice = page.locator(".notice").inner_text()
    assert "No mail server is set up" in notice and str(outbox) in notice
    shown_link = page.get_by_label("Link for Ann Example").input_value()

    [invitation] = wait_for_eml(outbox, "invitation")
    assert invitation["To"] == "ann@example.com"
    text = invitation.get_body(preferencelist=("plain",)).get_content()
    [link] = LINK.findall(text)
    assert link == shown_link and link.startswith(live_server.url + "/start/")

    client = open_page()
    client.page.goto(link)
    assert "Hello Ann Example." in client.page.locator(".notice").inner_text()
    assert client.page.input_value("#client_name") == "Ann Example"
    client.page.fill("#date_of_birth", "1980-03-27")
    client.answer_all_no()
    client.answer(OUTCOME_CASES["urgent"])  # a swollen, painful calf now: a red flag
    client.press_continue()
    assert client.h1() == "Check your answers before sending them", client.error_messages()
    key = client.send()
    assert client.page.locator(".urgent").count() == 1
    assert live.screening(key).invitation_id == 1

    [alert] = wait_for_eml(outbox, "alert")
    assert alert["To"] == TEAM and alert["Subject"] == "A screening needs your attention"
    alert_text = alert.get_body(preferencelist=("plain",)).get_content()
    assert "Ann" not in alert_text and "calf" not in alert_text.lower()
    assert f"{live_server.url}/review/screenings/1" in alert_text

    therapist.goto("/review/appointments")
    row = page.locator("table.appointments tbody tr", has_text="Ann Example")
    assert row.locator(".state").inner_text() == "Answered"
    assert row.locator(".tag").all_inner_texts() == ["⚠ Urgent", "✕ Postpone"]
    assert page.locator("table.appointments caption").first.inner_text().startswith(
        "Tomorrow, ")


def test_invitation_pages_pass_axe_and_fit_a_phone_and_zoom(open_page, live):
    made = live.app.test_cli_runner().invoke(args=[
        "invite", "bo@example.com", "--name", "Bo Example", "--appointment",
        f"{TOMORROW} 16:30", "--note", "Prefers a quiet room"])
    invitation_id = re.search(r"\(invitation (\d+)\)", made.output)[1]
    therapist = open_page(viewport=DESKTOP)
    sign_in(therapist)
    therapist.goto("/review/invitations/new")
    therapist.page.get_by_role("button", name="Save and send the invitation").click()
    expect(therapist.page).to_have_title(re.compile("^Error: "))  # once the page has come
    pages = {"new invitation, with errors": None, "appointments": "/review/appointments",
             "an invitation": f"/review/invitations/{invitation_id}",
             "emails": "/review/emails"}
    for name, path in pages.items():
        if path:
            therapist.goto(path)
        for viewport in (DESKTOP, ZOOMED, NARROW):
            therapist.page.set_viewport_size(viewport)
            found = therapist.page.evaluate(OVERFLOW)
            assert found["scrollWidth"] <= found["width"], (name, viewport, found["wide"])
            violations = axe_violations(therapist.page)
            if violations:
                pytest.fail(axe_report(violations, f"{name} at {viewport['width']} px"),
                            pytrace=False)
        therapist.page.set_viewport_size(DESKTOP)
