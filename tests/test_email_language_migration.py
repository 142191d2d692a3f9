"""The migration that gives invitations and queued emails a language: what was stored before
it has none (the clinic's language, as before), a new one keeps the language it is given,
and it downgrades keeping every invitation and email. On SQLite, and on PostgreSQL when a
server is given."""

from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from screening.database import db
from tests.test_migrations import current_revision, empty_app  # noqa: F401 (a fixture)

REVISION = "a9c4e2f7b3d1"
BEFORE = "a9c4e2f7b318"
TYPED = (sa.bindparam("day", type_=sa.Date()), sa.bindparam("at", type_=sa.Time()),
         sa.bindparam("now", type_=sa.DateTime(True)))


def store_an_invitation_and_its_email() -> None:
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO invitations (id, link_key, token_hash, client_name, email, "
            "appointment_date, appointment_time, therapist, note, created_at) VALUES "
            "(1, :key, :hash, 'Ann Example', 'ann@example.com', :day, :at, '', '', :now)")
            .bindparams(*TYPED), {"key": "a" * 64, "hash": "1" * 64, "day": date(2026, 12, 4),
                                  "at": time(14, 30), "now": now})
        connection.execute(sa.text(
            "INSERT INTO outbox_messages (id, kind, recipient, invitation_id, message_id, "
            "created_at, status, attempts, next_attempt_at, last_error) VALUES (1, "
            "'invitation', 'ann@example.com', 1, '<1@localhost>', :now, 'pending', 0, :now, "
            "'')").bindparams(sa.bindparam("now", type_=sa.DateTime(True))), {"now": now})


def languages() -> list[tuple]:
    with db.engine.connect() as connection:
        return [*connection.execute(sa.text("SELECT id, language FROM invitations")).all(),
                *connection.execute(sa.text("SELECT id, language FROM outbox_messages")).all()]


def columns(table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(db.engine).get_columns(table)}


def test_what_was_stored_before_has_no_language_and_new_rows_keep_theirs(empty_app):  # noqa: F811
    upgrade(revision=BEFORE)
    store_an_invitation_and_its_email()
    upgrade(revision=REVISION)
    assert current_revision() == REVISION
    assert languages() == [(1, None), (1, None)]  # the clinic's language, as before
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE invitations SET language = 'es'"))
        connection.execute(sa.text("UPDATE outbox_messages SET language = 'es'"))
    assert languages() == [(1, "es"), (1, "es")]


def test_it_downgrades_keeping_every_invitation_and_email(empty_app):  # noqa: F811
    upgrade(revision=BEFORE)
    store_an_invitation_and_its_email()
    upgrade()
    downgrade(revision=BEFORE)
    assert current_revision() == BEFORE
    assert "language" not in columns("invitations") | columns("outbox_messages")
    with db.engine.connect() as connection:
        assert connection.execute(sa.text(
            "SELECT client_name FROM invitations")).scalars().all() == ["Ann Example"]
        assert connection.execute(sa.text(
            "SELECT recipient FROM outbox_messages")).scalars().all() == ["ann@example.com"]
    upgrade()
    assert languages() == [(1, None), (1, None)]
