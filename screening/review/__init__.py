"""The therapists' review area: sign-in, the flagged-first queue, decisions, the audit trail.

Every page needs a signed-in, active therapist; that is enforced once, here, for the
whole blueprint.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from flask import Blueprint, Flask, current_app, flash, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user

from ..audit import record
from ..models import DECISION_KINDS

bp = Blueprint("review", __name__, url_prefix="/review")
login_manager = LoginManager()
PUBLIC_ENDPOINTS = {"review.sign_in"}
#: Seconds between updates of the session's last-seen time (the idle limit is in minutes).
LAST_SEEN_STEP = 60
#: Forms posted to the review area: the page each is on, to go back to when the post cannot
#: be saved because the therapist must sign in (again) first, and what to tell them. After
#: signing in the browser GETs the "next" address, and a POST-only address would answer 405.
FORM_PAGES = {
    "review.decide": ("review.screening",
                      "Your decision was not saved. Sign in, then enter it again."),
}


def init_app(app: Flask) -> None:
    from . import cli, routes, sign_in  # noqa: F401 - attach views and commands

    app.config.setdefault("REVIEW_IDLE_MINUTES", 30)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
    app.cli.add_command(cli.therapist_group)
    app.add_template_global(DECISION_KINDS, "decision_kinds")


@login_manager.user_loader
def _load_therapist(session_id: str):
    """The session's therapist: only while the account is active and its password is the one
    it signed in with (see Therapist.get_id), so a reset or disable ends every session."""
    from ..database import db
    from ..models import Therapist

    therapist_id, _, _ = session_id.partition(":")
    if not (therapist_id.isascii() and therapist_id.isdigit()):
        return None
    therapist = db.session.get(Therapist, int(therapist_id))
    if therapist is None or not therapist.active:
        return None
    if not hmac.compare_digest(therapist.get_id().encode(), session_id.encode()):
        return None
    return therapist


@bp.before_request
def require_sign_in():
    """Send visitors to sign in (and back afterwards); sign out after a quiet spell."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        _not_saved()
        return redirect(url_for("review.sign_in", next=_back_to()))
    now = datetime.now(UTC).timestamp()
    idle_limit = float(current_app.config["REVIEW_IDLE_MINUTES"]) * 60
    if now - session.get("last_seen", now) > idle_limit:
        record("signed_out_idle", therapist=current_user, commit=True)
        logout_user()
        session.clear()
        flash("You were signed out after a while without activity. Sign in again to carry on.")
        _not_saved()
        return redirect(url_for("review.sign_in", next=_back_to()))
    if now - session.get("last_seen", 0) >= LAST_SEEN_STEP:
        session["last_seen"] = now  # rewritten (a new cookie) once a minute, not per page
    return None


def _back_to() -> str:
    """Where to go after signing in: this page, or for a posted form the page it is on."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    if request.endpoint in FORM_PAGES:
        return url_for(FORM_PAGES[request.endpoint][0], **(request.view_args or {}))
    return url_for("review.queue")


def _not_saved() -> None:
    """Say so when what was posted is dropped because the session has ended."""
    if request.method not in ("GET", "HEAD") and request.endpoint in FORM_PAGES:
        flash(FORM_PAGES[request.endpoint][1])
