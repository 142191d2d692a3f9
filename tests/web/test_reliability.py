"""Faults, expiry, headers and cookies, stored scripts, and the retention command."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from screening.database import db
from screening.intake import routes as intake_routes
from screening.models import AuditEvent, Decision, Screening
from tests.factories import add_screening, add_therapist, consent, form_data

SCRIPT = "<script>alert('x')</script>"
VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "large_raised",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def count(app, model=Screening):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def sign_in(app, client):
    add_therapist(app)
    client.post("/review/sign-in", data={"email": "kim@example.com",
                                         "password": "correct horse battery"})


def test_a_failed_save_says_nothing_was_stored_and_keeps_every_answer(app, client, rulebook,
                                                                        monkeypatch):
    def locked(**_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(intake_routes, "store_screening", locked)
    data = consent(form_data(rulebook, VEINS))
    response = client.post("/submit", data=data)
    assert response.status_code == 503
    soup = page(response)
    assert soup.title.get_text().startswith("Error:")
    assert "nothing was stored" in soup.get_text()
    carried = {(field["name"], field["value"]) for field in
               soup.select("form[action='/submit'] input[type=hidden]")}
    assert ("vv_location", "left_calf") in carried and ("client_name", "Ann Example") in carried
    assert soup.find("input", {"name": "signature"})["value"] == "Ann Example"
    assert count(app) == 0
    monkeypatch.undo()
    assert client.post("/submit", data=data).status_code == 303  # sending again works
    assert count(app) == 1


def test_a_database_failure_on_commit_leaves_no_half_written_row(app, client, rulebook,
                                                                 monkeypatch):
    def full(*_args, **_kwargs):
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", full)
        response = client.post("/submit", data=consent(form_data(rulebook, VEINS)))
    assert response.status_code == 503
    monkeypatch.undo()
    assert count(app) == 0


def test_result_links_expire(app, client, rulebook):
    app.config["RESULT_LINK_DAYS"] = 30
    link = client.post("/submit", data=consent(form_data(rulebook))).headers["Location"]
    assert client.get(link).status_code == 200
    with app.app_context():
        screening = db.session.scalar(select(Screening))
        screening.submitted_at = datetime.now(UTC) - timedelta(days=31)
        db.session.commit()
    for path in (link, f"{link}/record.pdf", f"{link}/print.css"):
        expired = client.get(path)
        assert expired.status_code == 404
    assert "Page not found" in page(client.get(link)).h1.get_text()


def test_headers_on_every_response(app, client, rulebook):
    for path in ("/", "/questionnaire", "/review/sign-in", "/static/site.css", "/nowhere"):
        with client.get(path) as response:
            headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in headers
    https = client.get("/", base_url="https://clinic.example")
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")
    with client.get("/static/site.css") as static:
        assert static.headers.get("Cache-Control") != "no-store"


def test_session_cookie_flags(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True  # as outside debug and testing
    add_therapist(app)
    response = client.post("/review/sign-in", base_url="https://clinic.example", data={
        "email": "kim@example.com", "password": "correct horse battery"})
    [cookie] = [value for value in response.headers.getlist("Set-Cookie")
                if value.startswith("session=")]
    flags = {flag.strip() for flag in cookie.split(";")}
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= flags


def test_stored_script_is_text_in_print_view_and_pdf(app, client, rulebook):
    answers = {**VEINS, "recent_surgery": "yes", "surgery_date": date.today().isoformat(),
               "surgery_what": SCRIPT, "surgery_what_where": ["abdomen"], "major_surgery": "yes",
               "wound_healed": "no", "wound_problem": "no", "leg_symptoms_since": "no"}
    link = client.post("/submit", data=consent(form_data(rulebook, answers,
                                                         client_name=SCRIPT))).headers["Location"]
    sign_in(app, client)
    client.post("/review/screenings/1/decision", data={"kind": "go_ahead", "note": SCRIPT})
    for path in (link, "/review/screenings/1", "/review/", "/review/audit",
                 "/review/screenings/1/doctor-letter"):
        html = client.get(path).get_data(as_text=True)
        assert SCRIPT not in html, path
    record = page(client.get("/review/screenings/1"))
    assert record.select_one(".record-header dd").get_text() == SCRIPT
    assert record.select_one(".record-decision .free-text").get_text() == SCRIPT
    text = PdfReader(io.BytesIO(client.get("/review/screenings/1/record.pdf").data)
                     ).pages[0].extract_text()
    assert "<script>alert('x')</script>" in text  # shown, as text


def test_purge_dry_run_then_remove(app, rulebook):
    with app.app_context():
        old = add_screening(rulebook, VEINS, submitted_at=datetime.now(UTC) - timedelta(days=400))
        add_screening(rulebook)
        db.session.add(Decision(screening=old, therapist_id=None, kind="go_ahead", note="n",
                                created_at=datetime.now(UTC)))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["purge", "--older-than", "365", "--dry-run"])
    assert dry.exit_code == 0
    assert "1 screening(s)" in dry.output and "#1 submitted" in dry.output
    assert "dry run" in dry.output and "Client 0" not in dry.output
    assert count(app) == 2
    done = runner.invoke(args=["purge", "--older-than", "365", "--yes"])
    assert done.exit_code == 0, done.output
    with app.app_context():
        assert [s.id for s in db.session.scalars(select(Screening))] == [2]
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "purge"))
        assert "#1" in event.detail


def test_purge_anonymises_with_the_flag(app, client, rulebook):
    answers = {**VEINS, "osteoporosis": "yes", "fracture_history": "Wrist, skiing 2019",
               "recent_fracture": "no", "spine_changes": "no", "long_term_steroids": "no"}
    link = client.post("/submit", data=consent(form_data(rulebook, answers))).headers["Location"]
    with app.app_context():
        screening = db.session.scalar(select(Screening))
        screening.submitted_at = datetime.now(UTC) - timedelta(days=800)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "730", "--anonymise",
                                                "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        screening = db.session.scalar(select(Screening))
        assert screening.client_name == "Anonymised" and screening.email is None
        assert screening.date_of_birth == date(1980, 1, 1)
        assert "fracture_history" not in screening.answers
        assert screening.answers["vv_location"] == ["left_calf"]
        assert screening.outcome == "local"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "anonymise"))
    app.config["RESULT_LINK_DAYS"] = 10_000
    assert client.get(link).status_code == 404


def test_purge_needs_a_positive_number_of_days(app):
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "0"])
    assert result.exit_code == 2
    assert "0 is not in the range" in result.output


@pytest.mark.parametrize("path", ["/submit", "/questionnaire", "/review/sign-in"])
def test_oversized_bodies_get_a_friendly_413(client, path):
    response = client.post(path, data={"x": "y" * (300 * 1024)})
    assert response.status_code == 413
    assert "too much information" in page(response).h1.get_text()
