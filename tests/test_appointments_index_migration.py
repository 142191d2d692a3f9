"""The migration with the Appointments view's index and the unreviewed name search's
(PostgreSQL), which also drops two indexes no query reads: made and dropped both ways,
and read by the queries they are for. On PostgreSQL when a server is given (`make
test-postgres`)."""

from datetime import date

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from screening.database import db
from screening.invitations.service import upcoming_query
from tests.test_migrations import current_revision, empty_app  # noqa: F401 (a fixture)

REVISION, PREVIOUS = "a9c4e2f7b318", "f2a6d8c4b1e9"
UPCOMING, UNREVIEWED_NAMES = "ix_invitations_upcoming", "ix_screenings_unreviewed_name_trgm"
UNUSED = {"ix_screenings_client_name", "ix_screenings_outcome"}


def index_names() -> set[str]:
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            return set(connection.scalars(sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'index'")))
        return set(connection.scalars(sa.text("SELECT indexname FROM pg_indexes")))


def plan(statement) -> str:
    """The plan of `statement`, with sequential scans ruled out on PostgreSQL (an empty
    table is otherwise read whole, whatever its indexes)."""
    sql = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SET enable_seqscan = off"))
            return "\n".join(connection.scalars(sa.text(f"EXPLAIN {sql}")))
        return "\n".join(row[-1] for row in connection.execute(
            sa.text(f"EXPLAIN QUERY PLAN {sql}")))


def test_the_indexes_are_made_and_dropped_and_the_unused_ones_put_back(empty_app):  # noqa: F811
    postgresql = db.engine.dialect.name == "postgresql"
    upgrade(revision=PREVIOUS)
    assert UNUSED <= index_names() and UPCOMING not in index_names()
    upgrade(revision=REVISION)
    assert current_revision() == REVISION
    made = index_names()
    assert UPCOMING in made and (UNREVIEWED_NAMES in made) is postgresql
    assert not UNUSED & made
    downgrade(revision=PREVIOUS)
    assert UNUSED <= index_names()
    assert not {UPCOMING, UNREVIEWED_NAMES} & index_names()
    upgrade(revision=REVISION)
    assert UPCOMING in index_names()
    db.session.remove()


def test_the_appointments_page_is_read_in_order_from_its_index(empty_app):  # noqa: F811
    upgrade()
    read = plan(upcoming_query(date(2026, 12, 2)).limit(25))
    assert UPCOMING in read and "sort" not in read.lower(), read
    db.session.remove()


def test_the_unreviewed_names_index_is_the_trigrams_of_the_unreviewed(empty_app):  # noqa: F811
    """What the planner can use for a name with "not reviewed yet" (its use on a year of a
    large chain is measured by `make bench-large`: an empty table's planner picks any)."""
    upgrade()
    if db.engine.dialect.name != "postgresql":
        return  # SQLite has no trigram index: it reads the names
    with db.engine.connect() as connection:
        definition = connection.scalar(sa.text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
            {"name": UNREVIEWED_NAMES})
    assert "USING gin (search_name gin_trgm_ops) WHERE (decision IS NULL)" in definition
    assert name_statistics() == 1000  # a common name's matches estimated from 1,000, not 100
    downgrade(revision=PREVIOUS)
    assert name_statistics() in (-1, None)  # the default again (None from PostgreSQL 17)
    db.session.remove()


def name_statistics() -> int | None:
    with db.engine.connect() as connection:
        return connection.scalar(sa.text(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'screenings'::regclass "
            "AND attname = 'search_name'"))
