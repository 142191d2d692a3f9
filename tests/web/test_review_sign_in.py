"""Signing in to the review area: who gets in, sessions, idle time-outs and lockouts."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from screening.database import db
from screening.models import AuditEvent, Decision, ReviewSession
from tests.factories import add_screening, add_therapist, consent, form_data
from tests.web.helpers import URGENT_VEINS, events, page, sign_in


def last_seen(app):
    with app.app_context():
        return db.session.scalar(select(ReviewSession.last_seen_at))


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
    link = client.post("/submit", data=consent(form_data(rulebook, URGENT_VEINS))
                       ).headers["Location"]
    assert client.get(link).status_code == 200
    for path in ("/review/", "/review/audit", "/review/screenings/1",
                 "/review/screenings/1/record.pdf", "/review/screenings/1/doctor-letter",
                 "/review/screenings/1/fhir.json", "/review/export.csv"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/review/sign-in?next="), path
    # The review area names screenings by number only: the client's token in place of the
    # number is no address there (404, before any sign-in check) and shows nothing of theirs.
    token = link.rsplit("/", 1)[1]
    for path in (f"/review/screenings/{token}", f"/review/screenings/{token}/record.pdf"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Ann Example" not in response.get_data(as_text=True)


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
