"""A therapist's session ends on the server: a copy of the cookie opens nothing after sign-out,
the idle limit, the absolute lifetime or "sign out everywhere else", and it only ever works
from the address the app trusts (README, "Security and data")."""

import re
from datetime import timedelta
from hashlib import sha256

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import select

from screening.database import db
from screening.models import AuditEvent, ReviewSession, Therapist
from tests.factories import add_screening, add_therapist, copy_of, make_app_on, sign_in

#: Pages that show clients' health answers: each must refuse a session that has ended.
CONFIDENTIAL = ["/review/", "/review/screenings/1", "/review/export.csv", "/review/audit",
                "/review/screenings/1/fhir.json"]


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and \
        response.headers["Location"].startswith("/review/sign-in")


def events(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, signed_in, rulebook):
    with app.app_context():
        add_screening(rulebook)
    copy = copy_of(app, signed_in)
    assert [copy.get(path).status_code for path in CONFIDENTIAL] == [200] * len(CONFIDENTIAL)
    signed_in.post("/review/sign-out")
    for path in CONFIDENTIAL:
        assert sent_to_sign_in(copy.get(path)), path
    with app.app_context():
        assert db.session.scalar(select(ReviewSession.end_reason)) == "signed_out"


def test_a_copied_cookie_used_every_29_minutes_ends_12_hours_after_signing_in(app, signed_in):
    copy = copy_of(app, signed_in)
    with time_machine.travel(timedelta(0), tick=False) as clock:
        for _ in range(24):  # 11 hours 36 minutes, never idle for 30 minutes
            clock.shift(timedelta(minutes=29))
            assert copy.get("/review/").status_code == 200
        clock.shift(timedelta(minutes=25))  # 12 hours and a minute after signing in
        response = copy.get("/review/")
        assert sent_to_sign_in(response)
        notice = page(copy.get(response.headers["Location"])).select_one(".notice").get_text()
        assert "You were signed out: a session lasts at most 12 hours." in notice
        assert sent_to_sign_in(signed_in.get("/review/"))  # the therapist's own copy too
    assert len(events(app, "signed_out_lifetime")) == 1


def test_the_absolute_lifetime_is_a_setting(app, signed_in):
    app.config["REVIEW_SESSION_HOURS"] = 1
    with time_machine.travel(timedelta(minutes=25)):
        assert signed_in.get("/review/").status_code == 200
        with time_machine.travel(timedelta(minutes=25)):
            assert signed_in.get("/review/").status_code == 200
            with time_machine.travel(timedelta(minutes=11)):
                assert sent_to_sign_in(signed_in.get("/review/"))


@pytest.mark.parametrize(("setting", "value"), [("REVIEW_SESSION_HOURS", 0),
                                                ("REVIEW_IDLE_MINUTES", "half an hour")])
def test_a_wrong_session_limit_stops_the_app(fresh_database_url, setting, value):
    with pytest.raises(RuntimeError, match=f"SCREENING_{setting}={value!r}: give the number"):
        make_app_on(fresh_database_url, **{setting: value})


def test_an_idle_session_cannot_be_brought_back_by_any_copy(app, signed_in):
    copy = copy_of(app, signed_in)
    with time_machine.travel(timedelta(minutes=31)):
        assert sent_to_sign_in(signed_in.get("/review/"))
        assert sent_to_sign_in(copy.get("/review/"))
    assert sent_to_sign_in(copy_of(app, signed_in).get("/review/"))
    assert len(events(app, "signed_out_idle")) == 1


def test_sign_out_everywhere_else(app, therapist):
    here, laptop, phone, colleague = (app.test_client() for _ in range(4))
    for browser, address in ((here, "192.0.2.1"), (laptop, "192.0.2.2"),
                             (phone, "198.51.100.3")):
        assert sign_in(browser, environ_base={"REMOTE_ADDR": address}).status_code == 302
    add_therapist(app, "ann@example.com", "Ann", "another long password")
    assert sign_in(colleague, "ann@example.com", "another long password").status_code == 302

    mine = {"environ_base": {"REMOTE_ADDR": "192.0.2.1"}}
    listing = page(here.get("/review/", **mine)).find("a", string="Sessions")["href"]
    rows = page(here.get(listing, **mine)).select("table.queue tbody tr")
    assert sorted((row.select_one('[data-label="From"]').get_text(),
                   row.select_one('[data-label="Which"]').get_text()) for row in rows) == [
        ("192.0.2.1", "This browser"), ("192.0.2.2", "Another browser"),
        ("198.51.100.3", "Another browser")]
    response = here.post("/review/sessions/sign-out-others", **mine)
    assert response.status_code == 303
    after = page(here.get(response.headers["Location"], **mine))
    assert "Signed out everywhere else (2 other sessions)." in after.select_one(".notice").text
    assert "You are not signed in anywhere else." in after.get_text()
    assert [len(after.select("table.queue tbody tr"))] == [1]
    for browser, address in ((laptop, "192.0.2.2"), (phone, "198.51.100.3")):
        response = browser.get("/review/", environ_base={"REMOTE_ADDR": address})
        assert sent_to_sign_in(response)
        notice = page(browser.get(response.headers["Location"])).select_one(".notice")
        assert "You were signed out. Sign in again to carry on." in notice.get_text()
    assert here.get("/review/", **mine).status_code == 200
    assert colleague.get("/review/").status_code == 200  # another account is left alone
    assert [event.detail for event in events(app, "signed_out_elsewhere")] == \
        ["2 other sessions"]


def test_the_cookie_holds_only_a_random_id_and_the_database_only_its_hash(app, signed_in):
    with signed_in.session_transaction() as session:
        token = session["_user_id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 256 random bits, nothing else
    with app.app_context():
        stored = db.session.scalar(select(ReviewSession))
        kim = db.session.scalar(select(Therapist))
        assert stored.token_hash == sha256(token.encode()).hexdigest()
        assert token not in (stored.token_hash, str(kim.id), kim.email)
    guessed = app.test_client()
    with guessed.session_transaction() as session:
        session.update(_user_id="A" * 43, _id="")
    assert sent_to_sign_in(guessed.get("/review/"))


def test_a_session_cookie_from_before_server_sessions_is_refused(app, signed_in):
    """Before, the cookie held the account id and a fingerprint of its password hash."""
    with app.app_context():
        kim = db.session.scalar(select(Therapist))
        old_style = f"{kim.id}:{kim.password_fingerprint}"
    with signed_in.session_transaction() as session:
        session["_user_id"] = old_style
    assert sent_to_sign_in(signed_in.get("/review/"))


# --- session protection: the address the app trusts, never a header anyone can send --------


def test_a_copied_cookie_from_another_address_is_refused_whatever_it_forwards(app, signed_in):
    copy = copy_of(app, signed_in)
    replayed = copy.get("/review/", environ_base={"REMOTE_ADDR": "198.51.100.7"},
                        headers={"X-Forwarded-For": "127.0.0.1"})
    assert sent_to_sign_in(replayed)
    assert signed_in.get("/review/").status_code == 200  # the therapist carries on


@pytest.fixture
def proxied_app(fresh_database_url):
    """The app behind one trusted reverse proxy (SCREENING_TRUSTED_PROXIES=1)."""
    app = make_app_on(fresh_database_url, TRUSTED_PROXIES=1)
    add_therapist(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_behind_a_proxy_only_the_address_the_proxy_adds_counts(proxied_app):
    """The proxy appends the address it saw to whatever X-Forwarded-For the browser sent."""
    browser = proxied_app.test_client()
    via_proxy = {"headers": {"X-Forwarded-For": "203.0.113.9"}}
    assert sign_in(browser, **via_proxy).status_code == 302
    assert browser.get("/review/", **via_proxy).status_code == 200
    copy = copy_of(proxied_app, browser)
    replayed = copy.get("/review/", headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7"})
    assert sent_to_sign_in(replayed)
    assert browser.get("/review/", **via_proxy).status_code == 200
