"""Reminders: SCREENING_REMINDER_HOURS (48) before the appointment, to a client who has not
answered, never twice, from `flask reminders send` (cron) or the app's own sender."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from screening.database import db
from screening.invitations import service
from screening.invitations.models import Invitation
from screening.invitations.reminders import queue_due_reminders
from tests.factories import consent, form_data
from tests.invitations.conftest import body
from tests.invitations.helpers import deliver, messages
from tests.invitations.test_start_links import make_invitation

IN_THREE_DAYS = datetime.now().date() + timedelta(days=3)


def appointment(app, invitation_id: int) -> datetime:
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        return service.appointment_moment(invitation.appointment_date,
                                          invitation.appointment_time).astimezone(UTC)


def backdate(app, invitation_id: int, days: int | None = None, at: datetime | None = None):
    """Pretend the invitation was made `days` ago (or `at`)."""
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        invitation.created_at = at or datetime.now(UTC) - timedelta(days=days)
        db.session.commit()


def remind(app, at: datetime, hours: int | None = None) -> int:
    with app.app_context():
        return queue_due_reminders(now=at, hours=hours)


def test_one_reminder_goes_48_hours_before_and_never_a_second(mail_app, smtp):
    invitation_id, _link = make_invitation(mail_app, day=IN_THREE_DAYS)
    backdate(mail_app, invitation_id, 5)
    starts = appointment(mail_app, invitation_id)
    assert remind(mail_app, starts - timedelta(hours=49)) == 0
    assert remind(mail_app, starts - timedelta(hours=48)) == 1
    assert remind(mail_app, starts - timedelta(hours=47)) == 0
    assert remind(mail_app, starts - timedelta(hours=1)) == 0
    deliver(mail_app)
    reminder = smtp.inbox.to("ann@example.com")[-1]
    when = f"{IN_THREE_DAYS:%A} {IN_THREE_DAYS.day} {IN_THREE_DAYS:%B %Y} at 14:30"
    assert reminder["Subject"] == f"Reminder: your appointment on {when}"
    assert "/start/" in body(reminder) and "have not had your answers" in body(reminder)
    assert [m.kind for m in messages(mail_app)] == ["invitation", "reminder"]


def test_the_hours_before_are_a_setting(app_with, smtp, tmp_path):
    from tests.invitations.conftest import mail_settings

    app = app_with(**mail_settings(smtp.port, tmp_path, REMINDER_HOURS=24))
    invitation_id, _link = make_invitation(app, day=IN_THREE_DAYS)
    backdate(app, invitation_id, 5)
    starts = appointment(app, invitation_id)
    assert remind(app, starts - timedelta(hours=30)) == 0
    assert remind(app, starts - timedelta(hours=23)) == 1


def test_no_reminder_once_answered_cancelled_without_email_or_just_invited(
        mail_app, rulebook):
    answered, link = make_invitation(mail_app, day=IN_THREE_DAYS)
    client = mail_app.test_client()
    client.get(link)
    client.post("/submit", data=consent(form_data(rulebook)))
    cancelled, _ = make_invitation(mail_app, day=IN_THREE_DAYS, email="c@example.com")
    with mail_app.app_context():
        service.cancel(db.session.get(Invitation, cancelled))
        db.session.commit()
    phone_only, _ = make_invitation(mail_app, day=IN_THREE_DAYS, email=None,
                                    phone="07700 900982")
    for invitation_id in (answered, cancelled, phone_only):
        backdate(mail_app, invitation_id, 5)
    # booked inside the 48 hours: its invitation has only just gone, no reminder on top
    late, _ = make_invitation(mail_app, day=IN_THREE_DAYS, email="late@example.com")
    starts = appointment(mail_app, answered)
    backdate(mail_app, late, at=starts - timedelta(hours=45))
    assert remind(mail_app, starts - timedelta(hours=40)) == 0


def test_a_reminder_already_queued_is_not_sent_once_the_client_answers(mail_app, smtp, rulebook):
    invitation_id, link = make_invitation(mail_app, day=IN_THREE_DAYS)
    backdate(mail_app, invitation_id, 5)
    assert remind(mail_app, appointment(mail_app, invitation_id) - timedelta(hours=47)) == 1
    client = mail_app.test_client()
    client.get(link)
    client.post("/submit", data=consent(form_data(rulebook)))
    assert deliver(mail_app) == {"cancelled": 2}  # the invitation and the reminder
    assert smtp.inbox.messages == []
    assert {m.last_error for m in messages(mail_app)} == {"The client had already answered."}


def test_two_cron_runs_at_once_queue_one_reminder(mail_app):
    ids = []
    for number in range(10):
        invitation_id, _ = make_invitation(mail_app, day=IN_THREE_DAYS,
                                           email=f"c{number}@example.com")
        backdate(mail_app, invitation_id, 5)
        ids.append(invitation_id)
    at = appointment(mail_app, ids[0]) - timedelta(hours=47)
    start = threading.Barrier(2)
    counts = []

    def run():
        with mail_app.app_context():
            start.wait()
            counts.append(queue_due_reminders(now=at))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(counts) == 10
    kinds = [m.kind for m in messages(mail_app)]
    assert kinds.count("reminder") == 10


def test_flask_reminders_send_queues_and_sends(mail_app, smtp):
    invitation_id, _ = make_invitation(mail_app, day=datetime.now().date() + timedelta(days=1),
                                       appointment_time=time(23, 59))
    backdate(mail_app, invitation_id, 5)
    result = mail_app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) queued." in result.output
    assert "2 sent" in result.output  # the invitation itself, and the reminder
    again = mail_app.test_cli_runner().invoke(args=["reminders", "send"])
    assert "0 reminder(s) queued." in again.output and "0 sent" in again.output
    with mail_app.app_context():
        assert db.session.scalar(select(Invitation)).id == invitation_id
    assert len(smtp.inbox.wait_for(2, timeout=5)) == 2
