"""The migration that gives the name search a trigram index on PostgreSQL (pg_trgm): made
on upgrade, dropped on downgrade, and used by the queue's search; on SQLite it changes
nothing. On PostgreSQL when a server is given (`make test-postgres`)."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from screening.database import db
from screening.review.queue import Filters, queue_query
from tests.test_migrations import current_revision, empty_app  # noqa: F401 (a fixture)
from tests.test_search_migration import (
    NAMES,
    found,
    index_names,
    previous_revision,
    store_the_old_way,
)

REVISION, PREVIOUS = "e7b3c9a41d20", "c3a7e5d2b911"
INDEX = "ix_screenings_search_name_trgm"


def test_the_index_is_made_and_dropped_on_postgresql_only(empty_app):  # noqa: F811
    postgresql = db.engine.dialect.name == "postgresql"
    upgrade(revision=PREVIOUS)
    upgrade(revision=REVISION)
    assert current_revision() == REVISION
    assert (INDEX in index_names()) is postgresql
    downgrade(revision=PREVIOUS)
    assert INDEX not in index_names()
    upgrade(revision=REVISION)
    assert (INDEX in index_names()) is postgresql
    db.session.remove()


def test_the_search_finds_the_same_names_and_can_use_the_index(empty_app):  # noqa: F811
    upgrade(revision=previous_revision())  # before search names: stored as then
    store_the_old_way(NAMES)
    upgrade()
    assert found("zoe nguyen") == ["Zoë Nguyen-O'Brien"]
    assert found("BRIEN") == ["Chloé Brien", "Zoë Nguyen-O'Brien"]
    if db.engine.dialect.name == "postgresql":
        # what the queue counts (its pages are read in the queue's order, from its index)
        statement = queue_query(Filters(name="nguyen")).order_by(None).compile(
            db.engine, compile_kwargs={"literal_binds": True})
        with db.engine.connect() as connection:
            connection.execute(sa.text("SET enable_seqscan = off"))
            plan = "\n".join(connection.scalars(sa.text(f"EXPLAIN {statement}")))
        assert INDEX in plan, plan
    db.session.remove()
