"""Alerts to the clinic: when a screening is urgent, or its outcome is "check with doctor
first" or "postpone", every address in SCREENING_ALERT_EMAILS is emailed. The alert is queued
in the same transaction that stores the screening, however it is stored, and says only that
a screening needs attention, the appointment date, the outcome and where to review it: no
client name, answers or findings.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from .languages import clinic_language, in_language, long_date
from .mail import Composed, NotNeeded, composer, external_url, render
from .models import Screening
from .outbox import queue
from .presenters import OUTCOME_WORDS

#: Outcomes that alert the clinic (besides any urgent screening).
ALERT_OUTCOMES = ("medical_clearance", "postpone")


def needs_attention(screening: Screening) -> bool:
    return bool(screening.urgent) or screening.outcome in ALERT_OUTCOMES


@event.listens_for(Session, "before_flush")
def _queue_alerts(session: Session, flush_context, instances) -> None:
    if not has_app_context():
        return
    addresses = current_app.config.get("ALERT_EMAILS") or []
    for obj in list(session.new):
        if isinstance(obj, Screening) and addresses and needs_attention(obj):
            for address in addresses:
                queue("alert", address, screening=obj, session=session)


@composer("alert")
def alert_email(message) -> Composed:
    """In the clinic's language, like the review pages it links to."""
    screening = message.screening
    if screening is None:
        raise NotNeeded(_("The screening was removed."))
    with in_language(clinic_language()):
        text, html = render(
            "alert", outcome=str(OUTCOME_WORDS[screening.outcome]), urgent=screening.urgent,
            appointment=long_date(screening.appointment_date) or _("not given"),
            link=external_url("review.screening", screening_id=screening.id))
        return Composed(_("A screening needs your attention"), text, html)
