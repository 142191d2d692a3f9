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
from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import load_only

from ..clinic import clinic_zone
from ..database import db
from ..models import Screening, as_utc


def same_day_copies(screenings: Sequence[Screening]) -> dict[int, list[Screening]]:
    """For each of `screenings` that has copies: it and its copies, first sent first.

    One query, for the people on the page alone (the index on name and date of birth), over
    the days they sent their screenings; answers are compared here, not in the database.
    """
    if not screenings:
        return {}
    people = {(item.search_name, item.date_of_birth) for item in screenings}
    sent = [as_utc(item.submitted_at) for item in screenings]
    candidates = db.session.scalars(
        select(Screening)
        .options(load_only(Screening.search_name, Screening.date_of_birth, Screening.answers,
                           Screening.submitted_at))
        .where(or_(*(and_(Screening.search_name == name, Screening.date_of_birth == born)
                     for name, born in people)))
        .where(Screening.submitted_at.between(min(sent) - timedelta(days=1),
                                              max(sent) + timedelta(days=1)))
        .order_by(Screening.submitted_at, Screening.id)).all()
    groups: dict[tuple, list[Screening]] = {}
    for candidate in candidates:
        groups.setdefault(_sameness(candidate), []).append(candidate)
    copies = {member.id: group for group in groups.values() if len(group) > 1
              for member in group}
    return {item.id: copies[item.id] for item in screenings if item.id in copies}


def _sameness(screening: Screening) -> tuple[str, date, date, str]:
    """What two screenings of one person sent twice have in common."""
    day = as_utc(screening.submitted_at).astimezone(clinic_zone()).date()
    answers = json.dumps(screening.answers, sort_keys=True, separators=(",", ":"))
    return screening.search_name, screening.date_of_birth, day, answers
