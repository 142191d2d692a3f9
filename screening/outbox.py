"""The outbox: every email the app sends is first a row here, written in the same database
transaction as what caused it (an invitation, a screening that needs attention), so a mail
server that is down never delays, fails or loses anything. A sender (screening/sender.py)
delivers the rows later, with retries.

Two senders (two app servers, or the app and `flask outbox send` from cron) never take the
same row: a sender claims one row at a time with a single UPDATE of the first due row,
picked with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL (rows another sender is
claiming are skipped, not waited for); SQLite runs one writing statement at a time, which
gives the same. A claim is a lease: a sender that dies while sending leaves the row to be
taken again when the lease runs out.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app, has_app_context, has_request_context
from flask_babel import lazy_gettext
from flask_mailman import make_msgid
from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    event,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .database import db
from .i18n import page_language
from .models import Draft, Screening

if TYPE_CHECKING:
    from .invitations.models import Invitation

#: How long a claimed row is left to its sender before another may take it. Far longer
#: than one message can take (SCREENING_MAIL_TIMEOUT bounds each step of SMTP).
LEASE = timedelta(minutes=5)
KINDS = {"invitation": lazy_gettext("Invitation"), "reminder": lazy_gettext("Reminder"),
         "alert": lazy_gettext("Alert to the clinic"),
         "draft": lazy_gettext("Link to saved answers")}
STATUSES = {"pending": lazy_gettext("Waiting to be sent"), "sent": lazy_gettext("Sent"),
            "failed": lazy_gettext("Not delivered"),
            "cancelled": lazy_gettext("Not needed any more")}


class OutboxMessage(db.Model):
    """One email to one address. What it says is composed when it is sent, from the
    invitation or screening it is about, so no link or name waits here in plain text."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(254))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    screening_id: Mapped[int | None] = mapped_column(
        ForeignKey("screenings.id", ondelete="SET NULL"), index=True)
    #: A client's link to the answers they saved (intake/drafts.py); unset once they are
    #: sent or expire, when the message is no longer needed.
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("drafts.id", ondelete="SET NULL"), index=True)
    #: Set for what must never be queued twice (a reminder): unique in the database.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    #: The same Message-ID on every attempt, so a mail system can spot a repeat.
    message_id: Mapped[str] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Why the last attempt failed (or why it was not needed), in words for the clinic.
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The language to write it in, when it is the language of the page that queued it
    #: (a saved-draft link); None: its composer decides (screening/mail.py).
    language: Mapped[str | None] = mapped_column(String(16))

    invitation: Mapped[Invitation | None] = relationship(back_populates="messages")
    screening: Mapped[Screening | None] = relationship()
    draft: Mapped[Draft | None] = relationship()

    @property
    def undelivered(self) -> bool:
        return self.status == "failed" or (self.status == "pending" and self.attempts > 0)


def queue(kind: str, recipient: str, *, invitation: Invitation | None = None,
          screening: Screening | None = None, dedupe_key: str | None = None,
          session: Session | None = None) -> OutboxMessage:
    """Add a message to the outbox in the current transaction; the caller commits. Queued
    from a page, it keeps the page's language (the client who asked for the email reads
    that one)."""
    language = page_language() if has_request_context() else None
    message = OutboxMessage(**new_row(kind, recipient), invitation=invitation,
                            screening=screening, dedupe_key=dedupe_key, language=language)
    session = session or db.session
    session.add(message)
    session.info[_QUEUED] = True  # wake the sender when this commits
    return message


def queue_many(rows: list[dict]) -> None:
    """Add many messages (each made by `new_row`) in one statement; the caller commits."""
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
        db.session.info[_QUEUED] = True


def new_row(kind: str, recipient: str, **more) -> dict:
    """The columns of a new message, due now."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of message {kind!r}")
    now = datetime.now(UTC)
    return {"kind": kind, "recipient": recipient, "message_id": make_msgid(domain=_mail_domain()),
            "created_at": now, "status": "pending", "attempts": 0, "next_attempt_at": now,
            "last_error": "", **more}


def _mail_domain() -> str:
    sender = (current_app.config.get("MAIL_FROM") or "") if has_app_context() else ""
    return sender.rpartition("@")[2].strip(" >") or "localhost"


def new_claimer() -> str:
    """A sender's name for its claims (random: two processes never share one)."""
    return secrets.token_hex(8)


def _claimable(now: datetime):
    return (OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))


def claim_next(claimer: str, now: datetime | None = None) -> int | None:
    """Claim the next due message for `claimer` and commit; its id, or None if none is due."""
    now = now or datetime.now(UTC)
    first_due = (select(OutboxMessage.id).where(*_claimable(now))
                 .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
                 .with_for_update(skip_locked=True).scalar_subquery())
    claimed = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == first_due, *_claimable(now))
        .values(claimed_by=claimer, claimed_until=now + LEASE)
        .returning(OutboxMessage.id).execution_options(synchronize_session=False)).scalar()
    db.session.commit()
    return claimed


def finish(message_id: int, claimer: str, **values) -> bool:
    """Record how an attempt went, only if `claimer` still holds the claim; commit."""
    done = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == claimer)
        .values(claimed_by=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return done.rowcount == 1


def retry_now(message: OutboxMessage) -> None:
    """Send a message that was given up on again, as if new (the caller commits)."""
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = datetime.now(UTC)
    message.created_at = datetime.now(UTC)  # the give-up clock starts again
    message.claimed_by = message.claimed_until = None


def undelivered_query():
    """Messages that could not be delivered (given up, or failing and being retried)."""
    return (select(OutboxMessage)
            .where(or_(OutboxMessage.status == "failed",
                       (OutboxMessage.status == "pending") & (OutboxMessage.attempts > 0)))
            .order_by(OutboxMessage.id.desc()))


# Waking the sender as soon as a transaction that queued messages commits ------------------

_QUEUED = "outbox_queued"



@event.listens_for(Session, "after_commit")
def _wake_sender(session: Session) -> None:
    if session.info.pop(_QUEUED, False) and has_app_context():
        sender = current_app.extensions.get("outbox_sender")
        if sender is not None:
            sender.wake()


@event.listens_for(Session, "after_rollback")
def _forget_new_messages(session: Session) -> None:
    session.info.pop(_QUEUED, None)
