"""The migration that adds client records: each screening stored before it gets a record of
its own (two screenings with one name are still two records: a therapist merges them), an
invitation gets the record of the screening sent from it, else one of its own; it
downgrades and upgrades again. On SQLite, and on PostgreSQL when a server is given."""

from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from screening.database import db
from tests.test_migrations import current_revision, empty_app  # noqa: F401 (a fixture)
from tests.test_search_migration import index_names

REVISION = "e4b2c9a1f7d3"
BEFORE = "d4b8f1c6a2e7"


TYPED = (sa.bindparam("day", type_=sa.Date()), sa.bindparam("now", type_=sa.DateTime(True)))


def store_the_old_way() -> None:
    """Two screenings of one name, one sent from an invitation, and an unanswered one."""
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        for number, link in ((1, "a"), (2, "b")):
            connection.execute(sa.text(
                "INSERT INTO invitations (id, link_key, token_hash, client_name, email, "
                "appointment_date, appointment_time, therapist, note, created_at) VALUES "
                "(:id, :key, :hash, 'Ann Example', 'ann@example.com', :day, :at, '', '', :now)")
                .bindparams(*TYPED, sa.bindparam("at", type_=sa.Time())),
                {"id": number, "key": link * 64, "hash": str(number) * 64,
                 "day": date(2026, 12, 4), "at": time(14, 30), "now": now})
        for number, invitation in ((1, None), (2, 1)):
            connection.execute(sa.text(
                "INSERT INTO screenings (id, submission_key, result_token_hash, client_name, "
                "search_name, date_of_birth, email, answers, outcome, outcome_rank, urgent, "
                "findings, body_areas, rulebook_version, screened_on, submitted_at, signature, "
                "signed_on, invitation_id) VALUES (:id, :key, :hash, 'Ann Example', "
                "'ann example', :born, 'ann@example.com', '{}', 'clear', 0, false, '[]', '[]', "
                "'2026.11.1', :day, :now, 'Ann Example', :day, :invitation)").bindparams(
                    *TYPED, sa.bindparam("born", type_=sa.Date())),
                {"id": number, "key": f"key{number:029d}", "hash": f"{number:064d}",
                 "born": date(1980, 3, 27), "day": date(2026, 11, 30), "now": now,
                 "invitation": invitation})


def rows(sql: str) -> list:
    with db.engine.connect() as connection:
        return connection.execute(sa.text(sql)).all()


def test_each_screening_gets_its_own_record_and_invitations_follow(empty_app):  # noqa: F811
    upgrade(revision=BEFORE)
    store_the_old_way()
    upgrade(revision=REVISION)
    assert current_revision() == REVISION
    assert dict(rows("SELECT id, invitation_id FROM screenings")) == {1: None, 2: 1}, \
        "no table is copied: the screenings keep their invitations"
    screenings = dict(rows("SELECT id, client_id FROM screenings"))
    assert len(set(screenings.values())) == 2, "never merged by name"
    invitations = dict(rows("SELECT id, client_id FROM invitations"))
    assert invitations[1] == screenings[2], "the invitation answered follows its screening"
    assert invitations[2] not in screenings.values(), "an unanswered one: a record of its own"
    clients = {row.id: row for row in rows("SELECT * FROM clients")}
    assert len(clients) == 3
    assert clients[screenings[1]].name == "Ann Example"
    assert clients[screenings[1]].search_name == "ann example"
    assert clients[invitations[2]].search_name == "ann example"
    assert clients[screenings[1]].date_of_birth in (date(1980, 3, 27), "1980-03-27")
    assert {"ix_screenings_queue", "ix_screenings_person", "ix_screenings_client_id"} \
        <= index_names()


def test_it_downgrades_keeping_every_screening(empty_app):  # noqa: F811
    upgrade(revision=BEFORE)
    store_the_old_way()
    upgrade()
    downgrade(revision=BEFORE)
    assert len(rows("SELECT id FROM screenings")) == 2
    assert len(rows("SELECT id FROM invitations")) == 2
    assert "clients" not in sa.inspect(db.engine).get_table_names()
    assert {"ix_screenings_queue", "ix_screenings_person"} <= index_names()
    upgrade()
    assert len(rows("SELECT id FROM clients")) == 3
