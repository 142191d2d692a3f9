"""Running where the clinic is: behind a reverse proxy, and in the clinic's own time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from screening.database import db
from screening.models import AuditEvent, Screening
from tests.factories import add_therapist, consent, form_data, make_app

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


@pytest.fixture
def app_with(tmp_path, migrated_db):
    def make(**config):
        path = tmp_path / f"app{len(list(tmp_path.iterdir()))}.sqlite3"
        path.write_bytes(migrated_db.read_bytes())
        return make_app(path, **config)
    return make


def failed_sign_in_addresses(app, client):
    client.post("/review/sign-in", data={"email": "kim@example.com", "password": "wrong"},
                headers=FORWARDED)
    with app.app_context():
        return [event.address for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sign_in_failed"))]


def test_behind_a_trusted_proxy_the_clients_address_and_https_are_used(app_with):
    app = app_with(TRUSTED_PROXIES=1)
    add_therapist(app)
    client = app.test_client()
    response = client.get("/questionnaire", headers=FORWARDED)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert failed_sign_in_addresses(app, client) == ["203.0.113.9"]


def test_without_a_proxy_forwarded_headers_are_not_believed(app_with):
    app = app_with()
    add_therapist(app)
    client = app.test_client()
    response = client.get("/questionnaire", headers=FORWARDED)
    assert "Strict-Transport-Security" not in response.headers
    assert failed_sign_in_addresses(app, client) == ["127.0.0.1"]


def _zone_with_another_date() -> tuple[str, date]:
    """A time zone whose date differs from the server's right now (one of these two always
    does: their clocks are 26 hours apart)."""
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
        there = datetime.now(ZoneInfo(zone)).date()
        if there != date.today():
            return zone, there
    raise AssertionError("unreachable: the two zones are 26 hours apart")


def test_today_is_the_clinics_date_not_the_servers(app_with, rulebook):
    """A client booking for today, where the clinic is, is not told that date is past or
    future, and the screening is dated as the clinic sees it."""
    zone, clinic_today = _zone_with_another_date()
    app = app_with(TIMEZONE=zone)
    client = app.test_client()
    booked = consent(form_data(rulebook, submission_key="b" * 32,
                               appointment_date=clinic_today.isoformat()), signed_on=clinic_today)
    walk_in = consent(form_data(rulebook, submission_key="w" * 32), signed_on=clinic_today)
    for data in (booked, walk_in):
        response = client.post("/submit", data=data)
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        stored = {row.submission_key[0]: row for row in db.session.scalars(select(Screening))}
    assert stored["b"].appointment_date == clinic_today
    assert stored["w"].screened_on == clinic_today


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("TIMEZONE", "Mars/Olympus_Mons", "SCREENING_TIMEZONE='Mars/Olympus_Mons' is not a time zone"),
    ("RESULT_LINK_DAYS", 0, "SCREENING_RESULT_LINK_DAYS=0"),
    ("RESULT_LINK_DAYS", "sixty", "SCREENING_RESULT_LINK_DAYS='sixty'"),
    ("TRUSTED_PROXIES", -1, "SCREENING_TRUSTED_PROXIES=-1"),
    ("PAPER_SIZE", "A3", "SCREENING_PAPER_SIZE='A3': use A4 or Letter"),
    ("LANGUAGES", "en,spanish", "SCREENING_LANGUAGES: 'spanish' is not a language code"),
    ("LANGUAGE", "xx", "SCREENING_LANGUAGE: 'xx' is not a language code"),
])
def test_a_wrong_setting_stops_the_app_with_what_to_change(app_with, setting, value, message):
    with pytest.raises(RuntimeError, match=message.replace("(", r"\(")):
        app_with(**{setting: value})
