"""The review area's invitation pages through the Flask test client: inviting a client (and
every kind of bad input), one invitation, re-sending, cancelling, the Appointments view."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from screening.database import db
from screening.invitations import service
from screening.invitations.models import Invitation
from screening.outbox import OutboxMessage
from tests.factories import consent, form_data
from tests.invitations.conftest import TOMORROW, body
from tests.invitations.helpers import (
    INVITE,
    deliver,
    invitations,
    invite,
    link_in,
    messages,
    page,
    signed_in,
)
from tests.invitations.test_alerts import CASES
from tests.invitations.test_start_links import make_invitation

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.mark.parametrize("path", ["/review/appointments", "/review/invitations/new",
                                  "/review/invitations/1", "/review/emails"])
def test_every_invitation_page_needs_sign_in(app, client, path):
    make_invitation(app)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/review/sign-in?next=")


@pytest.mark.parametrize("path", ["/review/invitations/new", "/review/invitations/1/resend",
                                  "/review/invitations/1/cancel", "/review/emails/1/retry"])
def test_every_invitation_form_needs_sign_in(app, client, path):
    make_invitation(app)
    response = client.post(path, data=INVITE)
    assert response.status_code == 302
    assert len(invitations(app)) == 1 and invitations(app)[0].cancelled_at is None
    assert len(messages(app)) == 1


def test_inviting_a_client_saves_it_queues_the_email_and_shows_the_link(mail_app):
    therapist = signed_in(mail_app)
    response = invite(therapist)
    assert response.status_code == 303
    shown = page(therapist.get(response.headers["Location"]))
    assert shown.h1.get_text(strip=True) == "Ann Example"
    assert "The email to ann@example.com is on its way." in shown.select_one(".notice").text
    link = shown.find("input", {"id": "client-link"})["value"]
    assert link.startswith("https://forms.riverside.example/start/")
    [invitation] = invitations(mail_app)
    assert invitation.appointment_date == TOMORROW and invitation.appointment_time == time(14, 30)
    assert invitation.therapist == "Kim Lee"
    with mail_app.app_context():
        assert db.session.get(Invitation, invitation.id).created_by.name == "Kim Lee"
    assert [(m.kind, m.recipient, m.status) for m in messages(mail_app)] == [
        ("invitation", "ann@example.com", "pending")]


def test_without_a_mail_server_the_email_is_an_eml_file_and_the_link_is_there_to_copy(
        file_app, tmp_path):
    therapist = signed_in(file_app)
    shown = page(therapist.get(invite(therapist).headers["Location"]))
    notice = shown.select_one(".notice").get_text(" ", strip=True)
    assert "No mail server is set up" in notice and str(tmp_path / "outbox") in notice
    link = shown.find("input", {"id": "client-link"})["value"]
    assert link.startswith("http://127.0.0.1:5000/start/")
    assert deliver(file_app) == {"sent": 1}
    [path] = (tmp_path / "outbox").glob("*.eml")
    assert path.name.endswith("-invitation-1.eml")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "ann@example.com"
    assert "Riverside Massage" in body(message) and link in body(message)
    assert link_in(message) == link.removeprefix("http://127.0.0.1:5000")


def test_a_client_with_only_a_phone_gets_no_email_and_the_therapist_sends_the_link(mail_app):
    therapist = signed_in(mail_app)
    shown = page(therapist.get(invite(therapist, email="", phone="07700 900982")
                               .headers["Location"]))
    assert "There is no email address: copy the link below" in shown.select_one(".notice").text
    assert shown.find("input", {"id": "client-link"})
    assert messages(mail_app) == []


BAD = [
    ({"client_name": ""}, "client_name", "Enter the client's name"),
    ({"email": "ann@example"}, "email",
     "Enter the email address in the correct format, like name@example.com"),
    ({"email": "ann example.com"}, "email",
     "Enter the email address in the correct format, like name@example.com"),
    ({"email": "", "phone": ""}, "email", "Enter the client's email address (or a phone "
                                          "number), so the invitation can reach them"),
    ({"phone": "call me"}, "phone", "Enter a phone number, like 07700 900 982 or +44 7700 "
                                    "900982"),
    ({"appointment_date": ""}, "appointment_date",
     "Enter the appointment date as well as the time"),
    ({"appointment_date": "", "appointment_time": ""}, "appointment_date",
     "Enter the appointment date"),
    ({"appointment_date": "31/02/2027"}, "appointment_date",
     "Enter the appointment date as a real date, for example 2026-12-04"),
    ({"appointment_date": YESTERDAY.isoformat()}, "appointment_date",
     "The appointment date is in the past: enter today's date or a later one"),
    ({"appointment_date": (TODAY + timedelta(days=400)).isoformat()}, "appointment_date",
     "The appointment must be within the next year"),
    ({"appointment_time": ""}, "appointment_time",
     "Enter the appointment time, for example 14:30"),
    ({"appointment_time": "half past two"}, "appointment_time",
     "Enter the appointment time as hours and minutes, for example 14:30"),
    ({"appointment_date": TODAY.isoformat(), "appointment_time": "00:00"}, "appointment_time",
     "That time today has passed: check the appointment date and time"),
    ({"client_name": "=HYPERLINK(\"http://x\")"}, "client_name",
     "Remove the = at the start: a spreadsheet would run this as a formula"),
    ({"client_name": "A" * 101}, "client_name",
     "Keep the client's name to 100 characters or fewer"),
    ({"note": "n" * 501}, "note", "Keep the note to 500 characters or fewer"),
]


@pytest.mark.parametrize("fields, name, message", BAD)
def test_bad_input_is_named_next_to_its_field_and_the_rest_is_kept(mail_app, fields, name,
                                                                   message):
    response = invite(signed_in(mail_app), **{"client_name": "Ann Example", **fields})
    assert response.status_code == 200
    shown = page(response)
    assert shown.title.get_text().startswith("Error: ")
    items = [(a["href"], a.get_text()) for a in shown.select(".error-summary a")]
    assert items[0] == (f"#{name}", message)
    both_missing = fields.get("appointment_time") == fields.get("appointment_date") == ""
    assert len(items) == (2 if both_missing else 1), items
    assert shown.select_one(f"#{name}-error").get_text(" ", strip=True) == f"Error: {message}"
    assert shown.find(id=name)["aria-invalid"] == "true"
    kept = {**INVITE, "client_name": "Ann Example", **fields}
    for other in ("email", "phone", "therapist"):
        if other != name:
            assert shown.find("input", {"name": other})["value"] == kept[other]
    assert invitations(mail_app) == []


def test_the_same_client_and_appointment_cannot_be_invited_twice(mail_app):
    therapist = signed_in(mail_app)
    invite(therapist)
    again = invite(therapist, email="ANN@example.com")
    assert again.status_code == 200
    assert "Ann Example is already invited for this appointment" in \
        page(again).select_one(".error-summary").get_text()
    assert len(invitations(mail_app)) == 1
    # another booking: the therapist says whose (the record suggested by the name, or new)
    assert invite(therapist, appointment_time="16:00", client="new").status_code == 303


def test_a_form_without_its_csrf_token_is_refused(app_with):
    app = app_with(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    from tests.factories import add_therapist

    add_therapist(app)
    sign_in = page(client.get("/review/sign-in"))
    token = sign_in.find("input", {"name": "csrf_token"})["value"]
    client.post("/review/sign-in", data={"email": "kim@example.com", "csrf_token": token,
                                         "password": "correct horse battery"})
    assert invite(client).status_code == 400
    assert invitations(app) == []


def test_re_sending_to_a_corrected_address(mail_app, smtp):
    therapist = signed_in(mail_app)
    smtp.inbox.refuse.add("ann@exampel.com")
    location = invite(therapist, email="ann@exampel.com").headers["Location"]
    deliver(mail_app)
    bad = therapist.post(f"{location}/resend", data={"email": "not an address"})
    assert bad.status_code == 400
    assert page(bad).select_one("#email-error").get_text(" ", strip=True).startswith("Error: Enter")
    resent = therapist.post(f"{location}/resend", data={"email": "ann@example.com"})
    assert resent.status_code == 303
    assert deliver(mail_app) == {"sent": 1}
    assert [m["To"] for m in smtp.inbox.wait_for(1, timeout=5)] == ["ann@example.com"]
    history = page(therapist.get(location)).select("ul.history li")
    assert "sent" in history[0].get_text() and "not delivered" in history[1].get_text()
    assert invitations(mail_app)[0].email == "ann@example.com"


def test_cancelling_stops_the_link_and_the_emails_not_sent_yet(mail_app, smtp):
    therapist = signed_in(mail_app)
    location = invite(therapist).headers["Location"]
    link = page(therapist.get(location)).find("input", {"id": "client-link"})["value"]
    assert therapist.post(f"{location}/cancel").status_code == 303
    assert deliver(mail_app) == {}
    assert messages(mail_app)[0].status == "cancelled"
    assert smtp.inbox.messages == []
    assert mail_app.test_client().get(link.removeprefix("https://forms.riverside.example")) \
        .status_code == 410
    shown = page(therapist.get(location))
    assert not shown.find("input", {"id": "client-link"})
    assert "Cancelled" in shown.select_one("dl.meta").get_text()
    assert "Ann Example" not in page(therapist.get("/review/appointments")).get_text()
    assert therapist.post(f"{location}/resend", data={"email": "a@b.example"}
                          ).status_code == 303
    assert len(messages(mail_app)) == 1  # a closed invitation is not sent again


def set_up_every_state(app, rulebook):
    """One invitation in each state the Appointments view shows."""
    client = app.test_client()
    later = TODAY + timedelta(days=5)
    invited, _ = make_invitation(app, day=later, client_name="Ivy Invited")
    reminded, _ = make_invitation(app, day=later, client_name="Rita Reminded", email="r@x.io")
    started, link = make_invitation(app, day=later, client_name="Stan Started", email="s@x.io")
    client.get(link)
    answered, link = make_invitation(app, day=later, client_name="Una Urgent", email="u@x.io")
    client.get(link)
    client.post("/submit", data=consent(form_data(rulebook, CASES["urgent"],
                                                  appointment_date=later.isoformat())))
    today, _ = make_invitation(app, day=TODAY, appointment_time=time(23, 59),
                               client_name="Nat Notyet", email="n@x.io")
    make_invitation(app, day=YESTERDAY, client_name="Yves Yesterday", email="y@x.io")
    with app.app_context():
        for message in db.session.scalars(select(OutboxMessage)):
            message.status, message.sent_at = "sent", datetime.now(UTC)
        invitation = db.session.get(Invitation, reminded)
        invitation.messages.append(OutboxMessage(
            kind="reminder", recipient="r@x.io", message_id="<r@x>", status="sent",
            created_at=datetime.now(UTC), next_attempt_at=datetime.now(UTC), last_error=""))
        db.session.commit()
    return {"invited": invited, "reminded": reminded, "started": started,
            "answered": answered, "today": today}


def test_the_appointments_view_lists_each_upcoming_appointment_today_first_with_its_state(
        mail_app, rulebook):
    set_up_every_state(mail_app, rulebook)
    shown = page(signed_in(mail_app).get("/review/appointments"))
    days = shown.select("table.appointments")
    captions = [table.caption.get_text(strip=True) for table in days]
    assert captions[0] == f"Today, {TODAY:%A} {TODAY.day} {TODAY:%B %Y}"
    assert len(captions) == 2  # today and in five days; yesterday's is past
    rows = {row.th.get_text(strip=True): row for table in days
            for row in table.select("tbody tr")}
    assert list(rows) == ["Nat Notyet", "Ivy Invited", "Rita Reminded", "Stan Started",
                          "Una Urgent"]

    def state(name):
        return rows[name].select_one(".state").get_text(strip=True)

    assert state("Nat Notyet") == "Not answered by the day"
    assert state("Ivy Invited") == "Invited"
    assert state("Rita Reminded") == "Reminded"
    assert state("Stan Started") == "Started: opened the link"
    assert state("Una Urgent") == "Answered"
    tags = [tag.get_text(" ", strip=True) for tag in rows["Una Urgent"].select(".tag")]
    assert tags == ["⚠ Urgent", "✕ Postpone"]
    assert rows["Una Urgent"].find("a", href="/review/screenings/1")
    assert "Yves Yesterday" not in shown.get_text()


def test_the_screening_page_shows_its_invitation(mail_app, rulebook):
    ids = set_up_every_state(mail_app, rulebook)
    shown = page(signed_in(mail_app).get("/review/screenings/1"))
    link = shown.find("a", href=f"/review/invitations/{ids['answered']}")
    assert link.get_text(strip=True).startswith("Invited for ")
    invitation_page = page(signed_in(mail_app).get(f"/review/invitations/{ids['answered']}"))
    assert invitation_page.find("a", href="/review/screenings/1")
    assert not invitation_page.find("input", {"id": "client-link"})  # answered: closed


def test_a_long_list_of_appointments_comes_in_pages(mail_app):
    with mail_app.app_context():
        for number in range(60):
            service.create(service.InvitationDetails(
                client_name=f"Client {number:02d}", email=f"c{number}@x.io", phone=None,
                appointment_date=TOMORROW, appointment_time=time(8 + number // 6, number % 6 * 10),
                therapist="", note=""))
        db.session.commit()
    therapist = signed_in(mail_app)
    first = page(therapist.get("/review/appointments"))
    assert len(first.select("tbody tr")) == 50
    assert first.select_one("tbody th").get_text(strip=True) == "Client 00"
    second = page(therapist.get("/review/appointments?page=2"))
    assert [row.th.get_text(strip=True) for row in second.select("tbody tr")][-1] == "Client 59"
