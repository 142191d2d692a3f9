"""Stored screenings, therapists, their sessions and decisions, and the audit trail.

Answers are one JSON document keyed by question id. Decisions and audit events
are only ever added: a revised decision is a new row, and the audit trail
refuses updates and deletes at the session level.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from flask_babel import gettext, lazy_gettext
from flask_login import UserMixin
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from .database import db
from .names import KEY_LENGTH, search_key
from .rulebook import RANK

if TYPE_CHECKING:
    from .invitations.models import Invitation

#: What a therapist can decide about a screening, and how each decision reads (in the
#: language in force).
DECISION_KINDS = {
    "go_ahead": lazy_gettext("Go ahead"),
    "go_ahead_with_changes": lazy_gettext("Go ahead with changes"),
    "waiting_for_clearance": lazy_gettext("Waiting for doctor's clearance"),
    "cleared_by_doctor": lazy_gettext("Cleared by doctor"),
    "postponed": lazy_gettext("Postponed"),
    "declined": lazy_gettext("Declined"),
}


def as_utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back without a time zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Client(db.Model):
    """A person the clinic screens: groups their screenings and invitations. Made from the
    first screening or invitation, and matched by a therapist, never guessed from a name
    (clients.py). A record merged into another (merged_into_id) counts as part of it until
    unmerged, so a merge changes nothing else and is undone by clearing it."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: The name as searched (screening/names.py), set with the name.
    search_name: Mapped[str] = mapped_column(String(KEY_LENGTH), default="", index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    merged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    merged_into: Mapped[Client | None] = relationship(remote_side="Client.id")

    @validates("name")
    def _key_name(self, _key: str, name: str) -> str:
        self.search_name = search_key(name)
        return name

    def __repr__(self) -> str:
        return f"<Client {self.id}>"


class Screening(db.Model):
    """One client's submitted questionnaire and the engine's result at the time."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    result_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_name: Mapped[str] = mapped_column(String(100))
    #: The name as the queue's search compares it (screening/names.py), set with the name.
    search_name: Mapped[str] = mapped_column(String(KEY_LENGTH), default="")
    date_of_birth: Mapped[date] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    appointment_date: Mapped[date | None] = mapped_column(Date, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(20))
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
    #: What was signed: {"version": the declaration wording's version, and for a client
    #: under SCREENING_MINIMUM_AGE "guardian": {"name", "relationship"} of the parent or
    #: guardian who signed}. None for screenings sent before it was kept.
    declaration: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: The latest decision's kind (None until reviewed), kept here so the queue can sort on it.
    decision: Mapped[str | None] = mapped_column(String(32), index=True)
    #: The invitation the client answered from, if any (see screening/invitations/).
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True)
    #: The client record it belongs to (None only for rows stored without one, in tests).
    #: Not a foreign key in the database: adding one on SQLite copies the table, and
    #: dropping the old copy fires the ON DELETE actions of the tables that refer to it.
    client_id: Mapped[int | None] = mapped_column(index=True)
    #: The language the client answered in (screening/i18n.py): their result, printout and
    #: letter are in it; the therapist's pages say it.
    language: Mapped[str] = mapped_column(String(16), default="en")

    decisions: Mapped[list[Decision]] = relationship(
        back_populates="screening", order_by="Decision.id.desc()")
    invitation: Mapped[Invitation | None] = relationship(back_populates="screenings")
    client: Mapped[Client | None] = relationship(
        primaryjoin="foreign(Screening.client_id) == Client.id")

    @property
    def guardian(self) -> dict[str, str] | None:
        return (self.declaration or {}).get("guardian")

    @property
    def guardian_consent(self) -> str | None:
        """'minor, consent by NAME (RELATIONSHIP)' for a client a guardian signed for."""
        if not self.guardian:
            return None
        return gettext("minor, consent by %(name)s (%(relationship)s)",
                       name=self.guardian["name"], relationship=self.guardian["relationship"])

    @property
    def signed_as(self) -> str:
        """The typed signature as a therapist reads it: 'signed as ... (differs from the
        client's name)' when its words are not the signer's name's (case and accents aside)."""
        signer = self.guardian["name"] if self.guardian else self.client_name
        if search_key(self.signature) == search_key(signer):
            return self.signature
        if self.guardian:
            return gettext("signed as %(signature)s (differs from the guardian's name)",
                           signature=self.signature)
        return gettext("signed as %(signature)s (differs from the client's name)",
                       signature=self.signature)

    @validates("outcome")
    def _rank_outcome(self, _key: str, outcome: str) -> str:
        self.outcome_rank = RANK[outcome]
        return outcome

    @validates("client_name")
    def _key_name(self, _key: str, name: str) -> str:
        self.search_name = search_key(name)
        return name

    def __repr__(self) -> str:
        return f"<Screening {self.id} {self.outcome}>"


#: The queue's order (see review/queue.py), as an index, so the first page of 10,000
#: screenings is read in order instead of sorted.
QUEUE_ORDER = (
    Screening.decision.is_not(None), Screening.urgent.desc(), Screening.outcome_rank.desc(),
    Screening.appointment_date.is_(None), Screening.appointment_date,
    Screening.submitted_at.desc(), Screening.id.desc())
Index("ix_screenings_queue", *QUEUE_ORDER)
#: The queue filtered by outcome, read in the queue's order.
Index("ix_screenings_outcome_queue", Screening.outcome, *QUEUE_ORDER)
#: One person's screenings (the same name, as searched, and date of birth): for likely
#: duplicates (review/duplicates.py).
Index("ix_screenings_person", Screening.search_name, Screening.date_of_birth)
#: The name search (review/queue.py: each word anywhere in the name) on PostgreSQL: a
#: trigram index (pg_trgm). SQLite has none, and reads the names.
Index("ix_screenings_search_name_trgm", Screening.search_name, postgresql_using="gin",
      postgresql_ops={"search_name": "gin_trgm_ops"}).ddl_if(dialect="postgresql")
#: The same for the screenings not reviewed yet alone: a name searched with "not reviewed
#: yet" reads it instead of intersecting the names with every unreviewed screening.
Index("ix_screenings_unreviewed_name_trgm", Screening.search_name, postgresql_using="gin",
      postgresql_ops={"search_name": "gin_trgm_ops"},
      postgresql_where=Screening.decision.is_(None)).ddl_if(dialect="postgresql")


class Draft(db.Model):
    """Answers not sent yet, kept on the server (never in the browser), of two kinds
    (intake/drafts.py), neither of them a screening: nothing in a draft is screened,
    counted or shown to therapists.

    - "check": answers checked but not sent, what "check your answers" shows, for a few
      hours. That page is a page of its own (POST, redirect, GET), so Back from the result
      and Reload show it again instead of asking to send a form again.
    - "saved": answers a client saved to come back to later (complete or not, right or
      not), for SCREENING_DRAFT_DAYS days: through their invitation's link, or, from the
      open questionnaire, through a link of their own.
    """

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="check")
    #: A hash of the token in the page's address, like a result link's; none for the
    #: answers saved from an invitation (its own link opens them).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Saved from the open questionnaire: the link's token is derived from this random key
    #: and the app's secret key (like an invitation's), so its email can be composed when
    #: it is sent; a copy of the database alone opens nothing.
    link_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Saved from an invitation: one draft for it, opened by its link again.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True)
    #: The questionnaire's submission key: sending it deletes the saved draft.
    submission_key: Mapped[str | None] = mapped_column(String(32), index=True)
    #: The questionnaire's fields as (name, value) pairs, as they were posted.
    fields: Mapped[list[list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


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

    #: The random id of the review session this object was loaded for or signed in with
    #: (see review/sessions.py); not a column.
    session_id = None  # a plain attribute: str once set

    def get_id(self) -> str:
        """What the session cookie remembers (Flask-Login's alternative id): the random id of
        a row of review_sessions, never the account's own id."""
        if self.session_id is None:
            raise RuntimeError("start a review session first (review.sessions.start)")
        return self.session_id

    @property
    def password_fingerprint(self) -> str:
        """A short fingerprint of the password hash: a review session remembers the one it was
        signed in with, so a new password (`therapist reset-password`) ends it."""
        return sha256(self.password_hash.encode()).hexdigest()[:16]


class ReviewSession(db.Model):
    """A therapist signed in on one browser, until signed out, idle or too old (review/
    sessions.py). The cookie holds a random id; only its SHA-256 is stored."""

    __tablename__ = "review_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"), index=True)
    password_fingerprint: Mapped[str] = mapped_column(String(16))
    #: The address it was signed in from, as the app trusts it (see SCREENING_TRUSTED_PROXIES).
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Updated at most once a minute (review/sessions.py LAST_SEEN_STEP).
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Why it ended: signed_out, signed_out_elsewhere (from another session), idle, lifetime.
    end_reason: Mapped[str | None] = mapped_column(String(20))

    therapist: Mapped[Therapist] = relationship()


class SignInCheck(db.Model):
    """A sign-in whose password is being checked right now: counted as a failure until it is
    decided, so simultaneous attempts cannot overshoot the limits (review/throttle.py)."""

    __tablename__ = "sign_in_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


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
