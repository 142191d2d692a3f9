"""The review queue: flagged and unreviewed screenings first, with filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext
from sqlalchemy import Select, select

from ..clients import find, group_ids
from ..database import MAX_ROW_ID
from ..fields import parse_date
from ..models import QUEUE_ORDER, Screening
from ..names import search_words
from ..rulebook import OUTCOMES, RANK

STATES = {"unreviewed": lazy_gettext("Not reviewed yet"), "reviewed": lazy_gettext("Reviewed")}


@dataclass(frozen=True)
class Filters:
    outcome: str = ""
    state: str = ""
    appointment_from: date | None = None
    appointment_to: date | None = None
    name: str = ""
    #: One client's screenings (a record's number; merged records count with it).
    client: int | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        """Read the query string; anything unrecognised is ignored rather than an error."""
        outcome = args.get("outcome", "")
        state = args.get("state", "")
        return cls(
            outcome=outcome if outcome in OUTCOMES else "",
            state=state if state in STATES else "",
            appointment_from=parse_date(args.get("from", "")[:40]),
            appointment_to=parse_date(args.get("to", "")[:40]),
            name=args.get("q", "").strip()[:100],
            client=_row_id(args.get("client", "")))

    def query_args(self) -> dict[str, str]:
        args = {"outcome": self.outcome, "state": self.state, "q": self.name,
                "from": self.appointment_from.isoformat() if self.appointment_from else "",
                "to": self.appointment_to.isoformat() if self.appointment_to else "",
                "client": str(self.client) if self.client else ""}
        return {key: value for key, value in args.items() if value}


def queue_query(filters: Filters) -> Select:
    """Unreviewed first, then urgent, then most restrictive outcome, then soonest
    appointment (none last), then newest."""
    query = select(Screening)
    order = QUEUE_ORDER
    if filters.outcome:
        # The outcome's rank too (always the outcome's, set with it): PostgreSQL then checks
        # it in ix_screenings_queue as it reads the queue in order, instead of fetching
        # every row of the other outcomes that comes first (a page of "clear" among
        # 1,000,000: 130 to 290 ms). SQLite reads ix_screenings_outcome_queue, whose order
        # starts with the outcome, so the order says it too (the same order: it is fixed).
        query = query.where(Screening.outcome == filters.outcome,
                            Screening.outcome_rank == RANK[filters.outcome])
        order = (Screening.outcome, *QUEUE_ORDER)
    if filters.state == "unreviewed":
        query = query.where(Screening.decision.is_(None))
    elif filters.state == "reviewed":
        query = query.where(Screening.decision.is_not(None))
    if filters.appointment_from:
        query = query.where(Screening.appointment_date >= filters.appointment_from)
    if filters.appointment_to:
        query = query.where(Screening.appointment_date <= filters.appointment_to)
    if filters.name:
        query = query.where(*_name_matches(filters.name))
    if filters.client:
        client = find(filters.client)
        query = query.where(Screening.client_id.in_(group_ids(client) if client else []))
    return query.order_by(*order)


def _row_id(text: str) -> int | None:
    """A record's number from the query string, or None for anything else."""
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ROW_ID else None


def _name_matches(text: str) -> list:
    """Each word of the search anywhere in the name, accents, case and punctuation ignored
    (screening/names.py): "zoe nguyen" finds Zoë Nguyen-O'Brien. A search of punctuation
    alone ("%") looks for it as it is typed (punctuation has no case or accents)."""
    words = search_words(text)
    if not words:
        return [Screening.client_name.contains(text, autoescape=True)]
    return [Screening.search_name.contains(word, autoescape=True) for word in words]


#: What a row of the queue shows (and the name as searched, for likely duplicates), read
#: as plain rows (`with_only_columns`): the answers and findings are left in the database,
#: and no screening object is made for a row that is only shown.
QUEUE_COLUMNS = (Screening.id, Screening.client_name, Screening.search_name,
                 Screening.date_of_birth, Screening.appointment_date, Screening.outcome,
                 Screening.urgent, Screening.submitted_at, Screening.decision)
