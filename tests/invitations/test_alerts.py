"""Alerts to SCREENING_ALERT_EMAILS when a screening is urgent, or needs a doctor's clearance
or postponing: the date, the outcome and a link, never who the client is or what they said."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete

from screening.database import db
from screening.models import Screening
from tests.factories import consent, form_data
from tests.invitations.conftest import body
from tests.invitations.helpers import deliver, messages
from tests.invitations.test_outbox_delivery import URGENT

TODAY = date.today()
CASES = {
    "postpone": {"infectious_skin_condition": "yes", "skin_what": "impetigo",
                 "skin_where": ["face"], "skin_covered_small": "no", "skin_unwell": "no"},
    "medical_clearance": {"heart_condition": "yes", "breathless_lying": "no",
                          "heart_device": "no", "chest_pain_recent": "no",
                          "heart_last_event": (TODAY - timedelta(days=30)).isoformat()},
    "urgent": URGENT,
}
QUIET = {
    "clear": {},
    "caution": {"osteoporosis": "yes", "recent_fracture": "no", "spine_changes": "no",
                "long_term_steroids": "no"},
    "local": {"varicose_veins": "yes", "vv_location": ["left_calf"],
              "vv_severity": "large_raised", "vv_symptoms_now": "no", "vv_clot_history": "no"},
}


def submit(app, rulebook, answers, **details):
    response = app.test_client().post("/submit", data=consent(form_data(
        rulebook, answers, client_name="Zoe Quill", **details)))
    assert response.status_code == 303
    return response


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_screening_that_needs_attention_alerts_every_address(mail_app, smtp, rulebook, case):
    appointment = TODAY + timedelta(days=3)
    submit(mail_app, rulebook, CASES[case], appointment_date=appointment.isoformat())
    assert deliver(mail_app) == {"sent": 2}
    arrived = smtp.inbox.wait_for(2, timeout=5)
    assert sorted(message["To"] for message in arrived) == [
        "owner@riverside.example", "team@riverside.example"]
    message = arrived[0]
    assert message["Subject"] == "A screening needs your attention"
    text, html = body(message), body(message, "html")
    with mail_app.app_context():
        screening = db.session.get(Screening, 1)
        findings = [(f["condition_name"], f["client_message"], f["therapist_action"])
                    for f in screening.findings]
    outcome = {"postpone": "Postpone", "medical_clearance": "Check with doctor first",
               "urgent": "Postpone"}[case]
    for part in (text, html):
        assert f"{appointment.day} {appointment:%B %Y}" in part
        assert outcome in part
        assert ("urgent advice" in part) == (case == "urgent")
        assert "https://forms.riverside.example/review/screenings/1" in part
        for secret in ("Zoe", "Quill", "07700", "ann@example.com", "1980"):
            assert secret not in part
        for name, told, action in findings:
            assert name not in part and told[:40] not in part and action[:40] not in part


@pytest.mark.parametrize("case", sorted(QUIET))
def test_other_screenings_send_no_alert(mail_app, rulebook, case):
    submit(mail_app, rulebook, QUIET[case])
    assert messages(mail_app) == []


def test_no_alert_addresses_means_no_alerts(app_with, smtp, tmp_path, rulebook):
    app = app_with(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                   MAIL_FROM="clinic@example.com", BASE_URL="https://x.example",
                   OUTBOX_FOLDER=str(tmp_path))
    submit(app, rulebook, URGENT)
    assert messages(app) == []


def test_an_alert_for_a_screening_removed_before_it_went_is_not_sent(mail_app, smtp, rulebook):
    submit(mail_app, rulebook, URGENT, appointment_date="")
    with mail_app.app_context():
        db.session.execute(delete(Screening))
        db.session.commit()
    assert deliver(mail_app) == {"cancelled": 2}
    assert {message.last_error for message in messages(mail_app)} == {
        "The screening was removed."}
    assert smtp.inbox.messages == []
