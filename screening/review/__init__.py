"""The therapists' review area: sign-in, the flagged-first queue, decisions, the audit trail.

Every page needs a signed-in, active therapist; that is enforced once, here, for the
whole blueprint.
"""

from __future__ import annotations

from hashlib import sha512

from flask import Blueprint, Flask, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext
from flask_login import LoginManager, current_user, logout_user

from ..audit import shown_detail, shown_subject
from ..models import DECISION_KINDS

bp = Blueprint("review", __name__, url_prefix="/review")
login_manager = LoginManager()
PUBLIC_ENDPOINTS = {"review.sign_in"}
#: Forms posted to the review area: the page each is on, to go back to when the post cannot
#: be saved because the therapist must sign in (again) first, and what to tell them. After
#: signing in the browser GETs the "next" address, and a POST-only address would answer 405.
FORM_PAGES = {
    "review.decide": ("review.screening", lazy_gettext(
        "Your decision was not saved. Sign in, then enter it again.")),
}


def init_app(app: Flask) -> None:
    from . import cli, client_pages, routes, sign_in  # noqa: F401 - attach views and commands

    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    # Flask-Login's own identifier reads X-Forwarded-For, which any client can send.
    login_manager._session_identifier_generator = _session_identifier
    app.register_blueprint(bp)
    app.cli.add_command(cli.therapist_group)
    app.add_template_global(DECISION_KINDS, "decision_kinds")
    app.add_template_global(shown_detail, "audit_detail")
    app.add_template_global(shown_subject, "audit_subject")


def _session_identifier() -> str:
    """What "strong" session protection ties a session to: the browser's address as the app
    trusts it (request.remote_addr: ProxyFix sets it from X-Forwarded-For only with
    SCREENING_TRUSTED_PROXIES) and its User-Agent. A request from elsewhere is signed out."""
    agent = request.headers.get("User-Agent", "")
    return sha512(f"{request.remote_addr}|{agent}".encode()).hexdigest()


@login_manager.user_loader
def _load_therapist(session_id: str):
    """The session's therapist, while the session lasts (see sessions.py)."""
    from .sessions import resume

    return resume(session_id)


@bp.before_request
def require_sign_in():
    """Send visitors to sign in (and back afterwards), saying so when a session has ended."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    if "_user_id" in session:  # the cookie named a session that has ended
        from .sessions import ended_message

        logout_user()
        session.clear()
        flash(ended_message(g.pop("review_session_ended", None)))
    _not_saved()
    return redirect(url_for("review.sign_in", next=_back_to()))


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
        flash(str(FORM_PAGES[request.endpoint][1]))  # the session keeps a plain string
