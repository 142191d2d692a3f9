"""A screening in the review area: its answers and findings, decisions and the audit trail."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from screening.database import db
from screening.models import AuditEvent, Decision, Screening
from tests.engine.rulebook_builder import edit
from tests.factories import add_screening, add_therapist, consent, form_data, make_app
from tests.web.helpers import CHECK, SCRIPT, TODAY, URGENT_VEINS, events, page, queue_names, sign_in

RULES = Path(__file__).parents[2] / "rules"


def test_detail_shows_answers_findings_and_version(app, signed_in, rulebook):
    with app.app_context():
        add_screening(rulebook, {**URGENT_VEINS, "recent_surgery": "yes",
                                 "surgery_date": (TODAY - timedelta(days=10)).isoformat(),
                                 "surgery_what": "Line one\n  <b>indented</b>",
                                 "surgery_what_where": ["abdomen"], "major_surgery": "yes",
                                 "wound_healed": "yes", "wound_problem": "no",
                                 "leg_symptoms_since": "no"})
    soup = page(signed_in.get("/review/screenings/1"))
    text = soup.get_text(" ", strip=True)
    assert rulebook.version in text
    assert "Left calf or shin" in text and "Tummy (abdomen)" in text
    for rule_id in ("varicose_veins", "varicose_veins_symptoms_now", "recent_surgery"):
        rule = next(r for r in rulebook.rules if r.id == rule_id)
        assert " ".join(rule.therapist_action.split()) in text
    free_text = soup.find(string=lambda s: s and "indented" in s)
    assert free_text == "Line one\n  <b>indented</b>"  # exactly as typed, as text
    assert "free-text" in free_text.parent["class"]
    follow_up = soup.find("dt", string=rulebook.questions["vv_location"].text)
    assert "summary__row--follow-up" in follow_up.parent["class"]
    assert events(app, "view_screening")[0].screening_id == 1


def test_detail_says_when_the_result_would_differ_today(app, signed_in, rulebook):
    ten_days_ago = TODAY - timedelta(days=10)
    with app.app_context():
        add_screening(rulebook, {"recent_surgery": "yes",
                                 "surgery_date": (ten_days_ago - timedelta(days=40)).isoformat(),
                                 "surgery_what": "Mole removal",
                                 "surgery_what_where": ["upper_back"], "major_surgery": "no",
                                 "wound_healed": "yes", "wound_problem": "no",
                                 "leg_symptoms_since": "no"}, on=ten_days_ago)
        add_screening(rulebook, on=ten_days_ago)
        stored = db.session.get(Screening, 1)
        assert stored.outcome == "medical_clearance"  # 40 days after: inside 6 weeks
    notice = page(signed_in.get("/review/screenings/1")).find(id="result-today-title")
    assert notice.get_text() == "The result would be different today"
    section = notice.parent.get_text(" ", strip=True)
    assert "Check with doctor first" in section and "Avoid some areas" in section
    assert page(signed_in.get("/review/screenings/2")).find(id="result-today-title") is None


def test_the_doctors_letter_page_is_a_recorded_look(app, signed_in, rulebook):
    with app.app_context():
        add_screening(rulebook, CHECK)
        add_screening(rulebook)  # nothing needs a doctor's advice: no letter
    letter = signed_in.get("/review/screenings/1/doctor-letter")
    assert letter.status_code == 200
    assert signed_in.get("/review/screenings/2/doctor-letter").status_code == 404
    assert [event.screening_id for event in events(app, "view_letter")] == [1]
    whats = [cell.get_text(strip=True) for cell in
             page(signed_in.get("/review/audit")).select('td[data-label="What"]')]
    assert whats[0] == "Viewed the doctor's letter"


#: heart_condition.yaml's optional free-text follow-up, which the changed rule book drops.
HEART_WHAT = """\
  - id: heart_what
    text: What is the condition or procedure?
    short: your heart condition
    type: text
    optional: true
    max_length: 300
"""


@pytest.fixture
def app_on_changed_rules(tmp_path, migrated_db):
    """The app with its own copy of rules/ that no longer asks heart_what."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    edit(rules / "conditions" / "heart_condition.yaml", HEART_WHAT, "")
    database = tmp_path / "changed.sqlite3"
    shutil.copy(migrated_db, database)
    return make_app(database, RULEBOOK=str(rules))


def test_answers_to_questions_no_longer_in_the_rule_book_are_shown(app_on_changed_rules,
                                                                   rulebook):
    app = app_on_changed_rules
    typed = f"Stent {SCRIPT}\n  & a valve"
    with app.app_context():  # screened with the rule book of the time, which asked heart_what
        add_screening(rulebook, {**CHECK, "heart_what": typed}, on=TODAY - timedelta(days=10))
    add_therapist(app)
    client = app.test_client()
    sign_in(client)
    response = client.get("/review/screenings/1")
    assert response.status_code == 200
    assert SCRIPT not in response.get_data(as_text=True)
    soup = page(response)
    title = soup.find("h3", string="Answers to questions no longer in the rule book")
    assert title is not None
    retired = title.find_next("dl")
    assert [row.dt.get_text(strip=True) for row in retired.select(".summary__row")] == [
        "heart_what"]
    assert retired.dd.get_text() == typed  # exactly as stored, as text
    answers = soup.find(id="answers-title").parent.get_text(" ", strip=True)
    assert rulebook.questions["heart_last_event"].text in answers  # still asked: in place
    with app.app_context():  # a screening that answered only current questions: no group
        add_screening(rulebook, CHECK)
    assert page(client.get("/review/screenings/2")).find(
        "h3", string="Answers to questions no longer in the rule book") is None


def test_recording_and_revising_a_decision_keeps_the_history(app, signed_in, rulebook):
    with app.app_context():
        add_screening(rulebook, URGENT_VEINS)
    first = signed_in.post("/review/screenings/1/decision", data={
        "kind": "waiting_for_clearance", "note": "Asked to see GP about the calf"})
    assert first.status_code == 303
    second = signed_in.post("/review/screenings/1/decision", data={
        "kind": "cleared_by_doctor", "cleared_on": TODAY.isoformat(),
        "cleared_by": "Dr A Patel, GP", "note": "Letter seen"})
    assert second.status_code == 303
    soup = page(signed_in.get("/review/screenings/1"))
    history = [item.get_text(" ", strip=True) for item in soup.select("ol.history li")]
    assert history[0].startswith("Cleared by doctor (current) by Kim Lee")
    assert "Dr A Patel, GP" in history[0] and "Letter seen" in history[0]
    assert history[1].startswith("Waiting for doctor's clearance by Kim Lee")
    with app.app_context():
        assert db.session.get(Screening, 1).decision == "cleared_by_doctor"
    assert [e.action for e in events(app) if e.action.endswith("_decision")] == [
        "record_decision", "revise_decision"]
    assert queue_names(signed_in, "?state=reviewed") == ["Client 0"]


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Select a decision"),
    ({"kind": "maybe"}, "Not a valid choice"),
    ({"kind": "cleared_by_doctor"}, "Enter the date the doctor cleared the client"),
    ({"kind": "cleared_by_doctor", "cleared_on": TODAY.isoformat()}, "Enter who cleared"),
    ({"kind": "cleared_by_doctor", "cleared_on": (TODAY + timedelta(days=2)).isoformat(),
      "cleared_by": "Dr A"}, "must be today or in the past"),
    ({"kind": "go_ahead", "note": "x" * 2001}, "2000 characters or fewer"),
])
def test_invalid_decisions_are_explained(app, signed_in, rulebook, data, message):
    with app.app_context():
        add_screening(rulebook)
    soup = page(signed_in.post("/review/screenings/1/decision", data=data))
    assert soup.title.get_text().startswith("Error:")
    assert message in soup.select_one(".error-summary").get_text()
    if "note" in data:
        assert soup.find("textarea", {"name": "note"}).get_text() == data["note"]
    with app.app_context():
        assert db.session.scalar(select(Decision)) is None
    # Shown again, the page shows the client's answers: a look, recorded like any other.
    views = events(app, "view_screening")
    assert [(view.screening_id, view.detail) for view in views] == [
        (1, "shown again: the decision had errors and was not saved")]
    trail = soup.find(id="audit-title").parent.get_text(" ", strip=True)
    assert "Viewed screening (shown again: the decision had errors and was not saved)" in trail


def test_audit_page_lists_views_decisions_and_sign_ins(app, signed_in, rulebook):
    with app.app_context():
        add_screening(rulebook)
    signed_in.get("/review/screenings/1")
    signed_in.post("/review/screenings/1/decision", data={"kind": "go_ahead"})
    soup = page(signed_in.get("/review/audit"))
    whats = [cell.get_text(strip=True) for cell in soup.select('td[data-label="What"]')]
    assert whats == ["Recorded decision (Go ahead)", "Viewed screening", "Signed in",
                     "Account added (kim@example.com, name: Kim Lee)"]
    detail = page(signed_in.get("/review/screenings/1")).find(id="audit-title").parent
    assert "Recorded decision (Go ahead) by Kim Lee, from 127.0.0.1" in detail.get_text(
        " ", strip=True)


def test_audit_entries_cannot_be_changed(app, signed_in):
    assert signed_in.post("/review/audit").status_code == 405
    assert signed_in.delete("/review/audit").status_code == 405
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        event.detail = "rewritten"
        with pytest.raises(ValueError, match="cannot be changed"):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEvent)))
        with pytest.raises(ValueError, match="cannot be changed"):
            db.session.commit()


def test_html_in_names_and_notes_is_shown_as_text(app, client, signed_in, rulebook):
    client.post("/submit", data=consent(form_data(rulebook, URGENT_VEINS, client_name=SCRIPT)))
    signed_in.post("/review/screenings/1/decision", data={"kind": "go_ahead", "note": SCRIPT})
    for path in ("/review/", "/review/screenings/1", "/review/audit"):
        html = signed_in.get(path).get_data(as_text=True)
        assert SCRIPT not in html, path
    soup = page(signed_in.get("/review/screenings/1"))
    assert soup.h1.get_text() == SCRIPT
    assert soup.find("p", class_="free-text").get_text() == SCRIPT
