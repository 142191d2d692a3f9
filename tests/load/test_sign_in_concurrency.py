"""Simultaneous wrong passwords under gunicorn (4 sync workers), on a fresh database of the
suite's kind (SQLite, or PostgreSQL with SCREENING_TEST_DATABASE_URL): each sign-in limit
lets exactly its number of failures through, however the attempts fall across workers."""

from __future__ import annotations

import threading
from collections import Counter
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from screening.database import db
from tests.factories import add_therapist, make_app_on
from tests.load.harness import Response, hidden_fields, request, summarise

WORKERS = 4


@pytest.fixture
def server(fresh_database_url, start_gunicorn):
    app = make_app_on(fresh_database_url)
    add_therapist(app)
    with app.app_context():
        db.engine.dispose()
    return start_gunicorn(fresh_database_url, WORKERS)


def session_and_token(port: int) -> tuple[str, str]:
    """A browser's session cookie and the sign-in form's CSRF token."""
    page = request(port, "GET", "/review/sign-in")
    cookie = next(value.split(";", 1)[0] for value in page.headers.get_all("Set-Cookie")
                  if value.startswith("session="))
    return cookie, hidden_fields(page.body)["csrf_token"]


def all_at_once(port: int, emails: list[str], password: str) -> list[Response]:
    """One browser per email, each with its own session, posting the sign-in form at the
    same moment."""
    browsers = [session_and_token(port) for _ in emails]
    together = threading.Barrier(len(emails))
    responses: list[Response | None] = [None] * len(emails)

    def post(number: int) -> None:
        cookie, token = browsers[number]
        body = urlencode({"csrf_token": token, "email": emails[number], "password": password})
        together.wait(timeout=60)
        responses[number] = request(port, "POST", "/review/sign-in", body=body, cookie=cookie)

    threads = [threading.Thread(target=post, args=(number,)) for number in range(len(emails))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def recorded(database_url: str) -> tuple[Counter, int]:
    """The sign-in events of the audit trail, and the checks left unsettled."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            actions = Counter(connection.scalars(text(
                "SELECT action FROM audit_events WHERE action LIKE 'sign_in%'")))
            return actions, connection.scalar(text("SELECT count(*) FROM sign_in_checks"))
    finally:
        engine.dispose()


@pytest.mark.parametrize(("emails", "limit"), [
    (["kim@example.com"] * 30, 5),  # one account from one address: 5
    ([f"guess{number}@example.com" for number in range(40)], 20),  # one address: 20
], ids=["30 for one account", "40 from one address"])
def test_simultaneous_wrong_passwords_are_counted_exactly_to_the_limit(
        server, fresh_database_url, request, emails, limit):
    responses = all_at_once(server.port, emails, "not the password at all")
    statuses = Counter(response.status for response in responses)
    actions, unsettled = recorded(fresh_database_url)
    summarise(request,
        f"sign-in: {len(emails)} wrong passwords at once to {WORKERS} workers: "
        f"{actions['sign_in_failed']} failures recorded (limit {limit}), "
        f"{actions['sign_in_refused']} refused, statuses {dict(statuses)}")
    assert statuses == {200: limit, 429: len(emails) - limit}, server.log_text()
    assert actions == {"sign_in_failed": limit, "sign_in_refused": len(emails) - limit}
    assert unsettled == 0
    assert "Traceback" not in server.log_text()
