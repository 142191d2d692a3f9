"""The outbox sender against a real SMTP server that is down, slow, refusing an address, or
restarted between queueing and sending; retries with back-off; two senders at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from screening.database import db
from screening.models import Screening
from screening.outbox import LEASE, OutboxMessage, claim_next
from screening.sender import GIVE_UP_AFTER, deliver_due, retry_delay
from tests.factories import consent, form_data, make_app_on
from tests.invitations.conftest import BlackHole, SmtpServer, free_port, mail_settings
from tests.invitations.helpers import deliver, invite, messages, page, signed_in

URGENT = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "large_raised",
          "vv_symptoms_now": "yes", "vv_clot_history": "no"}


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def test_retries_wait_longer_each_time_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == \
        [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert retry_delay(30) == timedelta(hours=1)


def test_a_mail_server_that_is_down_is_tried_again_later_and_the_email_then_arrives(
        app_with, tmp_path):
    port = free_port()  # nothing listens here yet
    app = app_with(**mail_settings(port, tmp_path))
    therapist = signed_in(app)
    invite(therapist)
    assert deliver(app) == {"unreachable": 1}
    [message] = messages(app)
    assert message.status == "pending" and message.attempts == 1
    assert f"Could not reach the mail server 127.0.0.1:{port}" in message.last_error
    assert timedelta(seconds=25) < message.next_attempt_at.replace(tzinfo=UTC) \
        - datetime.now(UTC) <= timedelta(seconds=30)
    listed = page(therapist.get("/review/emails"))
    assert "Could not reach the mail server" in listed.select_one("table.queue").get_text()
    assert "Trying again at" in listed.select_one("table.queue").get_text()
    assert "1 email could not be delivered" in page(
        therapist.get("/review/appointments")).select_one(".notice").get_text(" ", strip=True)
    server = SmtpServer(port)
    try:
        assert deliver(app, now=later(20)) == {}  # not due yet: the back-off holds
        assert deliver(app, now=later(31)) == {"sent": 1}
        assert deliver(app, now=later(3600)) == {}
        assert len(server.inbox.wait_for(1, timeout=5)) == 1
    finally:
        server.stop()
    assert messages(app)[0].status == "sent"
    assert "Every email was delivered" in page(therapist.get("/review/emails")).get_text()


def test_a_mail_server_that_does_not_answer_times_out_and_is_tried_again(app_with, tmp_path):
    hung = BlackHole()
    try:
        app = app_with(**mail_settings(hung.port, tmp_path, MAIL_TIMEOUT=1))
        invite(signed_in(app))
        assert deliver(app) == {"unreachable": 1}
    finally:
        hung.stop()
    [message] = messages(app)
    assert message.status == "pending" and message.attempts == 1
    assert "did not answer within 1 seconds" in message.last_error


def test_a_refused_address_is_not_tried_again_until_asked_and_the_reason_is_shown(
        mail_app, smtp):
    smtp.inbox.refuse.add("ann@exampel.com")
    therapist = signed_in(mail_app)
    invite(therapist, email="ann@exampel.com")
    assert deliver(mail_app) == {"failed": 1}
    [message] = messages(mail_app)
    assert message.status == "failed"
    assert "refused the address" in message.last_error and "550" in message.last_error
    assert "ann@exampel.com" in message.last_error
    assert deliver(mail_app, now=later(24 * 3600)) == {}
    row = page(therapist.get("/review/appointments")).select_one("table.queue tbody tr")
    assert "Not delivered:" in row.get_text() and "550" in row.get_text()
    listed = page(therapist.get("/review/emails"))
    assert [button for button in listed.find_all("button")
            if button.get_text(" ", strip=True) == "Try again the email to ann@exampel.com"]
    smtp.inbox.refuse.clear()  # the address was right after all (a mailbox now exists)
    retried = therapist.post(f"/review/emails/{message.id}/retry")
    assert retried.status_code == 303
    assert deliver(mail_app) == {"sent": 1}
    assert [m["To"] for m in smtp.inbox.wait_for(1, timeout=5)] == ["ann@exampel.com"]


def test_messages_queued_before_a_restart_are_sent_once_after_it(app, app_with, smtp, tmp_path):
    before = app_with(**mail_settings(smtp.port, tmp_path))
    invite(signed_in(before))
    invite(signed_in(before), email="bo@example.com", client_name="Bo Example")
    with before.app_context():
        db.session.remove()
        db.engine.dispose()  # the app stops before its sender ran
    after = make_app_on(app.config["DATABASE_URL"], **mail_settings(smtp.port, tmp_path))
    try:
        assert deliver(after) == {"sent": 2}
        assert deliver(after) == {}
    finally:
        with after.app_context():
            db.session.remove()
            db.engine.dispose()
    arrived = smtp.inbox.wait_for(2, timeout=5)
    assert sorted(message["To"] for message in arrived) == ["ann@example.com", "bo@example.com"]


def test_a_sender_that_died_while_sending_leaves_the_message_to_the_next_after_its_lease(
        mail_app, smtp):
    invite(signed_in(mail_app))
    with mail_app.app_context():
        assert claim_next("crashed-sender") is not None  # then the process was killed
    assert deliver(mail_app) == {}
    assert deliver(mail_app, now=later(LEASE.total_seconds() + 1)) == {"sent": 1}
    assert len(smtp.inbox.wait_for(1, timeout=5)) == 1


def test_a_message_failing_for_a_day_is_given_up_on_and_shown(app_with, tmp_path):
    app = app_with(**mail_settings(free_port(), tmp_path))
    invite(signed_in(app))
    assert deliver(app, now=later(GIVE_UP_AFTER.total_seconds() + 60)) == {"unreachable": 1}
    [message] = messages(app)
    assert message.status == "failed"
    assert message.last_error.startswith("Given up after 1 tries in 24 hours.")


def test_a_submission_is_stored_with_its_alerts_while_the_mail_server_is_down(
        app_with, tmp_path, rulebook):
    app = app_with(**mail_settings(free_port(), tmp_path))
    response = app.test_client().post("/submit", data=consent(form_data(rulebook, URGENT)))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Screening)) == 1
    assert sorted((m.kind, m.recipient, m.status) for m in messages(app)) == [
        ("alert", "owner@riverside.example", "pending"),
        ("alert", "team@riverside.example", "pending")]
    assert deliver(app) == {"unreachable": 1}  # tried later, by the sender, never the request


def test_the_alert_and_its_screening_are_stored_together_or_not_at_all(mail_app, rulebook):
    def broken(*_args):
        raise OperationalError("INSERT INTO outbox_messages", {}, Exception("disk I/O error"))

    event.listen(OutboxMessage, "before_insert", broken)
    try:
        response = mail_app.test_client().post(
            "/submit", data=consent(form_data(rulebook, URGENT)))
    finally:
        event.remove(OutboxMessage, "before_insert", broken)
    assert response.status_code == 503  # "nothing was stored: send it again"
    with mail_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Screening)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize("senders", [2, 3])
def test_senders_running_at_once_send_each_message_once(mail_app, smtp, senders):
    therapist = signed_in(mail_app)
    for number in range(24):
        invite(therapist, client_name=f"Client {number}", email=f"client{number}@example.com")
    counts = []
    start = threading.Barrier(senders)

    def run():
        with mail_app.app_context():
            start.wait()
            counts.append(deliver_due()["sent"])

    threads = [threading.Thread(target=run) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(counts) == 24
    arrived = smtp.inbox.wait_for(24, timeout=10)
    assert len(arrived) == 24
    assert len({message["Message-ID"] for message in arrived}) == 24
    assert {message["To"] for message in arrived} == {f"client{n}@example.com"
                                                      for n in range(24)}
