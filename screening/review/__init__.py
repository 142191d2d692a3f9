"""The therapists' review area: sign-in, the flagged-first queue, decisions, the audit trail.

Every page needs a signed-in, active therapist; that is enforced once, here, for the
whole blueprint.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Flask, current_app, flash, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user

from ..models import DECISION_KINDS

bp = Blueprint("review", __name__, url_prefix="/review")
login_manager = LoginManager()
PUBLIC_ENDPOINTS = {"review.sign_in"}
#: Seconds between updates of the session's last-seen time (the idle limit is in minutes).
LAST_SEEN_STEP = 60


def init_app(app: Flask) -> None:
    from . import cli, routes, sign_in  # noqa: F401 - attach views and commands

    app.config.setdefault("REVIEW_IDLE_MINUTES", 30)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
    app.cli.add_command(cli.therapist_group)
    app.add_template_global(DECISION_KINDS, "decision_kinds")


@login_manager.user_loader
def _load_therapist(therapist_id: str):
    from ..database import db
    from ..models import Therapist

    therapist = db.session.get(Therapist, int(therapist_id))
    return therapist if therapist is not None and therapist.active else None


@bp.before_request
def require_sign_in():
    """Send visitors to sign in (and back afterwards); sign out after a quiet spell."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    back_to = request.full_path.rstrip("?")
    if not current_user.is_authenticated:
        return redirect(url_for("review.sign_in", next=back_to))
    now = datetime.now(UTC).timestamp()
    idle_limit = float(current_app.config["REVIEW_IDLE_MINUTES"]) * 60
    if now - session.get("last_seen", now) > idle_limit:
        from .audit import record

        record("signed_out_idle", therapist=current_user, commit=True)
        logout_user()
        session.clear()
        flash("You were signed out after a while without activity. Sign in again to carry on.")
        return redirect(url_for("review.sign_in", next=back_to))
    if now - session.get("last_seen", 0) >= LAST_SEEN_STEP:
        session["last_seen"] = now  # rewritten (a new cookie) once a minute, not per page
    return None
