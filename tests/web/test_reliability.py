"""Faults, expiry, headers and cookies, stored scripts, and the retention command."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from screening.answers import missing, normalise
from screening.database import db
from screening.intake import routes as intake_routes
from screening.intake.forms import posted_answers
from screening.models import AuditEvent, Decision, Screening
from tests.factories import (
    DETAILS,
    add_screening,
    add_therapist,
    all_no,
    consent,
    form_data,
    make_app,
)

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


#: A long, complete form: every type of answer (yes/no, one choice, several choices, body
#: areas, dates, a number, a blood pressure, free text with markup and quotes in it).
TODAY = date.today()
RICH = {
    **VEINS,
    "recent_surgery": "yes", "surgery_date": (TODAY - timedelta(days=20)).isoformat(),
    "surgery_what": 'Knee <b>"replacement"</b> & stitches',
    "surgery_what_where": ["left_knee", "right_knee"], "major_surgery": "yes",
    "wound_healed": "yes", "wound_problem": "no", "leg_symptoms_since": "no",
    "implants": "Titanium plate; 4 screws", "surgeon_advice": "Rest for 6 weeks",
    "uncontrolled_high_blood_pressure": "yes", "bp_treated": "well_controlled",
    "bp_last_reading": "150/95", "bp_symptoms_today": "no",
    "pregnancy": "yes", "preg_status": "pregnant", "preg_weeks": 20, "preg_warning_now": "no",
    "preg_complications": "no",
    "allergies_sensitivities": "yes", "allergy_to": ["nuts", "fragrance"],
    "allergy_what": "Almond oil, lavender", "allergy_anaphylaxis": "no",
}
RICH_DETAILS = {"client_name": "Zoë O'Brien-Smith", "phone": "+44 7700 900982",
                "email": "zoe@example.com",
                "appointment_date": (TODAY + timedelta(days=7)).isoformat()}


@pytest.fixture
def failing_commits(app, monkeypatch):
    """The database refuses every commit (full, locked or gone) until `monkeypatch.undo()`."""
    def full(*_args, **_kwargs):
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", full)
    return monkeypatch


def what_is_carried(rulebook, answers, details):
    """The (name, value) pairs the submit form carries for these answers, as sent."""
    checked, problems = normalise(rulebook, {**all_no(rulebook), **answers}, TODAY)
    assert problems == {} and missing(rulebook, checked) == []
    pairs = [(name, value) for name, value in {**DETAILS, **details}.items() if value]
    pairs.append(("submission_key", "k" * 32))
    for qid, value in checked.items():
        pairs += [(qid, str(item)) for item in (value if isinstance(value, list) else [value])]
    return sorted(pairs), checked


def send_form_on(client, soup):
    """Send the page's submit form as a browser does: every input as it is on the page."""
    form = soup.select_one("form[action='/submit']")
    data = MultiDict()
    for field in form.select("input"):
        if field.get("type") != "checkbox" or field.has_attr("checked"):
            data.add(field["name"], field.get("value", ""))
    return client.post("/submit", data=data)


def assert_kept_for_sending_again(response, carried):
    assert response.status_code == 503
    soup = page(response)
    assert soup.title.get_text().startswith("Error:")
    assert "nothing was stored" in soup.get_text()
    form = soup.select_one("form[action='/submit']")
    hidden = sorted((field["name"], field["value"])
                    for field in form.select("input[type=hidden]")
                    if field["name"] != "csrf_token")
    assert hidden == carried  # every answer and detail, nothing more, nothing changed
    assert form.find("input", {"name": "confirm"}).has_attr("checked")
    assert form.find("input", {"name": "signature"})["value"] == "Zoë O'Brien-Smith"
    assert form.find("input", {"name": "signed_on"})["value"] == TODAY.isoformat()
    shown = soup.select_one("main").get_text(" ", strip=True)
    assert 'Knee <b>"replacement"</b> & stitches' in shown  # the summary shows them too
    return soup


def test_a_failed_save_keeps_every_answer_of_a_complete_form(app, client, rulebook,
                                                              failing_commits):
    data = consent(form_data(rulebook, RICH, **RICH_DETAILS), signature="Zoë O'Brien-Smith")
    carried, checked = what_is_carried(rulebook, RICH, RICH_DETAILS)
    assert posted_answers(rulebook, data, TODAY) == checked  # read by the quick path
    soup = assert_kept_for_sending_again(client.post("/submit", data=data), carried)
    assert count(app) == 0
    failing_commits.undo()
    sent = send_form_on(client, soup)
    assert sent.status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(Screening))
        assert stored.answers == checked
        assert (stored.client_name, stored.phone, stored.signature) == \
            ("Zoë O'Brien-Smith", "+44 7700 900982", "Zoë O'Brien-Smith")
        assert stored.appointment_date == TODAY + timedelta(days=7)


def test_a_failed_save_keeps_every_answer_of_a_form_the_full_form_reads(app, client,
                                                                         rulebook,
                                                                         failing_commits):
    """A stray answer to a follow-up not asked (osteoporosis is No) sends the post down the
    full form's path; the stray is dropped, as it would be when stored."""
    data = consent(form_data(rulebook, {**RICH, "spine_changes": "perhaps"}, **RICH_DETAILS),
                   signature="Zoë O'Brien-Smith")
    carried, checked = what_is_carried(rulebook, RICH, RICH_DETAILS)
    assert posted_answers(rulebook, data, TODAY) is None  # the full form reads it
    soup = assert_kept_for_sending_again(client.post("/submit", data=data), carried)
    assert count(app) == 0
    failing_commits.undo()
    assert send_form_on(client, soup).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Screening)).answers == checked


def test_sending_again_from_the_not_saved_page_stores_one_screening_with_csrf(
        tmp_path, migrated_db, rulebook, monkeypatch):
    path = tmp_path / "csrf.sqlite3"
    path.write_bytes(migrated_db.read_bytes())
    app = make_app(path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    blank = page(client.get("/questionnaire"))
    data = form_data(rulebook, RICH, **RICH_DETAILS, submission_key=blank.find(
        "input", {"name": "submission_key"})["value"])
    data["csrf_token"] = blank.find("input", {"name": "csrf_token"})["value"]
    check = page(client.post("/questionnaire", data=data, follow_redirects=True))
    assert check.h1.get_text() == "Check your answers before sending them"
    consent_form = check.select_one("form[action='/submit']")
    consent_form.find("input", {"name": "confirm"})["checked"] = ""
    consent_form.find("input", {"name": "signature"})["value"] = "Zoë O'Brien-Smith"

    def full(*_args, **_kwargs):
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", full)
    failed = send_form_on(client, check)
    assert failed.status_code == 503
    not_saved = page(failed)
    assert not_saved.select_one("form[action='/submit'] input[name=csrf_token]")["value"]
    monkeypatch.undo()
    first = send_form_on(client, not_saved)
    again = send_form_on(client, not_saved)  # a double click, or a refresh
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert count(app) == 1
    with app.app_context():
        assert db.session.scalar(select(Screening)).answers == \
            what_is_carried(rulebook, RICH, RICH_DETAILS)[1]


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


def test_stored_script_is_text_in_print_view_and_pdf(app, client, rulebook, pdf_renderer):
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


def anonymise_older_than_730_days(app):
    """Run `purge --older-than 730 --anonymise`; return the one screening (app context)."""
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "730", "--anonymise",
                                                "--yes"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Screening))


def test_purge_anonymises_with_the_flag(app, client, rulebook):
    answers = {**VEINS, "osteoporosis": "yes", "fracture_history": "Wrist, skiing 2019",
               "recent_fracture": "no", "spine_changes": "no", "long_term_steroids": "no"}
    link = client.post("/submit", data=consent(form_data(rulebook, answers))).headers["Location"]
    with app.app_context():
        screening = db.session.scalar(select(Screening))
        screening.submitted_at = datetime.now(UTC) - timedelta(days=800)
        db.session.commit()
    with app.app_context():
        screening = anonymise_older_than_730_days(app)
        assert screening.client_name == "Anonymised" and screening.email is None
        assert screening.date_of_birth == date(1980, 1, 1)
        assert "fracture_history" not in screening.answers
        assert screening.answers["vv_location"] == ["left_calf"]
        assert screening.outcome == "local"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "anonymise"))
    app.config["RESULT_LINK_DAYS"] = 10_000
    assert client.get(link).status_code == 404


def test_anonymising_drops_answers_to_questions_the_rule_book_no_longer_has(app, rulebook):
    """Free text given to a question since removed from the rule book (or since changed
    from free text to a coded question) goes too; it could name or describe the client."""
    with app.app_context():
        screening = add_screening(rulebook, VEINS,
                                  submitted_at=datetime.now(UTC) - timedelta(days=800))
        coded = dict(screening.answers)
        screening.answers = {**coded, "old_medication_notes": "Warfarin, Dr Jones, 1 High St",
                             "old_pregnant": "yes", "vv_severity": "the big one behind my knee"}
        db.session.commit()
    with app.app_context():
        screening = anonymise_older_than_730_days(app)
        assert screening.client_name == "Anonymised"
        assert screening.answers == {qid: value for qid, value in coded.items()
                                     if qid != "vv_severity"}
        assert screening.answers["vv_location"] == ["left_calf"]
        assert screening.outcome == "local"


def test_purge_needs_a_positive_number_of_days(app):
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "0"])
    assert result.exit_code == 2
    assert "0 is not in the range" in result.output


@pytest.mark.parametrize("path", ["/submit", "/questionnaire", "/review/sign-in"])
def test_oversized_bodies_get_a_friendly_413(client, path):
    response = client.post(path, data={"x": "y" * (300 * 1024)})
    assert response.status_code == 413
    assert "too much information" in page(response).h1.get_text()
