"""Writing to the append-only audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import has_request_context, request

from .database import db
from .models import AuditEvent, Screening, Therapist

#: The longest subject the trail holds. PostgreSQL enforces it (SQLite does not), and a
#: sign-in email of 254 characters can grow when lower-cased ("İ" becomes two characters).
SUBJECT_LENGTH = AuditEvent.__table__.c.subject.type.length
#: The subject (and address) of what is done from `flask ...` commands, where no therapist
#: is signed in: the audit page shows it as who did it.
COMMAND_LINE = "command line"

ACTIONS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Failed sign-in",
    "sign_in_refused": "Sign-in refused: too many failed attempts",
    "sign_out": "Signed out",
    "signed_out_idle": "Signed out after inactivity",
    "signed_out_lifetime": "Signed out: the session reached its time limit",
    "signed_out_elsewhere": "Signed out everywhere else",
    "view_screening": "Viewed screening",
    "view_letter": "Viewed the doctor's letter",
    "download_record": "Downloaded the record (PDF)",
    "download_letter": "Downloaded the doctor's letter (PDF)",
    "download_fhir": "Downloaded the screening (FHIR)",
    "export_csv": "Exported screenings (CSV)",
    "record_decision": "Recorded decision",
    "revise_decision": "Revised decision",
    "account_added": "Account added",
    "password_reset": "Password reset",
    "account_disabled": "Account disabled",
    "purge": "Removed screenings past the retention period",
    "anonymise": "Anonymised screenings past the retention period",
    "draft_saved": "A client saved their answers to come back to",
    "draft_resumed": "A client opened their saved answers",
    "draft_emailed": "A client's link to their saved answers emailed",
    "draft_deleted": "A client's saved answers deleted (sent, or saved again)",
    "draft_expired": "Saved answers deleted: kept as long as they may be",
    "purge_client": "Removed everything about a client",
    "merge_clients": "Merged two client records",
    "unmerge_clients": "Unmerged a client record",
    "view_client": "Viewed a client's record",
}


def record(action: str, *, therapist: Therapist | None = None, subject: str = "",
           screening: Screening | None = None, detail: str = "",
           commit: bool = False) -> AuditEvent:
    """Add one audit event (address from the request, if any); the caller commits."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        at=datetime.now(UTC), action=action,
        therapist_id=therapist.id if therapist is not None else None,
        subject=(subject or (therapist.email if therapist is not None else ""))[:SUBJECT_LENGTH],
        screening_id=screening.id if screening is not None else None, detail=detail,
        address=(request.remote_addr or "") if has_request_context() else COMMAND_LINE)
    db.session.add(event)
    if commit:
        db.session.commit()
    return event
