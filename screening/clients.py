"""Client records: a person's screenings and invitations, grouped by the clinic.

A record is made from a client's first screening or invitation. Which record a new
invitation belongs to is the therapist's choice (an existing client or a new one), never a
guess from a name: names only suggest records to choose from. Two records of one person are
merged by a therapist, and a merge only marks the one record as part of the other
(`merged_into_id`), so unmerging puts everything back as it was.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select, update

from .database import MAX_ROW_ID, db
from .models import Client, Decision, Screening
from .names import search_words

#: How many records a name or email suggests, at most.
SUGGESTIONS = 10


def new_client(name: str, *, date_of_birth: date | None = None, email: str | None = None,
               phone: str | None = None) -> Client:
    """A new record (added to the session; the caller commits)."""
    client = Client(name=name, date_of_birth=date_of_birth, email=email, phone=phone,
                    created_at=datetime.now(UTC))
    db.session.add(client)
    return client


def root(client: Client) -> Client:
    """The record a client's record is (through merges) part of: itself when not merged."""
    seen = {client.id}
    while client.merged_into is not None and client.merged_into.id not in seen:
        client = client.merged_into
        seen.add(client.id)
    return client


def group_ids(client: Client) -> list[int]:
    """Its record's id and those of every record merged into it (through merges)."""
    found, frontier = {client.id}, {client.id}
    while frontier:
        frontier = set(db.session.scalars(select(Client.id).where(
            Client.merged_into_id.in_(frontier)))) - found
        found |= frontier
    return sorted(found)


def merged_records(client: Client) -> list[Client]:
    """The records merged straight into this one, most recent merge first."""
    return list(db.session.scalars(select(Client).where(Client.merged_into_id == client.id)
                                   .order_by(Client.merged_at.desc(), Client.id.desc())))


def screenings_of(client: Client) -> list[Screening]:
    """Every screening of the client (merged records too), newest first."""
    return list(db.session.scalars(select(Screening).where(
        Screening.client_id.in_(group_ids(client)))
        .order_by(Screening.submitted_at.desc(), Screening.id.desc())))


def earlier_screenings(screening: Screening) -> list[Screening]:
    """The client's screenings sent before this one, newest first."""
    if screening.client is None:
        return []
    return [other for other in screenings_of(root(screening.client))
            if (other.submitted_at, other.id) < (screening.submitted_at, screening.id)]


def invitations_of(client: Client) -> list:
    from .invitations.models import Invitation

    return list(db.session.scalars(select(Invitation).where(
        Invitation.client_id.in_(group_ids(client)))
        .order_by(Invitation.appointment_date.desc(), Invitation.id.desc())))


def suggestions(name: str, email: str | None = None) -> list[Client]:
    """Records (not merged into another) whose name has every word of `name`, or with the
    same email: for the therapist to choose from, never chosen for them."""
    words = search_words(name or "")
    matches = []
    if words:
        matches.append(and_(*(Client.search_name.contains(word, autoescape=True)
                              for word in words)))
    if email and email.strip():
        matches.append(func.lower(Client.email) == email.strip().lower())
    if not matches:
        return []
    query = select(Client).where(Client.merged_into_id.is_(None), or_(*matches))
    return list(db.session.scalars(query.order_by(Client.name, Client.id).limit(SUGGESTIONS)))


def record(client_id: int | None) -> Client | None:
    """The record with this number, if there is one. Any number may come from a form, a
    link, a CSV file or the command line: one no row can have is None, not a database
    error."""
    if client_id is None or not 0 < client_id <= MAX_ROW_ID:
        return None
    return db.session.get(Client, client_id)


def find(client_id: int | None) -> Client | None:
    """The record a therapist chose, as the record it is part of now."""
    client = record(client_id)
    return root(client) if client is not None else None


def merge(source: Client, target: Client) -> None:
    """Make `source` part of `target` (the caller audits and commits). Refused for a record
    already merged, or into one of its own group (a loop)."""
    if source.merged_into_id is not None:
        raise ValueError(_("This record is already merged into another: unmerge it first"))
    if target.id in group_ids(source) or root(target).id == source.id:
        raise ValueError(_("A record cannot be merged into itself or into one merged into it"))
    source.merged_into = root(target)
    source.merged_at = datetime.now(UTC)


def unmerge(client: Client) -> Client:
    """Undo a merge: the record stands alone again, with its own screenings and
    invitations. Returns the record it was part of (the caller audits and commits)."""
    if client.merged_into is None:
        raise ValueError(_("This record is not merged into another"))
    was = client.merged_into
    client.merged_into = None
    client.merged_at = None
    return was


def last_screening(client: Client) -> Screening | None:
    found = screenings_of(root(client))
    return found[0] if found else None


def remove_everything(client: Client) -> dict[str, int]:
    """Remove every screening, decision, invitation (with its emails) and record of the
    client and of the records merged into it. The caller audits and commits."""
    from .invitations.models import Invitation
    from .outbox import OutboxMessage

    ids = group_ids(root(client))
    screening_ids = list(db.session.scalars(select(Screening.id).where(
        Screening.client_id.in_(ids))))
    invitation_ids = list(db.session.scalars(select(Invitation.id).where(
        Invitation.client_id.in_(ids))))
    db.session.execute(delete(Decision).where(Decision.screening_id.in_(screening_ids)))
    db.session.execute(delete(OutboxMessage).where(or_(
        OutboxMessage.screening_id.in_(screening_ids),
        OutboxMessage.invitation_id.in_(invitation_ids))))
    db.session.execute(delete(Screening).where(Screening.id.in_(screening_ids)))
    db.session.execute(delete(Invitation).where(Invitation.id.in_(invitation_ids)))
    db.session.execute(update(Client).where(Client.id.in_(ids))
                       .values(merged_into_id=None).execution_options(
                           synchronize_session=False))
    db.session.execute(delete(Client).where(Client.id.in_(ids)))
    db.session.expire_all()
    return {"screenings": len(screening_ids), "invitations": len(invitation_ids),
            "records": len(ids)}


def remove_unused() -> int:
    """Remove records left with no screening and no invitation (after `flask purge`), and
    not standing for another: they hold a name and contact details for nothing."""
    from .invitations.models import Invitation

    used = select(Screening.client_id).where(Screening.client_id.is_not(None)).union(
        select(Invitation.client_id).where(Invitation.client_id.is_not(None)),
        select(Client.merged_into_id).where(Client.merged_into_id.is_not(None)))
    unused = list(db.session.scalars(select(Client.id).where(Client.id.not_in(used))))
    if unused:
        db.session.execute(delete(Client).where(Client.id.in_(unused)))
    return len(unused)
