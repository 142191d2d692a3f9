"""What protects clients' data on every page: security headers and cookie flags, result
links that expire, stored markup shown as text, and a limit on what can be posted."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from screening.database import db
from screening.models import Screening
from tests.factories import VEINS, add_therapist, consent, form_data
from tests.web.helpers import SCRIPT, page, sign_in


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


def test_stored_script_is_text_in_print_view_and_pdf(app, client, rulebook, pdf_renderer):
    answers = {**VEINS, "recent_surgery": "yes", "surgery_date": date.today().isoformat(),
               "surgery_what": SCRIPT, "surgery_what_where": ["abdomen"], "major_surgery": "yes",
               "wound_healed": "no", "wound_problem": "no", "leg_symptoms_since": "no"}
    link = client.post("/submit", data=consent(form_data(rulebook, answers,
                                                         client_name=SCRIPT))).headers["Location"]
    add_therapist(app)
    sign_in(client)
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


@pytest.mark.parametrize("path", ["/submit", "/questionnaire", "/review/sign-in"])
def test_oversized_bodies_get_a_friendly_413(client, path):
    response = client.post(path, data={"x": "y" * (300 * 1024)})
    assert response.status_code == 413
    assert "too much information" in page(response).h1.get_text()
