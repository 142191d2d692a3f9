"""Steps a therapist and a client take, for the invitation tests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from sqlalchemy import select

from screening.database import db
from screening.invitations.models import Invitation
from screening.outbox import OutboxMessage
from screening.sender import deliver_due
from tests.factories import add_therapist
from tests.invitations.conftest import TOMORROW

INVITE = {"client_name": "Ann Example", "email": "ann@example.com", "phone": "",
          "appointment_date": TOMORROW.isoformat(), "appointment_time": "14:30",
          "therapist": "Kim Lee", "note": ""}
LINK = re.compile(r"https?://[^\s\"<>]+/start/[A-Za-z0-9_-]{43}")


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def signed_in(app):
    """A test client of `app` signed in as a therapist (made through the CLI)."""
    password = add_therapist(app) if not _has_therapist(app) else "correct horse battery"
    client = app.test_client()
    response = client.post("/review/sign-in", data={"email": "kim@example.com",
                                                    "password": password})
    assert response.status_code == 302, response.status_code
    return client


def _has_therapist(app) -> bool:
    from screening.models import Therapist

    with app.app_context():
        return db.session.scalar(select(Therapist)) is not None


def invite(browser, **fields):
    """Post the review area's invitation form."""
    return browser.post("/review/invitations/new", data={**INVITE, **fields})


def deliver(app, **options):
    with app.app_context():
        return deliver_due(**options)


def link_in(message) -> str:
    """The questionnaire link in an email's plain-text part, as a path on the app."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = LINK.findall(text)
    assert len(found) == 1, text
    return urlsplit(found[0]).path


def messages(app) -> list[OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return found


def invitations(app) -> list[Invitation]:
    with app.app_context():
        found = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
        db.session.expunge_all()
        return found
