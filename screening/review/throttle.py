"""Failed sign-ins: limits that guessing cannot overshoot and a stranger cannot use to lock a
therapist out (README, "Failed sign-ins").

Over the last SCREENING_SIGN_IN_LOCKOUT_MINUTES, sign-in is refused
- to an account from an address that has failed for it SIGN_IN_MAX_FAILURES_PER_ACCOUNT
  times: other addresses can still sign in to that account;
- from an address that has failed SIGN_IN_MAX_FAILURES_PER_ADDRESS times, for any account;
- to an account that has failed SIGN_IN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES times from
  all addresses together, from addresses it has not been signed in from in the last
  FAMILIAR_DAYS days: where the therapist usually signs in, the right password still works.

Failures are the audit trail's sign_in_failed events, every app server sees the same ones,
and a password reset restarts an account's counts. Counting and claiming an attempt is one
step under a lock (PostgreSQL: an advisory lock per account and per address; SQLite: its
write lock), and while a password is being checked its sign_in_checks row counts as a
failure, so simultaneous attempts are counted one by one, whatever worker takes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256

from flask import current_app
from sqlalchemy import delete, func, or_, select, union_all

from ..database import db
from ..models import AuditEvent, SignInCheck, as_utc

#: A check still unsettled after this long was cut short (its worker died): it counts no more.
CHECK_EXPIRY = timedelta(seconds=60)
#: An address the account has signed in from within this many days is one it is "usually"
#: signed in from.
FAMILIAR_DAYS = 90


@dataclass(frozen=True)
class Lockout:
    """Sign-in is refused for `seconds` more by one of the limits: "account" (from this
    address), "address" (for every account) or "new_address" (to this account)."""

    limit: str
    seconds: float

    def message(self) -> str:
        minutes = max(1, math.ceil(self.seconds / 60))
        wait = f"Wait {minutes} minute{'' if minutes == 1 else 's'}"
        if self.limit == "address":  # a password reset does not lift this one
            return f"Too many failed sign-ins from this address. {wait}, then try again."
        if self.limit == "account":
            return (f"Too many failed sign-ins for this account from this address. {wait}, "
                    "then try again, or ask the clinic owner to reset your password.")
        return (f"Too many failed sign-ins for this account from addresses it is not usually "
                f"signed in from. Sign in from where you usually do (such as the clinic), "
                f"{wait.lower()}, or ask the clinic owner to reset your password.")


def _settings() -> tuple[int, int, int, timedelta]:
    config = current_app.config
    return (int(config.get("SIGN_IN_MAX_FAILURES_PER_ACCOUNT", 5)),
            int(config.get("SIGN_IN_MAX_FAILURES_PER_ADDRESS", 20)),
            int(config.get("SIGN_IN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES", 20)),
            timedelta(minutes=int(config.get("SIGN_IN_LOCKOUT_MINUTES", 15))))


def claim(subject: str, email: str | None, address: str) -> int | Lockout:
    """Refuse this sign-in, or claim a check for it (its id) that counts as a failure until
    settled.

    `subject` is what the audit trail records (`email`, or a stand-in when what was typed is
    not an email address: then only the address's limit applies). Commits.
    """
    db.session.commit()  # what follows is a transaction of its own, holding the lock
    now = datetime.now(UTC)
    _lock([f"address:{address}", *([f"account:{email}"] if email else [])])
    db.session.execute(delete(SignInCheck).where(SignInCheck.started_at < now - CHECK_EXPIRY))
    check = SignInCheck(subject=subject, address=address, started_at=now)
    db.session.add(check)
    db.session.flush()  # on SQLite, the first write takes the database's write lock
    refused = _lockout(email, address, now, check.id)
    if refused is not None:
        db.session.rollback()
        return refused
    claimed = check.id
    db.session.commit()
    return claimed


def settle(check: int) -> None:
    """The check is decided: it stops counting. The caller adds the sign-in's audit event
    (a failure counts from then on) and commits both at once."""
    db.session.execute(delete(SignInCheck).where(SignInCheck.id == check))


def advisory_lock_id(key: str) -> int:
    """The 64-bit number of PostgreSQL's advisory lock for `key`."""
    return int.from_bytes(sha256(key.encode()).digest()[:8], "big", signed=True)


def _lock(keys: list[str]) -> None:
    """PostgreSQL: hold an advisory lock on each key until the transaction ends, in one order
    so that two attempts never wait for each other. SQLite has one writer at a time."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(keys):
        db.session.execute(select(func.pg_advisory_xact_lock(advisory_lock_id(key))))


def _lockout(email: str | None, address: str, now: datetime, own: int) -> Lockout | None:
    """The limit that refuses this attempt the longest, if any."""
    per_account, per_address, all_addresses, window = _settings()
    since = now - window
    ends = {"address": _locked_until(per_address, since, window, own, address=address)}
    if email is not None:
        reset = _last_password_reset(email)
        since = max(since, reset) if reset else since
        ends["account"] = _locked_until(per_account, since, window, own,
                                        subject=email, address=address)
        if not _signed_in_from(email, address, now):
            ends["new_address"] = _locked_until(all_addresses, since, window, own,
                                                subject=email)
    live = {limit: end for limit, end in ends.items() if end is not None and end > now}
    if not live:
        return None
    limit = max(live, key=live.__getitem__)
    return Lockout(limit, (live[limit] - now).total_seconds())


def _locked_until(limit: int, since: datetime, window: timedelta, own: int,
                  **match: str) -> datetime | None:
    """When the failures since `since` (and the checks under way but this one) matching
    `match` will have dropped below `limit`, or None if there are fewer than `limit`."""
    failures = select(AuditEvent.at.label("at")).where(
        AuditEvent.action == "sign_in_failed", AuditEvent.at >= since,
        *(getattr(AuditEvent, column) == value for column, value in match.items()))
    checks = select(SignInCheck.started_at.label("at")).where(
        SignInCheck.id != own, SignInCheck.started_at >= since,
        *(getattr(SignInCheck, column) == value for column, value in match.items()))
    times = union_all(failures, checks).subquery()
    nth_latest = db.session.scalar(select(times.c.at).order_by(times.c.at.desc())
                                   .offset(max(limit, 1) - 1).limit(1))
    return None if nth_latest is None else as_utc(nth_latest) + window


def _last_password_reset(email: str) -> datetime | None:
    """The account's latest `therapist reset-password` (its email is the event's detail; the
    subject in events recorded before account changes were shown as the command line's)."""
    at = db.session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.action == "password_reset",
        or_(AuditEvent.detail == email, AuditEvent.subject == email)))
    return None if at is None else as_utc(at)


def _signed_in_from(email: str, address: str, now: datetime) -> bool:
    """Whether the account has been signed in from this address in the last FAMILIAR_DAYS."""
    return db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "sign_in", AuditEvent.subject == email,
        AuditEvent.address == address,
        AuditEvent.at >= now - timedelta(days=FAMILIAR_DAYS)).limit(1)) is not None
