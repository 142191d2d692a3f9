"""The client's link: 256 random bits of which only a hash is stored; it opens the
questionnaire filled in until the day after the appointment, and after that, once answered
or when cancelled, it says so plainly and offers the ordinary questionnaire."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from screening.database import db
from screening.invitations import service
from screening.invitations.models import Invitation
from screening.invitations.validation import InvitationDetails
from screening.models import Screening
from tests.factories import consent, form_data
from tests.invitations.helpers import page

TODAY = date.today()


def make_invitation(app, day=TODAY + timedelta(days=1), **fields) -> tuple[int, str]:
    """An invitation made as the review area makes one; (id, its link's path)."""
    values = {"client_name": "Ann Example", "email": "ann@example.com", "phone": None,
              "appointment_date": day, "appointment_time": time(14, 30), "therapist": "",
              "note": "", **fields}
    with app.app_context():
        invitation = service.create(InvitationDetails(**values))
        db.session.commit()
        return invitation.id, "/start/" + service.link_token(invitation.link_key)


def test_the_link_carries_256_random_bits_and_only_their_hash_is_stored(app):
    first_id, first = make_invitation(app)
    _second_id, second = make_invitation(app, email="bo@example.com")
    token = first.removeprefix("/start/")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 43 base64url characters: 256 bits
    assert first != second
    with app.app_context():
        invitation = db.session.get(Invitation, first_id)
        stored = [str(value) for value in invitation.__dict__.values()]
        assert not any(token in value for value in stored)
        assert service.find_by_token(token).id == first_id


def test_opening_the_link_fills_in_the_form_and_marks_the_invitation_started(app, client):
    invitation_id, link = make_invitation(app, phone="07700 900982")
    opened = page(client.get(link))
    assert opened.find("input", {"name": "client_name"})["value"] == "Ann Example"
    assert opened.find("input", {"name": "phone"})["value"] == "07700 900982"
    notice = opened.select_one(".notice").get_text(" ", strip=True)
    assert notice.startswith("Hello Ann Example.") and "at 14:30" in notice
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).opened_at is not None


def test_a_screening_sent_after_opening_the_link_is_tied_to_it_even_after_a_correction(
        app, client, rulebook):
    invitation_id, link = make_invitation(app)
    client.get(link)
    client.post("/submit", data=consent(form_data(rulebook, submission_key="a" * 32)))
    corrected = form_data(rulebook, {"osteoporosis": "yes", "recent_fracture": "no",
                                     "spine_changes": "no", "long_term_steroids": "no"},
                          submission_key="a" * 32)  # back from the result, one answer changed
    client.post("/submit", data=consent(corrected))
    with app.app_context():
        screenings = db.session.scalars(select(Screening).order_by(Screening.id)).all()
        assert [s.invitation_id for s in screenings] == [invitation_id, invitation_id]
        assert db.session.get(Invitation, invitation_id).screening.outcome == "caution"


def test_the_ordinary_questionnaire_opened_afterwards_is_not_tied(app, client, rulebook):
    _invitation_id, link = make_invitation(app)
    client.get(link)
    client.get("/")  # the next client, on the same tablet at reception
    client.post("/submit", data=consent(form_data(rulebook, client_name="Bo Other")))
    with app.app_context():
        assert db.session.scalar(select(Screening)).invitation_id is None


@pytest.mark.parametrize("days_after, works", [(0, True), (1, True), (2, False)])
def test_the_link_works_until_the_day_after_the_appointment(app, client, days_after, works):
    _invitation_id, link = make_invitation(app, day=TODAY - timedelta(days=days_after))
    response = client.get(link)
    if works:
        assert response.status_code == 200
        date_field = page(response).find("input", {"name": "appointment_date"})
        # the day after, the appointment is past: the form would refuse it, so it is left out
        assert date_field["value"] == ("" if days_after else TODAY.isoformat())
        return
    assert response.status_code == 410
    closed = page(response)
    assert closed.h1.get_text(strip=True) == "This link has expired"
    assert "worked until the end of" in closed.select_one(".lead").get_text()
    assert closed.find("a", string="Answer the questionnaire")["href"] == "/questionnaire"


def test_an_answered_or_cancelled_invitation_says_so_and_offers_the_questionnaire(
        app, client, rulebook):
    _invitation_id, link = make_invitation(app)
    client.get(link)
    client.post("/submit", data=consent(form_data(rulebook)))
    answered = client.get(link)
    assert answered.status_code == 200
    assert page(answered).h1.get_text(strip=True) == "You have already sent your answers"
    assert page(answered).find("a", string="Fill in the questionnaire again")
    other_id, other = make_invitation(app, email="bo@example.com")
    with app.app_context():
        service.cancel(db.session.get(Invitation, other_id))
        db.session.commit()
    cancelled = client.get(other)
    assert cancelled.status_code == 410
    assert page(cancelled).h1.get_text(strip=True) == "This link no longer works"


@pytest.mark.parametrize("token", ["x" * 43, "short", "A" * 200, "%00" * 5, "../../etc"])
def test_a_wrong_link_is_not_found(app, client, token):
    make_invitation(app)
    response = client.get(f"/start/{token}")
    assert response.status_code == 404
    # A link of another clinic's (or one copied wrongly) says so; a path that is no link
    # at all ("/" in it) is an ordinary page not found.
    assert page(response).h1.get_text(strip=True) == (
        "Page not found" if "/" in token else "We don't recognise this link")
