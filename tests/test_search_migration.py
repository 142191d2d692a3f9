"""The migration that adds each screening's search name: screenings stored before it are keyed
(and found by the queue's search), and it downgrades without touching them. On SQLite, and on
PostgreSQL when a server is given (`make test-postgres`)."""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from screening.database import db
from screening.models import Screening
from screening.review.queue import Filters, queue_query
from tests.test_migrations import current_revision, empty_app  # noqa: F401 (a fixture)

REVISION = "fd597db4ae8f"
NAMES = ["Zoë Nguyen-O'Brien", "Chloé Brien", "Ann Example"]
#: The screenings table as it was before the migration (only the columns it needs).
OLD_SCREENINGS = sa.table(
    "screenings", *(sa.column(name) for name in (
        "submission_key", "result_token_hash", "client_name", "date_of_birth", "answers",
        "outcome", "outcome_rank", "urgent", "findings", "body_areas", "rulebook_version",
        "screened_on", "submitted_at", "signature", "signed_on")))


def previous_revision() -> str:
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return script.get_revision(REVISION).down_revision


def store_the_old_way(names: list[str]) -> None:
    """Screenings as the app stored them before the migration: no search name."""
    with db.engine.begin() as connection:
        connection.execute(OLD_SCREENINGS.insert(), [{
            "submission_key": f"key{number:029d}", "result_token_hash": f"{number:064d}",
            "client_name": name, "date_of_birth": date(1980, 3, 27), "answers": "{}",
            "outcome": "clear", "outcome_rank": 0, "urgent": False, "findings": "[]",
            "body_areas": "[]", "rulebook_version": "2026.11.1", "screened_on": date.today(),
            "submitted_at": datetime.now(UTC), "signature": name, "signed_on": date.today(),
        } for number, name in enumerate(names)])


def search_names() -> dict[str, str]:
    with db.engine.connect() as connection:
        return dict(connection.execute(sa.text(
            "SELECT client_name, search_name FROM screenings")).all())


def found(typed: str) -> list[str]:
    query = queue_query(Filters(name=typed)).with_only_columns(Screening.client_name)
    return sorted(db.session.scalars(query))


def columns() -> set[str]:
    with db.engine.connect() as connection:
        return set(connection.execute(sa.text("SELECT * FROM screenings")).keys())


def index_names() -> set[str]:
    """Read by name: SQLAlchemy cannot reflect the expression index ix_screenings_queue."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            return set(connection.scalars(sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'index'")))
        return set(connection.scalars(sa.text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'screenings'")))


def test_screenings_stored_before_are_keyed_and_found(empty_app):  # noqa: F811
    upgrade(revision=previous_revision())
    store_the_old_way(NAMES)
    upgrade(revision=REVISION)
    assert current_revision() == REVISION
    assert {"ix_screenings_queue", "ix_screenings_person"} <= index_names()
    assert search_names() == {"Zoë Nguyen-O'Brien": "zoe nguyen obrien",
                              "Chloé Brien": "chloe brien", "Ann Example": "ann example"}
    upgrade()
    assert found("zoe nguyen") == ["Zoë Nguyen-O'Brien"]
    assert found("brien") == ["Chloé Brien", "Zoë Nguyen-O'Brien"]
    db.session.remove()


def test_it_downgrades_keeping_every_screening_and_upgrades_again(empty_app):  # noqa: F811
    upgrade(revision=previous_revision())
    store_the_old_way(NAMES)
    upgrade(revision=REVISION)
    downgrade(revision=previous_revision())
    assert "search_name" not in columns()
    with db.engine.connect() as connection:
        assert sorted(connection.scalars(sa.text("SELECT client_name FROM screenings"))) == \
            sorted(NAMES)
    # the table was altered in place: the queue's expression index is still there
    assert "ix_screenings_queue" in index_names() and "ix_screenings_person" not in index_names()
    upgrade(revision=REVISION)
    assert search_names()["Zoë Nguyen-O'Brien"] == "zoe nguyen obrien"
