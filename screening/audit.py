"""Writing to the append-only audit trail."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import has_request_context, request
from flask_babel import gettext, lazy_gettext

from .database import db
from .models import DECISION_KINDS, AuditEvent, Screening, Therapist

#: The longest subject the trail holds. PostgreSQL enforces it (SQLite does not), and a
#: sign-in email of 254 characters can grow when lower-cased ("İ" becomes two characters).
SUBJECT_LENGTH = AuditEvent.__table__.c.subject.type.length
#: The subject (and address) of what is done from `flask ...` commands, where no therapist
#: is signed in: the audit page shows it as who did it.
COMMAND_LINE = "command line"
#: The detail of a look at a screening shown again because its decision had errors.
SHOWN_WITH_ERRORS = "shown again: the decision had errors and was not saved"
#: Details stored in English (the trail is never rewritten), as a page says them.
DETAILS = {SHOWN_WITH_ERRORS: lazy_gettext(
               "shown again: the decision had errors and was not saved"),
           "wrong email or password": lazy_gettext("wrong email or password"),
           "account disabled": lazy_gettext("account disabled"),
           COMMAND_LINE: lazy_gettext("command line")}
#: Details about client records, as stored: "client 3", "client 3 into client 1", "client 3
#: out of client 1".
_CLIENT_DETAIL = re.compile(r"client (\d+)(?: (into|out of) client (\d+))?")

ACTIONS = {
    "sign_in": lazy_gettext("Signed in"),
    "sign_in_failed": lazy_gettext("Failed sign-in"),
    "sign_in_refused": lazy_gettext("Sign-in refused: too many failed attempts"),
    "sign_out": lazy_gettext("Signed out"),
    "signed_out_idle": lazy_gettext("Signed out after inactivity"),
    "signed_out_lifetime": lazy_gettext("Signed out: the session reached its time limit"),
    "signed_out_elsewhere": lazy_gettext("Signed out everywhere else"),
    "view_screening": lazy_gettext("Viewed screening"),
    "view_letter": lazy_gettext("Viewed the doctor's letter"),
    "download_record": lazy_gettext("Downloaded the record (PDF)"),
    "download_letter": lazy_gettext("Downloaded the doctor's letter (PDF)"),
    "download_fhir": lazy_gettext("Downloaded the screening (FHIR)"),
    "export_csv": lazy_gettext("Exported screenings (CSV)"),
    "record_decision": lazy_gettext("Recorded decision"),
    "revise_decision": lazy_gettext("Revised decision"),
    "account_added": lazy_gettext("Account added"),
    "password_reset": lazy_gettext("Password reset"),
    "account_disabled": lazy_gettext("Account disabled"),
    "purge": lazy_gettext("Removed screenings past the retention period"),
    "anonymise": lazy_gettext("Anonymised screenings past the retention period"),
    "draft_saved": lazy_gettext("A client saved their answers to come back to"),
    "draft_resumed": lazy_gettext("A client opened their saved answers"),
    "draft_emailed": lazy_gettext("A client's link to their saved answers emailed"),
    "draft_deleted": lazy_gettext("A client's saved answers deleted (sent, or saved again)"),
    "draft_expired": lazy_gettext("Saved answers deleted: kept as long as they may be"),
    "purge_client": lazy_gettext("Removed everything about a client"),
    "merge_clients": lazy_gettext("Merged two client records"),
    "unmerge_clients": lazy_gettext("Unmerged a client record"),
    "view_client": lazy_gettext("Viewed a client's record"),
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


def shown_detail(detail: str) -> str:
    """An event's stored detail in the language in force, where it is one the app writes the
    same way each time (a decision, a client record); as stored otherwise."""
    if detail in DECISION_KINDS:
        return str(DECISION_KINDS[detail])
    if detail in DETAILS:
        return str(DETAILS[detail])
    found = _CLIENT_DETAIL.fullmatch(detail)
    if found is None:
        return detail
    one, how, other = found.groups()
    if how == "into":
        return gettext("client %(one)s into client %(other)s", one=one, other=other)
    if how == "out of":
        return gettext("client %(one)s out of client %(other)s", one=one, other=other)
    return gettext("client %(number)s", number=one)


def shown_subject(subject: str) -> str:
    """Who did it, or from where: the command line in the language in force."""
    return str(DETAILS[COMMAND_LINE]) if subject == COMMAND_LINE else subject
