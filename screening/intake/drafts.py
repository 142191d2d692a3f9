"""Answers checked but not sent yet, kept a few hours so "check your answers" has an address.

A valid questionnaire is kept as a draft and the browser is sent on (303) to the check
page's own address, `/check/<token>`, which it fetches with GET: Back from the result,
and Reload, show that page again instead of Chrome's "Confirm Form Resubmission". Sending
it again from there stores nothing twice (intake/submission.py).

Like a result link, the token is 256 random bits and only its hash is stored. Drafts are
health answers the client has not yet agreed to send, so they are kept only DRAFT_HOURS:
expired ones are deleted whenever a new one is kept, and no longer shown.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from ..database import db
from ..models import Draft, as_utc
from ..tokens import looks_like_token, new_token, token_hash

DRAFT_HOURS = 6  # as long as the check page's form lasts (WTF_CSRF_TIME_LIMIT)


def keep_draft(fields: list[tuple[str, str]]) -> str:
    """Keep the questionnaire's fields (and delete expired drafts); the page's token."""
    token = new_token()
    now = datetime.now(UTC)
    db.session.execute(delete(Draft).where(Draft.created_at < _oldest(now)))
    db.session.add(Draft(token_hash=token_hash(token), fields=[list(pair) for pair in fields],
                         created_at=now))
    db.session.commit()
    return token


def find_draft(token: str) -> MultiDict | None:
    """The fields kept under `token`, as a form would post them; None when there are none
    (a wrong token) or they have expired."""
    if not looks_like_token(token):
        return None
    draft = db.session.scalar(select(Draft).where(Draft.token_hash == token_hash(token)))
    if draft is None or as_utc(draft.created_at) < _oldest(datetime.now(UTC)):
        return None
    return MultiDict([tuple(pair) for pair in draft.fields])


def _oldest(now: datetime) -> datetime:
    return now - timedelta(hours=DRAFT_HOURS)
