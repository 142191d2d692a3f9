"""The migration with the indexes a large chain needs: the queue by outcome (both databases)
and the name search's trigram index (PostgreSQL, pg_trgm): made on upgrade, dropped on
downgrade, and usable by the queue. On PostgreSQL when a server is given (`make
test-postgres`)."""

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

REVISION, PREVIOUS = "e7b3c9a41d20", "e4b2c9a1f7d3"
INDEX, BY_OUTCOME = "ix_screenings_search_name_trgm", "ix_screenings_outcome_queue"


def test_the_indexes_are_made_and_dropped(empty_app):  # noqa: F811
    """The trigram index on PostgreSQL only; the queue by outcome on both."""
    postgresql = db.engine.dialect.name == "postgresql"
    upgrade(revision=PREVIOUS)
    upgrade(revision=REVISION)
    assert current_revision() == REVISION
    assert (INDEX in index_names()) is postgresql and BY_OUTCOME in index_names()
    downgrade(revision=PREVIOUS)
    assert INDEX not in index_names() and BY_OUTCOME not in index_names()
    upgrade(revision=REVISION)
    assert (INDEX in index_names()) is postgresql and BY_OUTCOME in index_names()
    db.session.remove()


def test_a_page_of_one_outcome_is_read_in_the_queues_order(empty_app):  # noqa: F811
    upgrade()
    statement = queue_query(Filters(outcome="clear")).limit(25).compile(
        db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SET enable_seqscan = off"))
            plan = "\n".join(connection.scalars(sa.text(f"EXPLAIN {statement}")))
        else:
            plan = "\n".join(row[-1] for row in connection.execute(
                sa.text(f"EXPLAIN QUERY PLAN {statement}")))
    assert BY_OUTCOME in plan and "sort" not in plan.lower().replace("incremental", ""), plan
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
