"""Signing in and out, with failed attempts slowed down per account and per address.

Failed sign-ins are audit events, so the throttle counts them in the database: every
app server sharing the database sees the same count.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from ..database import db
from ..models import AuditEvent, Therapist
from . import bp
from .audit import record
from .forms import SignInForm, SignOutForm

#: Checked when no account matches, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = ("scrypt:32768:8:1$xu4FepqD6pdk3KNx$7a85fb866573959af8e527fff6cb51918b402928"
               "5b37019f66b88ca3287ac1bdf5a44bbee0c3be8f7dbabee2d83538920001a87eb13b0cf6553537"
               "e2abc4ddba")


def _settings() -> tuple[int, int, timedelta]:
    config = current_app.config
    return (int(config.get("SIGN_IN_MAX_FAILURES_PER_ACCOUNT", 5)),
            int(config.get("SIGN_IN_MAX_FAILURES_PER_ADDRESS", 20)),
            timedelta(minutes=int(config.get("SIGN_IN_LOCKOUT_MINUTES", 15))))


def _failures(column, value: str, since: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "sign_in_failed", column == value, AuditEvent.at >= since))


def throttled(email: str, address: str) -> bool:
    """Too many recent failed sign-ins for this account, or from this address."""
    per_account, per_address, window = _settings()
    since = datetime.now(UTC) - window
    return (_failures(AuditEvent.subject, email, since) >= per_account
            or _failures(AuditEvent.address, address, since) >= per_address)


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
    email = form.email.data.strip().lower()
    if throttled(email, request.remote_addr or ""):
        record("sign_in_refused", subject=email, commit=True)
        minutes = _settings()[2].seconds // 60
        form.password.errors = [f"Too many failed sign-ins. Wait {minutes} minutes, then try "
                                "again, or ask the clinic owner to reset your password."]
        return render_template("review/sign_in.html", form=form), 429
    therapist = db.session.scalar(select(Therapist).where(Therapist.email == email))
    password_ok = check_password_hash(therapist.password_hash if therapist else _DUMMY_HASH,
                                      form.password.data)
    if therapist is None or not password_ok or not therapist.active:
        disabled = therapist is not None and password_ok and not therapist.active
        record("sign_in_failed", subject=email,
               detail="account disabled" if disabled else "wrong email or password",
               commit=True)
        form.password.errors = [
            "This account has been disabled. Ask the clinic owner." if disabled
            else "Enter a correct email address and password"]
        return render_template("review/sign_in.html", form=form), 200
    session.clear()  # a fresh session at sign-in: nothing carried over from before
    login_user(therapist)
    session["last_seen"] = datetime.now(UTC).timestamp()
    record("sign_in", therapist=therapist, commit=True)
    return redirect(safe_next(form.next.data))


@bp.post("/sign-out")
def sign_out():
    if SignOutForm().validate_on_submit():
        record("sign_out", therapist=current_user, commit=True)
        logout_user()
        session.clear()
        flash("You have signed out.")
    return redirect(url_for("review.sign_in"))
