"""The therapists' review area through the Flask test client."""

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import select

from screening.database import db
from screening.models import AuditEvent, Decision, ReviewSession, Screening
from tests.engine.rulebook_builder import edit
from tests.factories import add_screening, add_therapist, consent, form_data, make_app

TODAY = date.today()
RULES = Path(__file__).parents[2] / "rules"
SCRIPT = "<script>alert('x')</script>"
URGENT_VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"],
                "vv_severity": "large_raised", "vv_symptoms_now": "yes", "vv_clot_history": "no"}
HEART = {"heart_condition": "yes", "breathless_lying": "no", "heart_device": "no"}
#: Check with doctor first, urgent (chest pain in the last month, none today).
URGENT_CHECK = {**HEART, "chest_pain_recent": "yes", "chest_pain_now": "no"}
#: Check with doctor first, not urgent (a heart procedure a month ago).
CHECK = {**HEART, "chest_pain_recent": "no",
         "heart_last_event": (TODAY - timedelta(days=30)).isoformat()}
CAUTION = {"osteoporosis": "yes", "recent_fracture": "no", "spine_changes": "no",
           "long_term_steroids": "no"}
POSTPONE = {"infectious_skin_condition": "yes", "skin_what": "impetigo", "skin_where": ["face"],
            "skin_covered_small": "no", "skin_unwell": "no"}


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def sign_in(client, email="kim@example.com", password="correct horse battery", next_=""):
    return client.post("/review/sign-in", data={"email": email, "password": password,
                                                "next": next_})


def events(app, action=None):
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return db.session.scalars(query).all()


def queue_names(client, query=""):
    soup = page(client.get(f"/review/{query}"))
    return [row.th.get_text(strip=True) for row in soup.select("table.queue tbody tr")]


@pytest.mark.parametrize("path", ["/review/", "/review/audit", "/review/screenings/1",
                                  "/review/?outcome=postpone&page=2"])
def test_every_review_page_needs_sign_in_and_comes_back_after(app, client, therapist,
                                                              rulebook, path):
    with app.app_context():
        add_screening(rulebook)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/review/sign-in?next=")
    soup = page(client.get(response.headers["Location"]))
    after = sign_in(client, next_=soup.find("input", {"name": "next"})["value"])
    assert after.headers["Location"] == path


def test_posting_a_decision_needs_sign_in(app, client, rulebook):
    with app.app_context():
        add_screening(rulebook)
    response = client.post("/review/screenings/1/decision", data={"kind": "go_ahead"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/review/sign-in?next=/review/screenings/1"
    with app.app_context():
        assert db.session.scalar(select(Decision)) is None


def test_a_client_with_a_result_link_cannot_open_review_pages(client, rulebook):
    result = client.post("/submit", data=consent(form_data(rulebook, URGENT_VEINS)))
    assert client.get(result.headers["Location"]).status_code == 200
    for path in ("/review/", "/review/screenings/1", "/review/audit"):
        assert "/review/sign-in" in client.get(path).headers["Location"]
    token = result.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/review/screenings/{token}").status_code in (302, 404)


def test_next_never_leaves_the_review_area(client, therapist):
    for target in ("https://evil.example/", "//evil.example/review/", "/result/abc"):
        assert sign_in(client, next_=target).headers["Location"] == "/review/"
        client.post("/review/sign-out")


def test_wrong_password_and_unknown_email_get_the_same_message(app, client, therapist):
    for email, password in (("kim@example.com", "wrong password!"), ("nobody@example.com",
                                                                    "correct horse battery")):
        soup = page(sign_in(client, email, password))
        assert soup.title.get_text().startswith("Error:")
        assert "Enter a correct email address and password" in soup.select_one(
            ".error-summary").get_text()
        assert soup.find("input", {"name": "password"}).get("value", "") == ""
    failed = events(app, "sign_in_failed")
    assert [event.subject for event in failed] == ["kim@example.com", "nobody@example.com"]
    assert all(event.address == "127.0.0.1" for event in failed)


def test_a_password_typed_in_the_email_box_is_not_recorded(app, client, therapist):
    app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 2
    for _ in range(3):  # two failures, then refused from this address
        sign_in(client, email="Correct Horse Battery", password="correct horse battery")
    assert [(event.action, event.subject) for event in events(app, None)
            if event.action.startswith("sign_in")] == [
        ("sign_in_failed", "(not an email address)"), ("sign_in_failed", "(not an email address)"),
        ("sign_in_refused", "(not an email address)")]
    app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 20
    assert sign_in(client).status_code == 302
    audit_page = client.get("/review/audit").get_data(as_text=True)
    assert "horse" not in audit_page.lower()
    assert "(not an email address)" in audit_page


def test_a_password_reset_ends_sessions_signed_in_with_the_old_password(app, signed_in):
    add_therapist(app, "ann@example.com", "Ann", "another long password")
    other = app.test_client()
    assert sign_in(other, "ann@example.com", "another long password").status_code == 302
    assert signed_in.get("/review/").status_code == 200
    reset = app.test_cli_runner().invoke(args=["therapist", "reset-password", "kim@example.com",
                                               "--password-stdin"],
                                         input="a brand new passphrase\n")
    assert reset.exit_code == 0, reset.output
    assert "signed out" in reset.output
    response = signed_in.get("/review/screenings/1")
    assert response.headers["Location"] == "/review/sign-in?next=/review/screenings/1"
    assert other.get("/review/").status_code == 200  # another account's session carries on
    assert sign_in(signed_in, password="a brand new passphrase",
                   next_="/review/audit").headers["Location"] == "/review/audit"
    assert signed_in.get("/review/").status_code == 200


def test_a_session_from_before_sign_ins_remembered_the_password_is_refused(app, signed_in):
    for remembered in ("1", "1:0000000000000000", "x:1", "²"):
        with signed_in.session_transaction() as session:
            session["_user_id"] = remembered
        assert "/review/sign-in" in signed_in.get("/review/").headers["Location"], remembered


def test_disabled_account_cannot_sign_in_and_is_signed_out(app, client, therapist):
    assert sign_in(client).status_code == 302
    assert app.test_cli_runner().invoke(args=["therapist", "disable",
                                              "kim@example.com"]).exit_code == 0
    assert "/review/sign-in" in client.get("/review/").headers["Location"]
    soup = page(sign_in(client))
    assert "This account has been disabled" in soup.get_text()


def test_session_is_renewed_at_sign_in(client, therapist):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_idle_session_expires(app, signed_in):
    app.config["REVIEW_IDLE_MINUTES"] = 30
    with time_machine.travel(timedelta(minutes=31)):
        response = signed_in.get("/review/")
        assert "/review/sign-in?next=/review/" in response.headers["Location"]
        soup = page(signed_in.get(response.headers["Location"]))
    assert "signed out after a while without activity" in soup.get_text()
    assert events(app, "signed_out_idle")


def test_a_decision_posted_after_the_idle_timeout_goes_back_to_the_screening(app, signed_in,
                                                                            rulebook):
    with app.app_context():
        add_screening(rulebook, URGENT_VEINS)
    app.config["REVIEW_IDLE_MINUTES"] = 30
    with time_machine.travel(timedelta(minutes=31)):
        response = signed_in.post("/review/screenings/1/decision",
                                  data={"kind": "go_ahead", "note": "All fine"})
        assert response.headers["Location"] == "/review/sign-in?next=/review/screenings/1"
        soup = page(signed_in.get(response.headers["Location"]))
        notice = soup.select_one(".notice").get_text(" ", strip=True)
        assert "signed out after a while without activity" in notice
        assert "Your decision was not saved. Sign in, then enter it again." in notice
        after = sign_in(signed_in, next_=soup.find("input", {"name": "next"})["value"])
        assert after.headers["Location"] == "/review/screenings/1"
        screening_page = signed_in.get(after.headers["Location"])
    assert screening_page.status_code == 200
    assert page(screening_page).find(id="decision-title").get_text() == "Record your decision"
    with app.app_context():
        assert db.session.scalar(select(Decision)) is None


def last_seen(app):
    with app.app_context():
        return db.session.scalar(select(ReviewSession.last_seen_at))


def test_activity_keeps_the_session_alive_without_a_new_cookie_on_every_page(app, signed_in):
    app.config["REVIEW_IDLE_MINUTES"] = 30
    signed_in_at = last_seen(app)
    assert signed_in.get("/review/").status_code == 200  # the page's form adds a CSRF token
    with time_machine.travel(timedelta(minutes=29)):
        page_29 = signed_in.get("/review/")  # 29 minutes: still signed in
        renewed = last_seen(app)
        with time_machine.travel(timedelta(seconds=30)):
            again = signed_in.get("/review/")  # seconds later: not written again
            assert last_seen(app) == renewed
        with time_machine.travel(timedelta(minutes=29)):  # 58 minutes after signing in
            assert signed_in.get("/review/").status_code == 200
    assert page_29.status_code == again.status_code == 200
    assert renewed - signed_in_at > timedelta(minutes=28)
    assert "Set-Cookie" not in page_29.headers and "Set-Cookie" not in again.headers


def test_sign_out_is_a_post_and_ends_the_session(app, signed_in):
    assert signed_in.get("/review/sign-out").status_code == 405
    response = signed_in.post("/review/sign-out")
    assert response.headers["Location"] == "/review/sign-in"
    assert "/review/sign-in" in signed_in.get("/review/").headers["Location"]
    assert events(app, "sign_out")


def test_repeated_failures_are_refused_for_a_while(app, client, therapist):
    for _ in range(5):
        assert sign_in(client, password="not the password").status_code == 200
    refused = sign_in(client)  # even the right password
    assert refused.status_code == 429
    assert ("Too many failed sign-ins for this account from this address. Wait 15 minutes, "
            "then try again, or ask the clinic owner to reset your password.") in \
        page(refused).get_text()
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert events(app, "sign_in_refused")
    # another account from another address is not affected
    add_therapist(app, "ann@example.com", "Ann", "another long password")
    other = client.post("/review/sign-in", data={"email": "ann@example.com",
                                                 "password": "another long password"},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302


def test_failures_from_one_address_are_refused_for_every_account(app, client, therapist):
    app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 3
    for number in range(3):
        sign_in(client, email=f"guess{number}@example.com", password="guessing passwords")
    refused = sign_in(client)
    assert refused.status_code == 429
    message = page(refused).select_one(".error-summary").get_text(" ", strip=True)
    assert "Too many failed sign-ins from this address. Wait 15 minutes, then try again." in message
    assert "reset" not in message  # a password reset does not lift this one
    reset = app.test_cli_runner().invoke(args=["therapist", "reset-password", "kim@example.com",
                                               "--password-stdin"],
                                         input="a brand new passphrase\n")
    assert reset.exit_code == 0
    assert sign_in(client, password="a brand new passphrase").status_code == 429


def test_a_password_reset_lifts_the_accounts_lockout(app, client, therapist):
    for _ in range(5):
        sign_in(client, password="not the password")
    assert sign_in(client).status_code == 429
    reset = app.test_cli_runner().invoke(args=["therapist", "reset-password", "kim@example.com",
                                               "--password-stdin"],
                                         input="a brand new passphrase\n")
    assert reset.exit_code == 0, reset.output
    assert sign_in(client, password="a brand new passphrase").status_code == 302
    client.post("/review/sign-out")
    for _ in range(5):  # failures after the reset count again
        sign_in(client, password="still not the password")
    assert sign_in(client, password="a brand new passphrase").status_code == 429


def test_the_lockout_says_how_long_is_left(app, client, therapist):
    with app.app_context():  # five failures from this address, ten minutes ago
        for _ in range(5):
            db.session.add(AuditEvent(at=datetime.now(UTC) - timedelta(minutes=10),
                                      action="sign_in_failed", subject="kim@example.com",
                                      address="127.0.0.1"))
        db.session.commit()
    refused = sign_in(client)
    assert refused.status_code == 429
    assert "Wait 5 minutes, then try again" in page(refused).get_text()
    assert 4 * 60 < int(refused.headers["Retry-After"]) <= 5 * 60


#: What each level of the queue's order looks at, in the order the levels apply.
QUEUE_LEVELS = {
    "review state": lambda row: row.decision is not None,
    "urgent": lambda row: row.urgent,
    "outcome": lambda row: row.outcome,
    "appointment date": lambda row: row.appointment_date,
    "submitted": lambda row: row.submitted_at,
}


def test_queue_orders_unreviewed_urgent_restrictive_soonest_and_newest_first(app, signed_in,
                                                                            rulebook):
    soon, later = TODAY + timedelta(days=1), TODAY + timedelta(days=9)
    older = datetime.now(UTC) - timedelta(hours=2)
    newer = older + timedelta(minutes=1)
    # The queue's order. They are stored in this order, so the last tie-break (the higher id)
    # would always put the second of two rows first: only the level under test can order them.
    rows = [  # name, answers, appointment, submitted, reviewed
        ("Urgent postpone", URGENT_VEINS, soon, newer, False),
        ("Urgent check", URGENT_CHECK, soon, older, False),  # urgent before a worse outcome
        ("Postpone", POSTPONE, soon, newer, False),
        ("Check", CHECK, soon, older, False),
        ("Caution soon", CAUTION, soon, older, False),
        ("Caution later", CAUTION, later, older, False),
        ("Caution no date", CAUTION, None, older, False),  # outcome before the appointment
        ("Clear soon", {}, soon, older, False),  # the appointment before newest
        ("Clear later, newer", {}, later, newer, False),
        ("Clear later", {}, later, older, False),
        ("Reviewed urgent postpone", URGENT_VEINS, soon, newer, True),  # reviewed: last
    ]
    # For each level, two rows that differ in that level alone, in the order expected.
    pairs = [("review state", "Urgent postpone", "Reviewed urgent postpone"),
             ("urgent", "Urgent check", "Check"),
             ("outcome", "Check", "Caution soon"),
             ("appointment date", "Caution soon", "Caution later"),  # soonest first
             ("appointment date", "Caution later", "Caution no date"),  # none last
             ("submitted", "Clear later, newer", "Clear later")]  # newest first
    with app.app_context():
        stored = {}
        for name, answers, appointment, submitted, reviewed in rows:
            stored[name] = add_screening(rulebook, answers, client_name=name,
                                         appointment_date=appointment, submitted_at=submitted,
                                         decision="postponed" if reviewed else None)
        for level, first, second in pairs:
            differ = [other for other, key in QUEUE_LEVELS.items()
                      if key(stored[first]) != key(stored[second])]
            assert differ == [level], (first, second, differ)
        assert stored["Urgent check"].outcome == "medical_clearance"
        assert stored["Urgent check"].urgent and not stored["Postpone"].urgent
    names = queue_names(signed_in)
    assert names == [name for name, *_ in rows]
    for _level, first, second in pairs:
        assert names.index(first) < names.index(second)
    table = page(signed_in.get("/review/")).select("table.queue tbody tr")
    assert "Urgent" in table[0].get_text() and "Postpone" in table[0].get_text()
    assert "Not reviewed yet" in table[0].get_text()
    assert "Postponed" in table[-1].get_text()


def test_queue_filters(app, signed_in, rulebook):
    with app.app_context():
        add_screening(rulebook, client_name="Today Clear", appointment_date=TODAY)
        add_screening(rulebook, URGENT_VEINS, client_name="Tomorrow Urgent",
                      appointment_date=TODAY + timedelta(days=1))
        done = add_screening(rulebook, client_name="Reviewed 100% Clear")
        done.decision = "go_ahead"
        db.session.commit()
    today = TODAY.isoformat()
    assert queue_names(signed_in, "?outcome=postpone") == ["Tomorrow Urgent"]
    assert queue_names(signed_in, "?state=reviewed") == ["Reviewed 100% Clear"]
    assert set(queue_names(signed_in, "?state=unreviewed")) == {"Today Clear",
                                                                "Tomorrow Urgent"}
    assert queue_names(signed_in, f"?from={today}&to={today}") == ["Today Clear"]
    assert queue_names(signed_in, "?q=today") == ["Today Clear"]
    assert queue_names(signed_in, "?q=100%25") == ["Reviewed 100% Clear"]
    assert queue_names(signed_in, "?q=%25") == ["Reviewed 100% Clear"]
    assert len(queue_names(signed_in, "?outcome=nonsense&state=x&from=never")) == 3
    soup = page(signed_in.get("/review/"))
    today_link = soup.find("a", string="Today's appointments")["href"]
    assert queue_names(signed_in, today_link.split("/review/", 1)[1]) == ["Today Clear"]


def test_queue_is_paginated(app, signed_in, rulebook):
    with app.app_context():
        for _ in range(30):
            add_screening(rulebook)
    first, second = page(signed_in.get("/review/")), page(signed_in.get("/review/?page=2"))
    assert len(first.select("table.queue tbody tr")) == 25
    assert len(second.select("table.queue tbody tr")) == 5
    assert "Page 1 of 2" in first.get_text()
    assert first.find("a", rel="next")["href"] == "/review/?page=2"
    assert "Page 2 of 2" in page(signed_in.get("/review/?page=99")).get_text()  # the last


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
    notice = page(signed_in.get("/review/screenings/1")).find(id="now-title")
    assert notice.get_text() == "The result would be different today"
    section = notice.parent.get_text(" ", strip=True)
    assert "Check with doctor first" in section and "Avoid some areas" in section
    assert page(signed_in.get("/review/screenings/2")).find(id="now-title") is None


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


def test_therapist_cli_add_list_reset_disable(app):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["therapist", "add", "Kim@Example.com", "--name", "Kim Lee"],
                          input="correct horse battery\ncorrect horse battery\n")
    assert added.exit_code == 0, added.output
    assert "correct horse" not in added.output
    listed = runner.invoke(args=["therapist", "list"])
    assert "kim@example.com\tKim Lee\tactive" in listed.output
    reset = runner.invoke(args=["therapist", "reset-password", "kim@example.com",
                                "--password-stdin"], input="a brand new passphrase\n")
    assert reset.exit_code == 0
    client = app.test_client()
    assert sign_in(client, password="correct horse battery").status_code == 200
    assert sign_in(client, password="a brand new passphrase").status_code == 302
    assert runner.invoke(args=["therapist", "disable", "kim@example.com"]).exit_code == 0
    assert "disabled" in runner.invoke(args=["therapist", "list"]).output
    actions = [event.action for event in events(app) if event.action.startswith(
        ("account", "password"))]
    assert actions == ["account_added", "password_reset", "account_disabled"]


def test_account_changes_are_shown_as_made_from_the_command_line(app, signed_in):
    runner = app.test_cli_runner()
    add_therapist(app, "ann@example.com", "Ann Ray", "another long password")
    assert runner.invoke(args=["therapist", "reset-password", "ann@example.com",
                               "--password-stdin"], input="a brand new passphrase\n").exit_code == 0
    assert runner.invoke(args=["therapist", "disable", "ann@example.com"]).exit_code == 0
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("td")[1:]]
            for row in page(signed_in.get("/review/audit")).select("table.queue tbody tr")]
    assert rows[:3] == [
        ["Account disabled (ann@example.com)", "command line", "", "command line"],
        ["Password reset (ann@example.com)", "command line", "", "command line"],
        ["Account added (ann@example.com, name: Ann Ray)", "command line", "", "command line"]]
    assert all(event.therapist_id is None for event in events(app)
               if event.action.startswith(("account", "password")))


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["add", "kim@example.com", "--name", "Again", "--password-stdin"],
     "another long password\n", "already exists"),
    (["add", "not-an-email", "--name", "X", "--password-stdin"], "long enough password\n",
     "is not an email address"),
    (["add", "new@example.com", "--name", "New", "--password-stdin"], "short\n",
     "at least 12 characters"),
    (["reset-password", "nobody@example.com", "--password-stdin"], "long enough password\n",
     "no therapist account for nobody@example.com"),
    (["disable", "nobody@example.com"], "", "no therapist account"),
])
def test_therapist_cli_errors(app, therapist, args, stdin, message):
    result = app.test_cli_runner().invoke(args=["therapist", *args], input=stdin)
    assert result.exit_code == 2
    assert message in result.output


def test_mismatched_passwords_are_asked_again_and_nothing_is_stored(app):
    result = app.test_cli_runner().invoke(
        args=["therapist", "add", "kim@example.com", "--name", "Kim"],
        input="correct horse battery\ncorrect horse batteries\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    listed = app.test_cli_runner().invoke(args=["therapist", "list"])
    assert "No therapist accounts yet" in listed.output
