"""Input SQLite takes but PostgreSQL refuses: the app must behave the same on both.

PostgreSQL cannot store a NUL character in text and enforces column lengths; SQLite does
neither. These run on whichever database the suite runs on (`make test-postgres` for
PostgreSQL); on SQLite they pass trivially.
"""

from sqlalchemy import func, select

from screening.database import db
from screening.models import AuditEvent, Decision, Screening
from tests.factories import add_therapist, consent, form_data


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def sign_in(app, client):
    add_therapist(app)
    response = client.post("/review/sign-in", data={"email": "kim@example.com",
                                                    "password": "correct horse battery"})
    assert response.status_code == 302


def test_a_nul_character_in_a_submission_is_stored_without_it(app, client, rulebook):
    data = consent(form_data(rulebook, client_name="Ann\x00 Example"),
                   signature="Ann\x00 Example")
    response = client.post("/submit", data=data)
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    assert count(app, Screening) == 1


def test_a_nul_character_in_a_sign_in_email_is_a_failed_sign_in(app, client):
    response = client.post("/review/sign-in", data={"email": "kim\x00@example.com",
                                                    "password": "correct horse battery"})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert count(app, AuditEvent) == 1


def test_a_sign_in_email_that_grows_when_lower_cased_is_a_failed_sign_in(app, client):
    email = "\u0130" * 240 + "@example.com"  # 252 characters; "İ".lower() is two
    response = client.post("/review/sign-in", data={"email": email,
                                                    "password": "correct horse battery"})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert count(app, AuditEvent) == 1


def test_a_nul_character_in_a_note_or_a_search_is_harmless(app, client, rulebook):
    client.post("/submit", data=consent(form_data(rulebook)))
    sign_in(app, client)
    response = client.post("/review/screenings/1/decision",
                           data={"kind": "go_ahead", "note": "Fine\x00 to go"})
    assert response.status_code < 400
    assert count(app, Decision) == 1
    assert client.get("/review/", query_string={"q": "Ann\x00"}).status_code == 200
