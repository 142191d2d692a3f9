"""Signing in and out, and signing out everywhere else.

Failed sign-ins are limited by throttle.py; a signed-in therapist's session lives in the
database (sessions.py), so signing out ends it for every copy of the cookie.
"""

from __future__ import annotations

import math

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash

from ..audit import record
from ..database import db
from ..models import Therapist
from . import bp, sessions, throttle
from .forms import SignInForm, SignOutForm, looks_like_email

#: The audit subject of a sign-in whose email box held something other than an email address
#: (perhaps the password, typed in the wrong box): the text itself is never recorded.
NOT_AN_EMAIL = "(not an email address)"

#: Checked when no account matches, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = ("scrypt:32768:8:1$xu4FepqD6pdk3KNx$7a85fb866573959af8e527fff6cb51918b402928"
               "5b37019f66b88ca3287ac1bdf5a44bbee0c3be8f7dbabee2d83538920001a87eb13b0cf6553537"
               "e2abc4ddba")


def safe_next(target: str | None) -> str:
    """Only ever go back to a page of the review area (no open redirects), and only to an
    address that can be sent as one (no line breaks or other control characters)."""
    if target and target.startswith("/review/") and not target.startswith("//") \
            and target.isprintable():
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
    check = throttle.claim(email or NOT_AN_EMAIL, email, request.remote_addr or "")
    if isinstance(check, throttle.Lockout):
        record("sign_in_refused", subject=email or NOT_AN_EMAIL, commit=True)
        form.password.errors = [check.message()]
        return (render_template("review/sign_in.html", form=form), 429,
                {"Retry-After": str(math.ceil(check.seconds))})
    therapist = (db.session.scalar(select(Therapist).where(Therapist.email == email))
                 if email else None)
    password_ok = check_password_hash(therapist.password_hash if therapist else _DUMMY_HASH,
                                      form.password.data)
    throttle.settle(check)
    if therapist is None or not password_ok or not therapist.active:
        disabled = therapist is not None and password_ok and not therapist.active
        record("sign_in_failed", subject=email or NOT_AN_EMAIL,
               detail="account disabled" if disabled else "wrong email or password",
               commit=True)
        form.password.errors = [
            "This account has been disabled. Ask the clinic owner." if disabled
            else "Enter a correct email address and password"]
        return render_template("review/sign_in.html", form=form), 200
    sessions.end_this_one()  # signing in again, perhaps as someone else
    session.clear()  # a fresh session at sign-in: nothing carried over from before
    sessions.start(therapist)
    record("sign_in", therapist=therapist, commit=True)
    login_user(therapist)
    return redirect(safe_next(form.next.data))


@bp.post("/sign-out")
def sign_out():
    if SignOutForm().validate_on_submit():
        sessions.end_this_one()
        record("sign_out", therapist=current_user, commit=True)
        logout_user()
        session.clear()
        flash(_("You have signed out."))
    return redirect(url_for("review.sign_in"))


@bp.get("/sessions")
def signed_in_where():
    """Where this account is signed in, with a way to sign out everywhere else."""
    return render_template("review/sessions.html", sessions=sessions.open_sessions(current_user),
                           this_one=g.review_session_id,
                           idle_minutes=current_app.config["REVIEW_IDLE_MINUTES"],
                           hours=current_app.config["REVIEW_SESSION_HOURS"])


@bp.post("/sessions/sign-out-others")
def sign_out_others():
    if SignOutForm().validate_on_submit():
        ended = sessions.end_the_others(current_user)
        count = f"{ended} other session{'' if ended == 1 else 's'}"
        record("signed_out_elsewhere", therapist=current_user, detail=count, commit=True)
        flash(_("Signed out everywhere else (%(count)s).", count=count))
    return redirect(url_for("review.signed_in_where"), code=303)
