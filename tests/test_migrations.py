"""The schema comes from the Alembic migrations alone, on SQLite and on PostgreSQL.

Each test starts from an empty database and applies the migrations one at a time. The
PostgreSQL cases run when SCREENING_TEST_DATABASE_URL names a server (`make test-postgres`,
and CI); without one they are skipped.
"""

import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from screening.database import db, for_dialect
from tests.factories import make_app_on

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_app(request, tmp_path):
    """The app on a database with no tables at all."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database("migrations")
    app = make_app_on(url)
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        yield app
        db.session.remove()
        db.engine.dispose()


def revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()} (merge them)"
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_differences() -> list:
    """What autogenerate would write: differences between the models and the database.

    SQLAlchemy cannot read back an index on expressions from SQLite, so alembic skips it
    (with a warning); there such an index is checked by name instead. An index for another
    database only (PostgreSQL's trigram index) is not expected.
    """
    with db.engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*expression-based index")
        include = for_dialect(connection.dialect.name)
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_object": include})
        differences = compare_metadata(context, db.metadata)
        if connection.dialect.name == "sqlite":
            present = set(connection.scalars(text(
                "SELECT name FROM sqlite_master WHERE type = 'index'")))
            differences += [("missing index", index.name) for table in db.metadata.tables.values()
                            for index in table.indexes if index.name not in present
                            and include(index, index.name, "index", False, None)]
    return differences


def test_every_migration_applies_in_turn_from_empty_to_head(empty_app):
    revisions = revisions_oldest_first()
    for revision in revisions:
        upgrade(revision=revision)
        assert current_revision() == revision
    tables = set(inspect(db.engine).get_table_names())
    assert tables == {*db.metadata.tables, "alembic_version"}
    assert schema_differences() == [], "the models and the migrations disagree: " \
        "run `flask --app screening db migrate -m '...'` and review the new migration"


def test_every_migration_downgrades_to_empty_and_upgrades_again(empty_app):
    upgrade()
    for revision in reversed(revisions_oldest_first()[:-1]):
        downgrade(revision=revision)
        assert current_revision() == revision
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert schema_differences() == []


def test_the_app_never_creates_tables_itself():
    """No create_all outside Alembic: the migrations are the only source of the schema."""
    for path in (ROOT / "screening").rglob("*.py"):
        assert "create_all(" not in path.read_text(encoding="utf-8"), path
