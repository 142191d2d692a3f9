"""Making, re-sending and cancelling invitations, their links, and what state each is in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask import current_app
from flask_babel import gettext, lazy_gettext
from sqlalchemy import insert, select

from ..clients import find, new_client
from ..clinic import clinic_zone
from ..database import db
from ..intake.drafts import forget_invitation_draft
from ..languages import (  # noqa: F401 - appointment_text and long_day are used from here
    appointment_text,
    clinic_language,
    long_day,
)
from ..mail import external_url
from ..models import Client, Therapist
from ..names import search_key
from ..outbox import new_row, queue, queue_many
from ..tokens import derived_token, looks_like_token, new_token, token_hash
from .models import Invitation
from .validation import InvitationDetails, key


def link_token(link_key: str) -> str:
    """The link's token: 256 bits derived from the invitation's random key and the app's
    secret key, so it can be rebuilt to send again but a copy of the database opens
    nothing."""
    return derived_token(current_app.secret_key, "invitation", link_key)


def link_url(invitation: Invitation) -> str:
    return external_url("invitations.start", token=link_token(invitation.link_key))


def find_by_token(token: str) -> Invitation | None:
    if not looks_like_token(token):
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def create(details: InvitationDetails, created_by: Therapist | None = None,
           client: Client | None = None) -> Invitation:
    """Add an invitation and queue its email (when it has an address); the caller commits,
    so both are stored together or not at all. For `client` (the record the therapist
    chose), else a new client's record, made from the invitation."""
    invitation = Invitation(**_columns(details), created_by=created_by,
                            client=client or _client_from(details))
    db.session.add(invitation)
    if invitation.email:
        queue("invitation", invitation.email, invitation=invitation)
    return invitation


def create_many(many: list[InvitationDetails]) -> tuple[int, int]:
    """Add invitations and their emails in two statements (a booking system's export of
    thousands); the caller commits. How many invitations and emails."""
    if not many:
        return 0, 0
    new = [item for item in many if item.client_id is None]
    made = iter(db.session.scalars(insert(Client).returning(
        Client.id, sort_by_parameter_order=True), [
            {"name": item.client_name, "search_name": search_key(item.client_name),
             "email": item.email, "phone": item.phone, "created_at": datetime.now(UTC)}
            for item in new]).all() if new else [])
    rows = [{**_columns(item), "client_id": item.client_id or next(made)} for item in many]
    ids = db.session.scalars(insert(Invitation).returning(
        Invitation.id, sort_by_parameter_order=True), rows).all()
    emails = [new_row("invitation", item.email, invitation_id=invitation_id)
              for invitation_id, item in zip(ids, many, strict=True) if item.email]
    queue_many(emails)
    return len(ids), len(emails)


def _client_from(details: InvitationDetails) -> Client:
    return find(details.client_id) or new_client(
        details.client_name, email=details.email, phone=details.phone)


def _columns(details: InvitationDetails) -> dict:
    """A new invitation's columns, with a fresh link."""
    link_key = new_token()
    return {"link_key": link_key, "token_hash": token_hash(link_token(link_key)),
            "client_name": details.client_name, "email": details.email,
            "phone": details.phone, "appointment_date": details.appointment_date,
            "appointment_time": details.appointment_time, "therapist": details.therapist,
            "note": details.note, "language": details.language or clinic_language(),
            "created_at": datetime.now(UTC)}


def duplicates(details: list[InvitationDetails]) -> dict[tuple, Invitation]:
    """Invitations already made (and not cancelled) for the same client and appointment,
    keyed by (contact, date, time)."""
    if not details:
        return {}
    days = [item.appointment_date for item in details]
    found = db.session.scalars(select(Invitation).where(
        Invitation.appointment_date.between(min(days), max(days)),
        Invitation.cancelled_at.is_(None)))
    return {key(invitation): invitation for invitation in found}


def resend(invitation: Invitation, email: str) -> None:
    """Send the invitation again, to `email` (corrected, if it was wrong); caller commits."""
    invitation.email = email
    queue("invitation", email, invitation=invitation)


def cancel(invitation: Invitation) -> None:
    """The appointment is off: the link stops working, no reminder goes, and any answers
    the client saved to come back to are deleted."""
    invitation.cancelled_at = datetime.now(UTC)
    forget_invitation_draft(invitation.id)
    for message in invitation.messages:
        if message.status == "pending":
            message.status = "cancelled"
            message.last_error = gettext("The invitation was cancelled.")  # as its email says


def appointment_moment(day: date, at: time) -> datetime:
    """An appointment's date and time on the clinic's clock, as an aware datetime."""
    zone = clinic_zone()
    moment = datetime.combine(day, at)
    return moment.replace(tzinfo=zone) if zone else moment.astimezone()


def clinic_now() -> datetime:
    """Now on the clinic's clock, without a time zone (how appointments are written)."""
    return datetime.now(clinic_zone()).replace(tzinfo=None)


@dataclass(frozen=True)
class State:
    key: str
    label: str


STATES = {"cancelled": lazy_gettext("Cancelled"), "answered": lazy_gettext("Answered"),
          "not_answered": lazy_gettext("Not answered by the day"),
          "started": lazy_gettext("Started: opened the link"),
          "reminded": lazy_gettext("Reminded"), "invited": lazy_gettext("Invited")}


def state(invitation: Invitation, today: date) -> State:
    """Where an invitation stands, most telling first."""
    sent = {message.kind for message in invitation.messages if message.status == "sent"}
    if invitation.cancelled_at is not None:
        key_ = "cancelled"
    elif invitation.screening is not None:
        key_ = "answered"
    elif invitation.appointment_date <= today:
        key_ = "not_answered"
    elif invitation.opened_at is not None:
        key_ = "started"
    elif "reminder" in sent:
        key_ = "reminded"
    else:
        key_ = "invited"
    return State(key_, STATES[key_])


def delivery_problem(invitation: Invitation):
    """The newest undelivered email to the client, if the last one did not get through."""
    to_client = [message for message in invitation.messages if message.kind != "alert"]
    if to_client and to_client[0].undelivered:
        return to_client[0]
    return None


def still_open(invitation: Invitation, today: date) -> bool:
    """Whether the link still opens the questionnaire (not cancelled, answered or past)."""
    return (invitation.cancelled_at is None and invitation.screening is None
            and today <= invitation.link_works_until)


def upcoming_query(today: date):
    """Appointments from today on (not cancelled), soonest first."""
    return (select(Invitation)
            .where(Invitation.appointment_date >= today, Invitation.cancelled_at.is_(None))
            .order_by(Invitation.appointment_date, Invitation.appointment_time, Invitation.id))


@dataclass(frozen=True)
class Row:
    invitation: Invitation
    state: State
    problem: object | None


def by_day(invitations: list[Invitation], today: date) -> list[tuple[date, list[Row]]]:
    """The appointments grouped by day, in order, each with its state."""
    days: dict[date, list[Row]] = {}
    for invitation in invitations:
        days.setdefault(invitation.appointment_date, []).append(
            Row(invitation, state(invitation, today), delivery_problem(invitation)))
    return list(days.items())
