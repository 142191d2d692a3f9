"""Two senders on PostgreSQL never take the same message: a sender claims the first due
row with SELECT ... FOR UPDATE SKIP LOCKED, so a row another sender is claiming is skipped,
not waited for and not taken twice. Runs with `make test-postgres` (skipped on SQLite, where
one writing statement at a time gives the same; tests/invitations/test_outbox_delivery.py
runs senders at once on both)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from screening.database import db
from screening.invitations import service
from screening.invitations.validation import InvitationDetails
from screening.outbox import claim_next
from tests.factories import make_app_on
from tests.invitations.conftest import TOMORROW, mail_settings

#: Waiting for a lock longer than this is an error: a claim that waited would fail the test.
LOCK_TIMEOUT = {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c lock_timeout=2000"}}}


@pytest.fixture
def postgres_app(postgres_server, fresh_database_url, smtp, tmp_path):
    app = make_app_on(fresh_database_url, **mail_settings(smtp.port, tmp_path), **LOCK_TIMEOUT)
    with app.app_context():
        for number in range(3):
            service.create(InvitationDetails(
                client_name=f"Client {number}", email=f"c{number}@example.com", phone=None,
                appointment_date=TOMORROW, appointment_time=time(10 + number, 0),
                therapist="", note=""))
        db.session.commit()
    yield app, fresh_database_url
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_row_another_sender_is_claiming_is_skipped_not_waited_for(postgres_app):
    app, url = postgres_app
    other = create_engine(url, poolclass=NullPool, connect_args={"options": "-c lock_timeout=2000"})
    with other.connect() as sender_a:
        sender_a.execute(text("SELECT id FROM outbox_messages WHERE id = 1 FOR UPDATE"))
        with app.app_context():
            assert claim_next("sender-b") == 2  # row 1 is locked by sender A: skipped
            with pytest.raises(OperationalError, match="lock timeout"):
                # the control: without SKIP LOCKED the same row would be waited for
                db.session.execute(text("SELECT id FROM outbox_messages WHERE id = 1 "
                                        "FOR UPDATE"))
            db.session.rollback()
        sender_a.rollback()  # sender A gave up its claim without taking the row
    with app.app_context():
        assert claim_next("sender-c") == 1
        assert claim_next("sender-c") == 3
        assert claim_next("sender-b") is None  # every row is claimed once, by one sender
        claims = dict(db.session.execute(text(
            "SELECT id, claimed_by FROM outbox_messages ORDER BY id")).all())
    other.dispose()
    assert claims == {1: "sender-c", 2: "sender-b", 3: "sender-c"}


def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(postgres_app):
    from datetime import UTC, datetime

    from screening.outbox import LEASE

    app, _url = postgres_app
    with app.app_context():
        now = datetime.now(UTC)
        assert [claim_next("a", now) for _ in range(3)] == [1, 2, 3]
        assert claim_next("b", now + LEASE - timedelta(seconds=1)) is None
        assert claim_next("b", now + LEASE + timedelta(seconds=1)) == 1
