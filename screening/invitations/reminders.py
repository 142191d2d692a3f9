"""Reminders: one email, SCREENING_REMINDER_HOURS before the appointment, to a client who
has not answered yet; never two (a unique key in the outbox), however many senders run.

An invitation made inside that window (an appointment booked for tomorrow) gets no
reminder: its own email has only just gone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from ..clinic import clinic_zone
from ..database import db
from ..models import Screening
from ..outbox import OutboxMessage, queue
from .models import Invitation
from .service import appointment_moment


def reminder_key(invitation: Invitation) -> str:
    return f"reminder:{invitation.id}"


def due_reminders(now: datetime, hours: int) -> list[Invitation]:
    """Invitations whose reminder is due at `now` (UTC) and not queued yet."""
    window = timedelta(hours=hours)
    today = now.astimezone(clinic_zone()).date()
    last_day = (now + window).astimezone(clinic_zone()).date()
    candidates = db.session.scalars(select(Invitation).where(
        Invitation.appointment_date.between(today, last_day),
        Invitation.cancelled_at.is_(None), Invitation.email.is_not(None),
        ~exists().where(Screening.invitation_id == Invitation.id),
        ~exists().where(OutboxMessage.invitation_id == Invitation.id,
                        OutboxMessage.kind == "reminder"),
    ).order_by(Invitation.appointment_date, Invitation.appointment_time)).all()
    due = []
    for invitation in candidates:
        starts = appointment_moment(invitation.appointment_date, invitation.appointment_time)
        remind_at = starts - window
        created = invitation.created_at.replace(tzinfo=invitation.created_at.tzinfo or UTC)
        if remind_at <= now < starts and created < remind_at:
            due.append(invitation)
    return due


def queue_due_reminders(now: datetime | None = None, hours: int | None = None) -> int:
    """Queue every due reminder, each in its own transaction; how many were queued."""
    now = now or datetime.now(UTC)
    hours = hours if hours is not None else current_app.config["REMINDER_HOURS"]
    ids = [invitation.id for invitation in due_reminders(now, hours)]
    db.session.commit()  # end the read: each reminder below is its own short write
    queued = 0
    for invitation_id in ids:
        invitation = db.session.get(Invitation, invitation_id)
        queue("reminder", invitation.email, invitation=invitation,
              dedupe_key=reminder_key(invitation))
        try:
            db.session.commit()
        except IntegrityError:  # another sender queued it a moment ago
            db.session.rollback()
        else:
            queued += 1
    return queued
