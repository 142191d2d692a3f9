"""Retention for invitations: they hold a client's name and contact details, so `flask purge`
removes those for appointments before its cut-off, with their emails; and the record of
every other email (alerts) queued before it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from ..audit import COMMAND_LINE, record
from ..clinic import clinic_zone
from ..database import db
from ..models import Screening
from ..outbox import OutboxMessage
from .models import Invitation


def old_invitations(before: datetime) -> list[Invitation]:
    cutoff = before.astimezone(clinic_zone()).date()
    return list(db.session.scalars(select(Invitation).where(
        Invitation.appointment_date < cutoff).order_by(Invitation.id)))


def remove_invitations(invitations: list[Invitation], before: datetime) -> None:
    """Remove the invitations and their emails (a screening sent from one stays, untied),
    saying so in the audit trail; and the record of emails queued before `before`. The
    caller commits."""
    ids = [invitation.id for invitation in invitations]
    if ids:
        record("purge", subject=COMMAND_LINE, detail=f"{len(ids)} invitation(s) for "
               f"appointments before {before:%Y-%m-%d}, with their emails")
    db.session.execute(update(Screening).where(Screening.invitation_id.in_(ids))
                       .values(invitation_id=None).execution_options(synchronize_session=False))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.invitation_id.in_(ids)))
    db.session.execute(delete(Invitation).where(Invitation.id.in_(ids)))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.created_at < before,
                                                   OutboxMessage.status != "pending"))
