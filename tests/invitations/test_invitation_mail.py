"""An invitation from the review area, through a real SMTP server, read as a mail program
reads it, and its link followed to a stored screening."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parseaddr

from sqlalchemy import select

from screening.database import db
from screening.models import Screening
from tests.factories import consent, form_data
from tests.invitations.conftest import BASE_URL, TOMORROW, body
from tests.invitations.helpers import (
    deliver,
    invitations,
    invite,
    link_in,
    messages,
    page,
    signed_in,
)

WHEN = f"{TOMORROW:%A} {TOMORROW.day} {TOMORROW:%B %Y} at 14:30"
HEALTH_WORDS = ("health", "medical", "condition", "contraindication", "doctor", "urgent")


def test_the_invitation_arrives_in_plain_text_and_html_with_the_link_and_nothing_on_health(
        mail_app, smtp):
    response = invite(signed_in(mail_app))
    assert response.status_code == 303
    assert deliver(mail_app)["sent"] == 1
    [message] = smtp.inbox.wait_for(1, timeout=5)
    assert smtp.inbox.envelopes[0][1] == ["ann@example.com"]
    assert parseaddr(message["From"])[1] == "bookings@riverside.example"
    assert message["To"] == "ann@example.com"
    assert message["Subject"] == f"Your appointment on {WHEN}: a few questions first"
    assert message["Message-ID"] == messages(mail_app)[0].message_id
    after = TOMORROW + timedelta(days=1)  # the link works to the end of the next day
    until = f"The link works until the end of {after:%A} {after.day} {after:%B %Y}"
    text, html = body(message), body(message, "html")
    for part in (text, html):
        assert "Riverside Massage" in part and WHEN in part and "Ann Example" in part
        assert "Kim Lee" in part
        assert until in part
        assert not any(word in part.lower() for word in HEALTH_WORDS), part
    assert f"{BASE_URL}/start/" in text
    assert re.search(r'href="https://forms\.riverside\.example/start/[A-Za-z0-9_-]{43}"', html)


def test_following_the_link_opens_the_questionnaire_filled_in_and_ties_the_screening(
        mail_app, smtp, rulebook):
    invite(signed_in(mail_app))
    deliver(mail_app)
    [message] = smtp.inbox.wait_for(1, timeout=5)
    client = mail_app.test_client()
    opened = page(client.get(link_in(message)))
    assert opened.h1.get_text(strip=True) == "Health questions before your massage"
    assert WHEN in opened.select_one(".notice").get_text(" ", strip=True)
    assert opened.find("input", {"name": "client_name"})["value"] == "Ann Example"
    assert opened.find("input", {"name": "email"})["value"] == "ann@example.com"
    assert opened.find("input", {"name": "appointment_date"})["value"] == TOMORROW.isoformat()
    key = opened.find("input", {"name": "submission_key"})["value"]
    data = form_data(rulebook, submission_key=key, client_name="Ann Corrected",
                     appointment_date=TOMORROW.isoformat())
    assert client.post("/submit", data=consent(data)).status_code == 303
    with mail_app.app_context():
        screening = db.session.scalar(select(Screening))
        assert screening.invitation_id == invitations(mail_app)[0].id
        assert screening.client_name == "Ann Corrected"  # the client's correction is kept
    again = client.get(link_in(message))
    assert again.status_code == 200
    assert page(again).h1.get_text(strip=True) == "You have already sent your answers"
