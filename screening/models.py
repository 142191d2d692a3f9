"""Stored screenings, therapists, their decisions, and the audit trail.

Answers are one JSON document keyed by question id. Decisions and audit events
are only ever added: a revised decision is a new row, and the audit trail
refuses updates and deletes at the session level.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from .database import db
from .rulebook import RANK

if TYPE_CHECKING:
    from .invitations.models import Invitation

#: What a therapist can decide about a screening, and how each decision reads.
DECISION_KINDS = {
    "go_ahead": "Go ahead",
    "go_ahead_with_changes": "Go ahead with changes",
    "waiting_for_clearance": "Waiting for doctor's clearance",
    "cleared_by_doctor": "Cleared by doctor",
    "postponed": "Postponed",
    "declined": "Declined",
}


def as_utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back without a time zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Screening(db.Model):
    """One client's submitted questionnaire and the engine's result at the time."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    result_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_name: Mapped[str] = mapped_column(String(100), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    appointment_date: Mapped[date | None] = mapped_column(Date, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    #: The outcome's rank (clear 0 ... postpone 4), set with the outcome, so the queue can
    #: sort on an indexed column.
    outcome_rank: Mapped[int] = mapped_column(default=0)
    urgent: Mapped[bool]
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    body_areas: Mapped[list[str]] = mapped_column(JSON)
    rulebook_version: Mapped[str] = mapped_column(String(80))
    screened_on: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    signature: Mapped[str] = mapped_column(String(100))
    signed_on: Mapped[date] = mapped_column(Date)
    #: The latest decision's kind (None until reviewed), kept here so the queue can sort on it.
    decision: Mapped[str | None] = mapped_column(String(32), index=True)
    #: The invitation the client answered from, if any (see screening/invitations/).
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True)

    decisions: Mapped[list[Decision]] = relationship(
        back_populates="screening", order_by="Decision.id.desc()")
    invitation: Mapped[Invitation | None] = relationship(back_populates="screenings")

    @validates("outcome")
    def _rank_outcome(self, _key: str, outcome: str) -> str:
        self.outcome_rank = RANK[outcome]
        return outcome

    def __repr__(self) -> str:
        return f"<Screening {self.id} {self.outcome}>"


#: The queue's order (see review/queue.py), as an index, so the first page of 10,000
#: screenings is read in order instead of sorted.
QUEUE_ORDER = (
    Screening.decision.is_not(None), Screening.urgent.desc(), Screening.outcome_rank.desc(),
    Screening.appointment_date.is_(None), Screening.appointment_date,
    Screening.submitted_at.desc(), Screening.id.desc())
Index("ix_screenings_queue", *QUEUE_ORDER)


class Therapist(UserMixin, db.Model):
    """A clinic therapist who signs in to review screenings. Managed from the CLI."""

    __tablename__ = "therapists"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What the session remembers (Flask-Login's alternative id): the account id and a
        short fingerprint of the password hash. A new password (`therapist reset-password`)
        changes it, so the user loader no longer accepts sessions signed in before the reset.
        """
        from hashlib import sha256

        fingerprint = sha256(self.password_hash.encode()).hexdigest()[:16]
        return f"{self.id}:{fingerprint}"


class Decision(db.Model):
    """What a therapist decided about a screening; a revision is a new row."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))
    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    cleared_on: Mapped[date | None] = mapped_column(Date)
    cleared_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    screening: Mapped[Screening] = relationship(back_populates="decisions")
    therapist: Mapped[Therapist] = relationship()


class AuditEvent(db.Model):
    """One line of the append-only audit trail: who did what, when, from where."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_action_subject_at", "action", "subject", "at"),
        Index("ix_audit_events_action_address_at", "action", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    action: Mapped[str] = mapped_column(String(40))
    therapist_id: Mapped[int | None] = mapped_column(ForeignKey("therapists.id"))
    #: Who or what the event is about, as text: the email typed at a sign-in, or "command
    #: line" for what `flask` commands do.
    subject: Mapped[str] = mapped_column(String(254), default="")
    #: Not a foreign key: the trail outlives screenings removed after the retention period.
    screening_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    therapist: Mapped[Therapist | None] = relationship()


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, flush_context, instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent):
            raise ValueError("audit events cannot be changed or deleted")
