"""Likely duplicates: one person sending the same answers twice on the same day.

The same form sent again is stored once (intake/submission.py), but a client who fills the
form in again, in a second tab or on another phone, sends a new one. A therapist sees such
screenings marked, in the queue and on the screening's page: the same name (compared as the
queue's search compares names, screening/names.py), the same date of birth, identical
answers, sent on the same day (the clinic's).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import load_only

from ..clinic import clinic_zone
from ..database import db
from ..models import Screening, as_utc


def same_day_copies(screenings: Sequence[Screening]) -> dict[int, list[Screening]]:
    """For each of `screenings` that has copies: it and its copies, first sent first.

    One query, for the people on the page alone (the index on name and date of birth), that
    reads plain rows (id, name, birth, time), not screenings: a page of 25 finds 30 to 40,
    and making each an ORM object cost more than the rest of the search. Only when a person
    sent more than one on a day are those screenings loaded, with their answers, in one
    more query, and the answers compared here, not in the database.
    """
    if not screenings:
        return {}
    people = {(item.search_name, item.date_of_birth) for item in screenings}
    # Every screening of these people (a handful each), by the index on name and date of
    # birth (the names IN, the dates IN: SQLite searches the index with both, where a row
    # value IN made it read the whole index; the few other pairs that match are dropped
    # here); the days are compared here too, as asking for them let SQLite read two
    # months of screenings by date instead.
    found = db.session.execute(
        select(Screening.id, Screening.search_name, Screening.date_of_birth,
               Screening.submitted_at)
        .where(Screening.search_name.in_(sorted({name for name, _born in people})),
               Screening.date_of_birth.in_(sorted({born for _name, born in people})))
        .order_by(Screening.submitted_at, Screening.id)).all()
    zone = clinic_zone()
    same_day: dict[tuple, list[int]] = {}
    for row in found:
        if (row.search_name, row.date_of_birth) in people:
            same_day.setdefault(_person_and_day(row, zone), []).append(row.id)
    sent_twice = [number for numbers in same_day.values() if len(numbers) > 1
                  for number in numbers]
    if not sent_twice:
        return {}
    groups: dict[tuple, list[Screening]] = {}
    for member in _with_answers(sent_twice):  # only now are the answers read (and compared)
        groups.setdefault(_sameness(member, zone), []).append(member)
    copies = {member.id: group for group in groups.values() if len(group) > 1
              for member in group}
    return {item.id: copies[item.id] for item in screenings if item.id in copies}


def _with_answers(numbers: list[int]) -> list[Screening]:
    """The screenings numbered, first sent first, with their answers (one query)."""
    return list(db.session.scalars(
        select(Screening)
        .options(load_only(Screening.search_name, Screening.date_of_birth,
                           Screening.submitted_at, Screening.answers))
        .where(Screening.id.in_(numbers))
        .order_by(Screening.submitted_at, Screening.id)))


def _person_and_day(screening, zone: tzinfo | None) -> tuple[str, date, date]:
    """Who sent it and the clinic's day it was sent on (a screening or a row of one)."""
    day = as_utc(screening.submitted_at).astimezone(zone).date()
    return screening.search_name, screening.date_of_birth, day


def _sameness(screening: Screening, zone: tzinfo | None) -> tuple[str, date, date, str]:
    """What two screenings of one person sent twice have in common."""
    answers = json.dumps(screening.answers, sort_keys=True, separators=(",", ":"))
    return (*_person_and_day(screening, zone), answers)
