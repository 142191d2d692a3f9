"""Failed sign-ins cannot be used to lock a therapist out (README, "Failed sign-ins"): the
per-account limit is per account and address, and the limit over all addresses refuses
only addresses the account is not usually signed in from. Simultaneous attempts under
gunicorn are in tests/load/test_sign_in_concurrency.py."""

import threading
from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from screening.database import db
from screening.models import AuditEvent, SignInCheck
from screening.review.throttle import advisory_lock_id
from tests.factories import add_therapist, sign_in

ATTACKER = {"REMOTE_ADDR": "198.51.100.66"}
CLINIC = {"REMOTE_ADDR": "192.0.2.10"}


def error(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(
        ".error-summary").get_text(" ", strip=True)


def fail(client, times, address, email="kim@example.com"):
    for _ in range(times):
        assert sign_in(client, email, "a wrong guess", environ_base=address).status_code == 200


def reset_password(app, password="a brand new passphrase"):
    result = app.test_cli_runner().invoke(args=["therapist", "reset-password", "kim@example.com",
                                                "--password-stdin"], input=password + "\n")
    assert result.exit_code == 0, result.output
    return password


def test_five_wrong_passwords_from_one_address_do_not_lock_the_therapist_out(app, client,
                                                                             therapist):
    fail(client, 5, ATTACKER)
    refused = sign_in(client, environ_base=ATTACKER)  # the right password, from there
    assert refused.status_code == 429
    assert "Too many failed sign-ins for this account from this address." in error(refused)
    therapist_browser = app.test_client()
    assert sign_in(therapist_browser, environ_base=CLINIC).status_code == 302
    assert therapist_browser.get("/review/", environ_base=CLINIC).status_code == 200


def test_many_addresses_failing_refuse_only_addresses_the_account_is_not_signed_in_from(
        app, client, therapist):
    assert sign_in(app.test_client(), environ_base=CLINIC).status_code == 302  # usually here
    for number in range(4):  # 4 addresses x 5 = 20 failures in all: the limit
        fail(client, 5, {"REMOTE_ADDR": f"198.51.100.{number}"})
    new_place = sign_in(client, environ_base={"REMOTE_ADDR": "203.0.113.50"})
    assert new_place.status_code == 429
    assert ("Too many failed sign-ins for this account from addresses it is not usually "
            "signed in from.") in error(new_place)
    assert 14 * 60 < int(new_place.headers["Retry-After"]) <= 15 * 60
    assert sign_in(app.test_client(), environ_base=CLINIC).status_code == 302
    add_therapist(app, "ann@example.com", "Ann", "another long password")  # others: not at all
    assert sign_in(client, "ann@example.com", "another long password",
                   environ_base={"REMOTE_ADDR": "203.0.113.50"}).status_code == 302


def test_a_password_reset_lifts_both_limits_of_the_account(app, client, therapist):
    for number in range(4):
        fail(client, 5, {"REMOTE_ADDR": f"198.51.100.{number}"})
    assert sign_in(client, environ_base={"REMOTE_ADDR": "198.51.100.0"}).status_code == 429
    assert sign_in(client, environ_base={"REMOTE_ADDR": "203.0.113.50"}).status_code == 429
    password = reset_password(app)
    for address in ("198.51.100.0", "203.0.113.50"):
        browser = app.test_client()
        response = sign_in(browser, password=password, environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 302, address


def test_an_address_that_failed_for_many_accounts_is_refused_for_every_account(app, client,
                                                                              therapist):
    app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 6
    for number in range(3):
        fail(client, 2, ATTACKER, email=f"guess{number}@example.com")
    refused = sign_in(client, environ_base=ATTACKER)
    assert refused.status_code == 429
    assert "Too many failed sign-ins from this address." in error(refused)
    assert sign_in(app.test_client(), environ_base=CLINIC).status_code == 302


def test_failures_older_than_the_window_no_longer_count(app, client, therapist):
    with app.app_context():
        for _ in range(5):
            db.session.add(AuditEvent(at=datetime.now(UTC) - timedelta(minutes=16),
                                      action="sign_in_failed", subject="kim@example.com",
                                      address="127.0.0.1"))
        db.session.commit()
    assert sign_in(client).status_code == 302


def test_a_check_cut_short_counts_for_a_minute_only(app, client, therapist):
    """A worker that died while checking a password leaves its check behind."""
    with app.app_context():
        for seconds in (5, 5, 5, 5, 5):
            db.session.add(SignInCheck(subject="kim@example.com", address="127.0.0.1",
                                       started_at=datetime.now(UTC) - timedelta(seconds=seconds)))
        db.session.commit()
    assert sign_in(client).status_code == 429  # five checks under way: the limit
    with app.app_context():
        db.session.execute(SignInCheck.__table__.update().values(
            started_at=datetime.now(UTC) - timedelta(seconds=61)))
        db.session.commit()
    assert sign_in(client).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInCheck)) == 0


def test_an_attempt_is_counted_only_while_no_other_is_being_counted(app, therapist):
    """Counting and claiming is one step under a lock (PostgreSQL: the account's advisory
    lock; SQLite: the write lock): while another connection holds it, a sign-in waits."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    responses = []
    attempt = threading.Thread(target=lambda: responses.append(
        sign_in(app.test_client(), password="a wrong guess")))
    with engine.connect() as other:
        if other.dialect.name == "postgresql":
            other.execute(select(func.pg_advisory_xact_lock(
                advisory_lock_id("account:kim@example.com"))))
        else:
            other.execute(text("DELETE FROM sign_in_checks"))  # SQLite: now the only writer
        attempt.start()
        attempt.join(timeout=1)
        waited = attempt.is_alive()
        other.rollback()
    attempt.join(timeout=30)
    engine.dispose()
    assert waited
    assert [response.status_code for response in responses] == [200]
