"""Answers not sent yet, kept on the server (never in the browser): the two kinds of draft.

Check drafts ("check"): a valid questionnaire is kept as a draft and the browser is sent on
(303) to the check page's own address, `/check/<token>`, which it fetches with GET: Back
from the result, and Reload, show that page again instead of Chrome's "Confirm Form
Resubmission". Sending it again from there stores nothing twice (intake/submission.py).
Like a result link, the token is 256 random bits and only its hash is stored. They are
kept only DRAFT_HOURS: expired ones are deleted whenever a new one is kept.

Saved drafts ("saved"): "Save and come back later" keeps whatever the client has typed so
far (complete or not, right or not) for SCREENING_DRAFT_DAYS days. From an invitation,
the invitation's own link opens them again; from the open questionnaire, a link of their
own, shown once and emailed to the address given. Sending the questionnaire deletes them;
expired ones are deleted by `flask purge` and when the app starts. Nothing in a draft is
screened, counted or shown to therapists; the audit trail says what was done with one,
never what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from ..audit import record
from ..clinic import clinic_zone
from ..database import db
from ..mail import external_url
from ..models import Draft, as_utc
from ..outbox import OutboxMessage, queue
from ..tokens import derived_token, looks_like_token, new_token, token_hash

DRAFT_HOURS = 6  # as long as the check page's form lasts (WTF_CSRF_TIME_LIMIT)
CHECK, SAVED = "check", "saved"
#: Who a saved draft's audit events are about: a client, who has no account.
CLIENT = "client"
#: The most links to saved answers emailed to one address in a day.
EMAILS_PER_ADDRESS_PER_DAY = 3


def keep_draft(fields: list[tuple[str, str]]) -> str:
    """Keep the questionnaire's fields (and delete expired drafts); the page's token."""
    token = new_token()
    now = datetime.now(UTC)
    _delete_expired_checks(now)
    db.session.add(Draft(kind=CHECK, token_hash=token_hash(token),
                         fields=[list(pair) for pair in fields], created_at=now))
    db.session.commit()
    return token


def find_draft(token: str) -> MultiDict | None:
    """The fields kept under `token`, as a form would post them; None when there are none
    (a wrong token) or they have expired."""
    if not looks_like_token(token):
        return None
    draft = db.session.scalar(select(Draft).where(Draft.kind == CHECK,
                                                  Draft.token_hash == token_hash(token)))
    if draft is None or as_utc(draft.created_at) < _oldest(datetime.now(UTC)):
        return None
    return fields_of(draft)


def _oldest(now: datetime) -> datetime:
    return now - timedelta(hours=DRAFT_HOURS)


def _delete_expired_checks(now: datetime) -> None:
    db.session.execute(delete(Draft).where(Draft.kind == CHECK, Draft.created_at < _oldest(now)))


# Saved drafts: "Save and come back later" ---------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """A draft just saved, and the token of its link (None for an invitation's)."""

    draft: Draft
    token: str | None


def save_draft(fields: list[tuple[str, str]], *, submission_key: str,
               invitation_id: int | None = None) -> Saved:
    """Keep the fields as the client's saved answers, in place of any they saved before
    from the same form (the same submission key) or invitation; the caller commits.

    Saved again, the open questionnaire's answers get a new link: the old one stops
    working, so a link never opens answers other than the ones it was given for.
    """
    replaced = db.session.scalars(delete(Draft).where(
        _same_form(submission_key, invitation_id)).returning(Draft.id)).all()
    for draft_id in replaced:
        record("draft_deleted", subject=CLIENT,
               detail=f"Saved answers #{draft_id}: replaced, saved again")
    draft = Draft(kind=SAVED, fields=[list(pair) for pair in fields], created_at=datetime.now(UTC),
                  submission_key=submission_key, invitation_id=invitation_id)
    token = None
    if invitation_id is None:
        draft.link_key = new_token()
        token = link_token(draft)
        draft.token_hash = token_hash(token)
    db.session.add(draft)
    db.session.flush()
    record("draft_saved", subject=CLIENT, detail=_described(draft))
    return Saved(draft, token)


def email_link(draft: Draft, address: str) -> bool:
    """Queue the email with the link to these saved answers, unless this address has had
    EMAILS_PER_ADDRESS_PER_DAY already (the form is open to anyone: it must not be a way to
    flood someone's inbox); whether it was queued. The caller commits."""
    since = datetime.now(UTC) - timedelta(days=1)
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "draft", func.lower(OutboxMessage.recipient) == address.lower(),
        OutboxMessage.created_at > since))
    if sent >= EMAILS_PER_ADDRESS_PER_DAY:
        return False
    queue("draft", address).draft = draft
    record("draft_emailed", subject=CLIENT,
           detail=f"Saved answers #{draft.id}: the link queued to the address given")
    return True


def link_token(draft: Draft) -> str:
    """The token of an open questionnaire's saved answers' link: rebuilt from its key."""
    return derived_token(current_app.secret_key, "draft", draft.link_key)


def link_url(draft: Draft) -> str:
    return external_url("intake.resume", token=link_token(draft))


def find_saved(token: str) -> Draft | None:
    """The saved answers behind a link, unless the link is wrong, or they were sent or
    have expired."""
    if not looks_like_token(token):
        return None
    return _unexpired(db.session.scalar(select(Draft).where(
        Draft.kind == SAVED, Draft.token_hash == token_hash(token))))


def saved_for_invitation(invitation_id: int) -> Draft | None:
    return _unexpired(db.session.scalar(select(Draft).where(
        Draft.kind == SAVED, Draft.invitation_id == invitation_id)))


def _unexpired(draft: Draft | None) -> Draft | None:
    return draft if draft is not None and still_kept(draft) else None


def still_kept(draft: Draft) -> bool:
    return as_utc(draft.created_at) >= _oldest_saved(datetime.now(UTC))


def resumed(draft: Draft) -> MultiDict:
    """The saved fields, as the form posted them; the opening is in the audit trail (the
    caller commits)."""
    record("draft_resumed", subject=CLIENT, detail=_described(draft))
    return fields_of(draft)


def fields_of(draft: Draft) -> MultiDict:
    return MultiDict([tuple(pair) for pair in draft.fields])


def kept_until(draft: Draft) -> date:
    """The last day the saved answers are kept, on the clinic's clock."""
    last = as_utc(draft.created_at) + timedelta(days=saved_days())
    return last.astimezone(clinic_zone()).date()


def saved_days() -> int:
    return current_app.config["DRAFT_DAYS"]


def take_saved(submission_key: str, invitation_id: int | None) -> list[int]:
    """Delete the saved answers this form (or invitation) came from, as it is sent; the ids
    deleted (none when another window sent them first). The caller commits, with the
    screening: the draft goes only if the screening is stored."""
    same = _same_form(submission_key, invitation_id)
    if db.session.scalar(select(Draft.id).where(same).limit(1)) is None:
        return []  # the usual case: nothing saved, and no write for it
    return list(db.session.scalars(delete(Draft).where(same).returning(Draft.id)))


def _same_form(submission_key: str, invitation_id: int | None):
    """The saved drafts of this form (its submission key) or of this invitation."""
    same = Draft.submission_key == submission_key
    if invitation_id is not None:
        same = or_(same, Draft.invitation_id == invitation_id)
    return (Draft.kind == SAVED) & same


def forget_invitation_draft(invitation_id: int) -> None:
    """Delete what was saved from an invitation that is cancelled; the caller commits."""
    for draft_id in db.session.scalars(delete(Draft).where(
            Draft.kind == SAVED, Draft.invitation_id == invitation_id).returning(Draft.id)):
        record("draft_deleted", subject=CLIENT,
               detail=f"Saved answers #{draft_id}: the invitation was cancelled")


def record_sent(ids: list[int], screening) -> None:
    for draft_id in ids:
        record("draft_deleted", subject=CLIENT, screening=screening,
               detail=f"Saved answers #{draft_id}: sent as a screening")


def delete_expired(now: datetime | None = None) -> int:
    """Delete every expired draft of either kind, saying in the audit trail how many saved
    ones; how many saved ones. The caller commits."""
    now = now or datetime.now(UTC)
    _delete_expired_checks(now)
    expired = count_expired(now)
    if expired:
        db.session.execute(delete(Draft).where(Draft.kind == SAVED,
                                               Draft.created_at < _oldest_saved(now)))
        record("draft_expired", subject=CLIENT,
               detail=f"{expired} saved draft(s) older than {saved_days()} days deleted")
    return expired


def count_expired(now: datetime | None = None) -> int:
    """How many saved drafts have expired."""
    return db.session.scalar(select(func.count()).select_from(Draft).where(
        Draft.kind == SAVED, Draft.created_at < _oldest_saved(now or datetime.now(UTC))))


def delete_expired_at_start(app) -> None:
    """When the app starts, delete the drafts that have expired; not before the database
    has its tables (`flask db upgrade` is run with the app loaded, before they exist)."""
    with app.app_context():
        try:
            delete_expired()
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            app.logger.info("Expired drafts not deleted at start-up: the database is not "
                            "ready (run `flask --app screening db upgrade`)")
        finally:
            db.session.remove()


def _oldest_saved(now: datetime) -> datetime:
    return now - timedelta(days=saved_days())


def _described(draft: Draft) -> str:
    """Which saved answers, never what they hold."""
    where = (f"invitation #{draft.invitation_id}" if draft.invitation_id is not None
             else "the open questionnaire")
    return f"Saved answers #{draft.id}, from {where}"
