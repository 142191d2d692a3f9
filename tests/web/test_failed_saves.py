"""A save that fails (a locked, full or unreachable database): nothing half written,
and every answer kept on the page to send again."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from screening.answers import missing, normalise
from screening.database import db
from screening.intake import routes as intake_routes
from screening.intake.forms import posted_answers
from screening.models import Screening
from tests.factories import DETAILS, VEINS, all_no, consent, form_data, make_app
from tests.web.helpers import page


def count(app, model=Screening):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


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
