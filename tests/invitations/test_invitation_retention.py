"""`flask purge` removes invitations (a client's name and contact details) for appointments
before its cut-off, with their emails; screenings it keeps lose only the tie."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from screening.database import db
from screening.invitations.models import Invitation
from screening.models import AuditEvent, Screening
from screening.outbox import OutboxMessage
from tests.factories import consent, form_data
from tests.invitations.test_start_links import make_invitation


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_purge_removes_old_invitations_and_their_emails_and_keeps_anonymised_screenings(
        app, client, rulebook):
    _old_id, link = make_invitation(app, day=date.today() + timedelta(days=1))
    client.get(link)
    client.post("/submit", data=consent(form_data(rulebook)))
    make_invitation(app, email="recent@example.com")
    with app.app_context():
        old = db.session.get(Invitation, 1)
        old.appointment_date = date.today() - timedelta(days=800)
        db.session.get(Screening, 1).submitted_at = datetime.now(UTC) - timedelta(days=800)
        db.session.commit()
    dry = app.test_cli_runner().invoke(args=["purge", "--older-than", "730", "--dry-run"])
    assert "1 invitation(s) for appointments before" in dry.output
    assert count(app, Invitation) == 2
    done = app.test_cli_runner().invoke(args=["purge", "--older-than", "730", "--anonymise",
                                              "--yes"])
    assert done.exit_code == 0, done.output
    assert "Done: 1 screening(s) anonymised, 1 invitation(s) removed." in done.output
    with app.app_context():
        assert [i.email for i in db.session.scalars(select(Invitation))] == [
            "recent@example.com"]
        assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == [
            "recent@example.com"]
        screening = db.session.get(Screening, 1)
        assert screening.client_name == "Anonymised" and screening.invitation_id is None
        details = [e.detail for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "purge"))]
        assert details == [details[0]] and "1 invitation(s) for appointments before" in \
            details[0]


def test_purge_with_only_old_invitations(app):
    make_invitation(app)
    with app.app_context():
        db.session.get(Invitation, 1).appointment_date = date.today() - timedelta(days=30)
        db.session.commit()
    done = app.test_cli_runner().invoke(args=["purge", "--older-than", "7", "--yes"])
    assert done.exit_code == 0, done.output
    assert "Done: 0 screening(s) removed, 1 invitation(s) removed." in done.output
    assert count(app, Invitation) == count(app, OutboxMessage) == 0
