"""While a client answers from an invitation's link, their session remembers the invitation,
so the screening they send is tied to it; opening the ordinary questionnaire forgets it."""

from __future__ import annotations

from flask import request, session

from ..database import db
from .models import Invitation

SESSION_KEY = "invitation_id"
#: GETs that begin an ordinary questionnaire (or open its saved answers): the visitor is no
#: longer answering an invitation.
ORDINARY_START = {"intake.start", "intake.questionnaire", "intake.resume"}


def answering() -> dict:
    """{"invitation_id": id, "client_id": its client's} while this visitor answers from an
    invitation's link, else {}: what the screening they send is stored with."""
    invitation_id = session.get(SESSION_KEY)
    invitation = db.session.get(Invitation, invitation_id) \
        if isinstance(invitation_id, int) else None
    if invitation is None:
        return {}
    return {"invitation_id": invitation_id, "client_id": invitation.client_id}


def forget_on_ordinary_start() -> None:
    """Opening the ordinary questionnaire (a reception tablet, the next client) forgets the
    invitation, so that screening is not tied to someone else's appointment."""
    if request.method == "GET" and request.endpoint in ORDINARY_START \
            and SESSION_KEY in session:
        session.pop(SESSION_KEY)
