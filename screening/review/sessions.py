"""Therapists' sessions, kept on the server so that they really end.

The session cookie holds only a random id (Flask-Login's alternative id: Therapist.get_id);
the review_sessions table holds its SHA-256 with the account, and when the session started,
was last seen and ended. A session ends when the therapist signs out here or "everywhere
else" from another browser, after SCREENING_REVIEW_IDLE_MINUTES without a request, and
SCREENING_REVIEW_SESSION_HOURS after signing in however busy it is; it is refused once the
account is disabled or its password reset. Every app server reads the same table, so a
session that has ended has ended everywhere, and a copy of its cookie opens nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app, g, request
from flask_babel import gettext, lazy_gettext
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import joinedload

from ..audit import record
from ..database import db
from ..models import ReviewSession, Therapist, as_utc
from ..tokens import looks_like_token, new_token, token_hash

#: How often a session's last_seen_at is written: at most once a minute, not on every page.
LAST_SEEN_STEP = timedelta(seconds=60)
#: What a therapist is told on the next request after their session ended.
IDLE_MESSAGE = lazy_gettext("You were signed out after a while without activity. Sign in "
                            "again to carry on.")
ENDED_MESSAGE = lazy_gettext("You were signed out. Sign in again to carry on.")


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (timedelta(minutes=config["REVIEW_IDLE_MINUTES"]),
            timedelta(hours=config["REVIEW_SESSION_HOURS"]))


def ended_message(reason: str | None) -> str:
    """Why the session ended, to flash (a plain string: the session stores it)."""
    if reason == "idle":
        return str(IDLE_MESSAGE)
    if reason == "lifetime":
        return gettext("You were signed out: a session lasts at most %(hours)s hours. Sign in "
                       "again to carry on.", hours=current_app.config["REVIEW_SESSION_HOURS"])
    return str(ENDED_MESSAGE)


def start(therapist: Therapist) -> None:
    """A new session for a therapist who has just given the right password; the caller
    commits, then hands the therapist to Flask-Login's login_user."""
    token = new_token()
    now = datetime.now(UTC)
    db.session.add(ReviewSession(
        token_hash=token_hash(token), therapist_id=therapist.id,
        password_fingerprint=therapist.password_fingerprint,
        address=(request.remote_addr or "")[:64], created_at=now, last_seen_at=now))
    therapist.session_id = token


def resume(token: str) -> Therapist | None:
    """The therapist whose session the cookie names (Flask-Login's user loader), or None.

    A session found idle or too old is ended here (g.review_session_ended says why); one in
    use has its last_seen_at moved on, at most once a minute.
    """
    if not looks_like_token(token):
        return None
    row = db.session.scalar(select(ReviewSession).options(joinedload(ReviewSession.therapist))
                            .where(ReviewSession.token_hash == token_hash(token),
                                   ReviewSession.ended_at.is_(None)))
    if row is None:
        return None
    therapist = row.therapist
    if not therapist.active or row.password_fingerprint != therapist.password_fingerprint:
        return None
    now = datetime.now(UTC)
    idle, lifetime = _limits()
    reason = ("lifetime" if now - as_utc(row.created_at) >= lifetime
              else "idle" if now - as_utc(row.last_seen_at) > idle else None)
    if reason is not None:
        if _end(ReviewSession.id == row.id, reason, now):
            record(f"signed_out_{reason}", therapist=therapist)
        db.session.commit()
        g.review_session_ended = reason
        return None
    if now - as_utc(row.last_seen_at) >= LAST_SEEN_STEP:
        db.session.execute(update(ReviewSession).where(
            ReviewSession.id == row.id, ReviewSession.ended_at.is_(None))
            .values(last_seen_at=now))
        db.session.commit()
    g.review_session_id = row.id
    therapist.session_id = token
    return therapist


def _end(which: ColumnElement[bool], reason: str, now: datetime) -> int:
    """End the open sessions `which` selects; how many there were (the caller commits). Two
    requests ending one session at once end it once."""
    return db.session.execute(
        update(ReviewSession).where(which, ReviewSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)).rowcount


def end_this_one() -> None:
    """Sign-out: end the session of this request; the caller commits."""
    if g.get("review_session_id") is not None:
        _end(ReviewSession.id == g.review_session_id, "signed_out", datetime.now(UTC))


def _live(therapist: Therapist, now: datetime) -> ColumnElement[bool]:
    """The therapist's sessions that have not ended, idle or too old."""
    idle, lifetime = _limits()
    return (ReviewSession.therapist_id == therapist.id) & ReviewSession.ended_at.is_(None) \
        & (ReviewSession.last_seen_at >= now - idle) \
        & (ReviewSession.created_at > now - lifetime)


def open_sessions(therapist: Therapist) -> list[ReviewSession]:
    """Where the therapist is signed in, most recently active first."""
    return list(db.session.scalars(select(ReviewSession).where(
        _live(therapist, datetime.now(UTC))).order_by(ReviewSession.last_seen_at.desc())))


def end_the_others(therapist: Therapist) -> int:
    """Sign out everywhere else: end the therapist's other sessions; how many (the caller
    commits)."""
    now = datetime.now(UTC)
    return _end(_live(therapist, now) & (ReviewSession.id != g.review_session_id),
                "signed_out_elsewhere", now)
