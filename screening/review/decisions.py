"""What a therapist decides about a screening, and what its answers would give today.

Decisions are only ever added: a revised decision is a new row, and the screening keeps
the latest one's kind for the queue. Each is written to the audit trail.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..audit import record
from ..clinic import clinic_today, current_rulebook
from ..database import db
from ..engine import Result, evaluate
from ..models import Decision, Screening, Therapist


def record_decision(screening: Screening, therapist: Therapist, kind: str, note: str | None = "",
                    cleared_on: date | None = None, cleared_by: str | None = None) -> Decision:
    """Store a decision (a revision when the screening has one) and audit it, then commit.

    The clearance's date and who gave it are kept only for "cleared by doctor"."""
    cleared = kind == "cleared_by_doctor"
    revising = screening.decision is not None
    decision = Decision(
        screening=screening, therapist_id=therapist.id, kind=kind, note=(note or "").strip(),
        cleared_on=cleared_on if cleared else None,
        cleared_by=(cleared_by or "").strip() or None if cleared else None,
        created_at=datetime.now(UTC))
    db.session.add(decision)
    screening.decision = kind
    record("revise_decision" if revising else "record_decision", therapist=therapist,
           screening=screening, detail=kind)
    db.session.commit()
    return decision


def result_if_screened_today(screening: Screening) -> Result | None:
    """The same answers screened as of today (or the appointment, if still ahead), with the
    current rule book, when that gives a different result from the one stored; else None."""
    today = clinic_today()
    on = screening.appointment_date if screening.appointment_date \
        and screening.appointment_date > today else today
    if on == screening.screened_on:
        return None
    result = evaluate(current_rulebook(), screening.answers, on)
    stored_rules = sorted(finding["rule"] for finding in screening.findings)
    if (result.outcome == screening.outcome and result.urgent == screening.urgent
            and sorted(finding.rule for finding in result.findings) == stored_rules):
        return None
    return result
