"""The client's side: the link in the email opens the questionnaire with their name and
appointment filled in (see answering.py for how the screening they send is tied to it)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template, session

from ..clinic import clinic_today, current_rulebook
from ..database import db
from ..intake.drafts import resumed, saved_for_invitation
from ..intake.routes import forms_for
from ..intake.saving import resumed_form
from ..intake.submission import new_submission_key
from .answering import SESSION_KEY
from .models import Invitation
from .service import appointment_text, find_by_token, long_day

bp = Blueprint("invitations", __name__)


@bp.get("/start/<token>")
def start(token: str):
    invitation = find_by_token(token)
    if invitation is None:
        abort(404)
    closed = _closed(invitation)
    if closed:
        return render_template("invitations/closed.html", reason=closed, invitation=invitation,
                               when=_when(invitation),
                               until=long_day(invitation.link_works_until)), \
            200 if closed == "answered" else 410
    if invitation.opened_at is None:
        invitation.opened_at = datetime.now(UTC)
        db.session.commit()
    session[SESSION_KEY] = invitation.id
    draft = saved_for_invitation(invitation.id)
    if draft is not None:  # saved to come back to: every answer as it was left
        page = resumed_form(resumed(draft), draft.submission_key)
        db.session.commit()
    else:
        page = {"form": _prefilled(invitation)}
    return render_template("invitations/questionnaire.html", **page,
                           invitation=invitation, when=_when(invitation))


def _closed(invitation: Invitation) -> str | None:
    if invitation.cancelled_at is not None:
        return "cancelled"
    if invitation.screening is not None:
        return "answered"
    if clinic_today() > invitation.link_works_until:
        return "expired"
    return None


def _when(invitation: Invitation) -> str:
    return appointment_text(invitation.appointment_date, invitation.appointment_time)


def _prefilled(invitation: Invitation):
    """The questionnaire with the client's details in it (they can correct them). An
    appointment already past (the link works the day after) is left for them to fill in."""
    form_class = forms_for(current_rulebook())[0]
    today = clinic_today()
    return form_class(
        formdata=None, today=today, client_name=invitation.client_name,
        email=invitation.email or "", phone=invitation.phone or "",
        appointment_date=invitation.appointment_date
        if invitation.appointment_date >= today else None,
        submission_key=new_submission_key())
