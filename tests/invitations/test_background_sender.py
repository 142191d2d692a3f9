"""The app's own sender thread (what `make run` and gunicorn run): woken when a message is
queued, and stopping between messages, so a restart neither loses nor repeats one."""

from __future__ import annotations

import time

from tests.factories import consent, form_data
from tests.invitations.conftest import mail_settings
from tests.invitations.helpers import deliver, invite, messages, signed_in
from tests.invitations.test_outbox_delivery import URGENT


def test_the_running_app_sends_the_invitation_and_alerts_within_a_minute(
        app_with, smtp, tmp_path, rulebook):
    app = app_with(**mail_settings(smtp.port, tmp_path, MAIL_SENDER_THREAD=True))
    invite(signed_in(app))  # the first request starts the sender; the commit wakes it
    [invitation] = smtp.inbox.wait_for(1, timeout=60)
    assert invitation["To"] == "ann@example.com"
    queued = time.monotonic()
    app.test_client().post("/submit", data=consent(form_data(rulebook, URGENT)))
    arrived = smtp.inbox.wait_for(3, timeout=60)
    assert sorted(message["To"] for message in arrived[1:]) == [
        "owner@riverside.example", "team@riverside.example"]
    assert time.monotonic() - queued < 60  # "within a minute", the promise
    assert eventually(lambda: {message.status for message in messages(app)} == {"sent"})


def eventually(check, timeout: float = 10) -> bool:
    """True once `check()` is (the sender records a message just after the server has it)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_stopping_the_app_mid_delivery_loses_and_repeats_nothing(app_with, smtp, tmp_path):
    app = app_with(**mail_settings(smtp.port, tmp_path))
    therapist = signed_in(app)
    for number in range(20):
        invite(therapist, client_name=f"Client {number}", email=f"client{number}@example.com")
    sender = app.extensions["outbox_sender"]
    sender.ensure_running()
    smtp.inbox.wait_for(1, timeout=60)
    sender.stop(timeout=30)  # a restart: the message being sent is finished first
    assert not sender._thread.is_alive()
    sent_before = len(smtp.inbox.messages)
    deliver(app)  # the app again, after the restart
    arrived = smtp.inbox.wait_for(20, timeout=10)
    assert len(arrived) == 20 and sent_before <= 20
    assert len({message["Message-ID"] for message in arrived}) == 20
    assert {message.status for message in messages(app)} == {"sent"}
