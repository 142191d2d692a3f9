"""Signing in and out, with failed attempts slowed down per account and per address.

Failed sign-ins are audit events, so the throttle counts them in the database: every
app server sharing the database sees the same count. The trail is append-only, so a
password reset lifts an account's lockout by counting that account's failures from the
reset on (an address's lockout is not lifted by any reset).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash

from ..audit import record
from ..database import db
from ..models import AuditEvent, Therapist, as_utc
from . import bp
from .forms import SignInForm, SignOutForm, looks_like_email

#: The audit subject of a sign-in whose email box held something other than an email address
#: (perhaps the password, typed in the wrong box): the text itself is never recorded.
NOT_AN_EMAIL = "(not an email address)"

#: Checked when no account matches, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = ("scrypt:32768:8:1$xu4FepqD6pdk3KNx$7a85fb866573959af8e527fff6cb51918b402928"
               "5b37019f66b88ca3287ac1bdf5a44bbee0c3be8f7dbabee2d83538920001a87eb13b0cf6553537"
               "e2abc4ddba")


def _settings() -> tuple[int, int, timedelta]:
    config = current_app.config
    return (int(config.get("SIGN_IN_MAX_FAILURES_PER_ACCOUNT", 5)),
            int(config.get("SIGN_IN_MAX_FAILURES_PER_ADDRESS", 20)),
            timedelta(minutes=int(config.get("SIGN_IN_LOCKOUT_MINUTES", 15))))


@dataclass(frozen=True)
class Lockout:
    """Sign-in is refused for the account, or from the address, for `seconds` more."""

    by_address: bool
    seconds: float

    def message(self) -> str:
        minutes = max(1, math.ceil(self.seconds / 60))
        wait = f"Wait {minutes} minute{'' if minutes == 1 else 's'}"
        if self.by_address:  # a password reset does not lift this one
            return f"Too many failed sign-ins from this address. {wait}, then try again."
        return (f"Too many failed sign-ins for this account. {wait}, then try again, or ask "
                "the clinic owner to reset your password.")


def _locked_until(column, value: str, since: datetime, limit: int,
                  window: timedelta) -> datetime | None:
    """When the failures since `since` will have dropped below `limit` (the limit-th latest
    leaves the window), or None if there are fewer than `limit` of them."""
    nth_latest = db.session.scalar(
        select(AuditEvent.at)
        .where(AuditEvent.action == "sign_in_failed", column == value, AuditEvent.at >= since)
        .order_by(AuditEvent.at.desc()).offset(max(limit, 1) - 1).limit(1))
    return None if nth_latest is None else as_utc(nth_latest) + window


def _last_password_reset(email: str) -> datetime | None:
    """The account's latest `therapist reset-password` (its email is the event's detail; the
    subject in events recorded before account changes were shown as the command line's)."""
    at = db.session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.action == "password_reset",
        or_(AuditEvent.detail == email, AuditEvent.subject == email)))
    return None if at is None else as_utc(at)


def lockout(email: str | None, address: str) -> Lockout | None:
    """Too many recent failed sign-ins for this account (counted from its last password
    reset, if that is later: a reset lets the therapist in), or from this address."""
    per_account, per_address, window = _settings()
    now = datetime.now(UTC)
    since = now - window
    account_until = None
    if email is not None:
        reset = _last_password_reset(email)
        account_until = _locked_until(AuditEvent.subject, email,
                                      max(since, reset) if reset else since, per_account, window)
    address_until = _locked_until(AuditEvent.address, address, since, per_address, window)
    ends = [end for end in (account_until, address_until) if end is not None and end > now]
    if not ends:
        return None
    return Lockout(by_address=address_until in ends, seconds=(max(ends) - now).total_seconds())


def safe_next(target: str | None) -> str:
    """Only ever go back to a page of the review area (no open redirects)."""
    if target and target.startswith("/review/") and not target.startswith("//"):
        return target
    return url_for("review.queue")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data))
    if not form.validate_on_submit():
        return render_template("review/sign_in.html", form=form)
    typed = form.email.data.strip().lower()
    email = typed if looks_like_email(typed) else None
    refused = lockout(email, request.remote_addr or "")
    if refused:
        record("sign_in_refused", subject=email or NOT_AN_EMAIL, commit=True)
        form.password.errors = [refused.message()]
        return (render_template("review/sign_in.html", form=form), 429,
                {"Retry-After": str(math.ceil(refused.seconds))})
    therapist = _account_for(form, email)
    if therapist is None:
        return render_template("review/sign_in.html", form=form), 200
    session.clear()  # a fresh session at sign-in: nothing carried over from before
    login_user(therapist)
    session["last_seen"] = datetime.now(UTC).timestamp()
    record("sign_in", therapist=therapist, commit=True)
    return redirect(safe_next(form.next.data))


def _account_for(form: SignInForm, email: str | None) -> Therapist | None:
    """The active account with the email and password typed; else None, with the failed
    sign-in recorded and the message on the form. An unknown email is checked against a
    dummy hash, so it takes as long as a wrong password."""
    therapist = (db.session.scalar(select(Therapist).where(Therapist.email == email))
                 if email else None)
    password_ok = check_password_hash(therapist.password_hash if therapist else _DUMMY_HASH,
                                      form.password.data)
    if therapist is not None and password_ok and therapist.active:
        return therapist
    disabled = therapist is not None and password_ok
    record("sign_in_failed", subject=email or NOT_AN_EMAIL,
           detail="account disabled" if disabled else "wrong email or password", commit=True)
    form.password.errors = ["This account has been disabled. Ask the clinic owner." if disabled
                            else "Enter a correct email address and password"]
    return None


@bp.post("/sign-out")
def sign_out():
    if SignOutForm().validate_on_submit():
        record("sign_out", therapist=current_user, commit=True)
        logout_user()
        session.clear()
        flash("You have signed out.")
    return redirect(url_for("review.sign_in"))
