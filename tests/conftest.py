"""Shared fixtures: the real rule book, an app on a migrated throwaway database.

The suite runs on SQLite: a file migrated once per session, copied for each test. With
SCREENING_TEST_DATABASE_URL set to a PostgreSQL server (for example
`postgresql+psycopg://postgres@127.0.0.1:5432/postgres`) the `app` fixture runs on PostgreSQL
instead: the suite creates its own databases on that server (`screening_test_<pid>...`,
dropped at the end; the URL's own database is only used to connect, so the account needs
CREATEDB), migrates one of them once, and empties it before each test (every row deleted,
every sequence restarted), so each test starts with no rows and ids from 1. Tests that build
their own app with `make_app(path)` (settings, CSRF, the browser tests) stay on SQLite on
purpose.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from screening.database import db
from screening.printing import PDF_INSTALL_HINT, pdf_renderer_problem
from screening.rulebook import load_rulebook
from tests.browser.harness import in_ci
from tests.factories import make_app, make_app_on

RULES = Path(__file__).parent.parent / "rules"
TEST_DATABASE_ENV = "SCREENING_TEST_DATABASE_URL"


def postgres_url_from_env() -> URL | None:
    """SCREENING_TEST_DATABASE_URL as a psycopg 3 URL, or None to test on SQLite."""
    raw = os.environ.get(TEST_DATABASE_ENV, "").strip()
    if not raw:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            raw = "postgresql+psycopg://" + raw[len(prefix):]
    url = make_url(raw)
    if url.get_backend_name() != "postgresql":
        raise pytest.UsageError(f"{TEST_DATABASE_ENV} must be a PostgreSQL URL, like "
                                "postgresql+psycopg://postgres@127.0.0.1:5432/postgres "
                                "(leave it unset to test on SQLite)")
    return url


class PostgresServer:
    """The PostgreSQL server the suite was pointed at; makes and drops scratch databases."""

    def __init__(self, url: URL):
        self.url = url
        self.prefix = f"screening_test_{os.getpid()}"
        self._admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._created: list[str] = []

    def check(self) -> None:
        with self._admin.connect() as connection:
            connection.execute(text("SELECT 1"))

    def create_database(self, purpose: str) -> str:
        """A new, empty database (dropped first if a previous run left it); its URL."""
        name = f"{self.prefix}_{purpose}"
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self._created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_databases(self) -> None:
        with self._admin.connect() as connection:
            for name in self._created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._created.clear()
        self._admin.dispose()


def pytest_report_header(config):
    url = postgres_url_from_env()
    if url is None:
        return f"database: SQLite (set {TEST_DATABASE_ENV} to test on PostgreSQL)"
    return f"database: PostgreSQL at {url.render_as_string(hide_password=True)}"


def pytest_sessionstart(session):
    """With PostgreSQL asked for, stop at once (not in every test) if it cannot be used."""
    url = postgres_url_from_env()
    if url is None:
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.exit(f"{TEST_DATABASE_ENV} is set but psycopg is not installed: "
                    "pip install -e '.[test,postgres]'", returncode=4)
    try:
        PostgresServer(url).check()
    except Exception as error:
        pytest.exit(f"{TEST_DATABASE_ENV}: cannot connect to "
                    f"{url.render_as_string(hide_password=True)}: {error}", returncode=4)


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook(RULES)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """A SQLite database migrated to head once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "screening.sqlite3"
    with make_app(path).app_context():
        upgrade()
        db.engine.dispose()  # closing the last connection folds the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_server():
    """The PostgreSQL server of SCREENING_TEST_DATABASE_URL; skips the test without one."""
    url = postgres_url_from_env()
    if url is None:
        pytest.skip(f"PostgreSQL: set {TEST_DATABASE_ENV} (or run `make test-postgres`)")
    server = PostgresServer(url)
    yield server
    server.drop_databases()


def migrate(database_url: str) -> None:
    """Apply every migration to the database at `database_url`."""
    app = make_app_on(database_url)
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


class EmptyingDatabase:
    """The suite's PostgreSQL database, migrated once, emptied before each test.

    DELETE in foreign-key order and restarting the sequences is what TRUNCATE ... RESTART
    IDENTITY does, but on tables of a few rows it takes 4 ms where TRUNCATE takes 50.
    """

    def __init__(self, server: PostgresServer):
        self.url = server.create_database("suite")
        migrate(self.url)
        self._engine = create_engine(self.url, poolclass=NullPool)
        self._connection = self._engine.connect()
        # A transaction left open by a test would make the next one wait for ever: fail.
        self._connection.execute(text("SET lock_timeout = '10s'"))
        schema = MetaData()
        schema.reflect(self._connection)
        preparer = self._engine.dialect.identifier_preparer
        deletes = [f"DELETE FROM {preparer.format_table(table)}"
                   for table in reversed(schema.sorted_tables) if table.name != "alembic_version"]
        sequences = self._connection.scalars(text(
            "SELECT quote_ident(sequence_name) FROM information_schema.sequences "
            "WHERE sequence_schema = current_schema()")).all()
        restarts = [f"ALTER SEQUENCE {sequence} RESTART" for sequence in sequences]
        self._empty = text("; ".join([*deletes, *restarts]))
        self._connection.commit()

    def empty(self) -> None:
        with self._connection.begin():
            self._connection.execute(self._empty)

    def close(self) -> None:
        self._connection.close()
        self._engine.dispose()


@pytest.fixture(scope="session")
def suite_database():
    """None on SQLite; on PostgreSQL the suite's database (see the module docstring)."""
    url = postgres_url_from_env()
    if url is None:
        yield None
        return
    server = PostgresServer(url)
    database = EmptyingDatabase(server)
    yield database
    database.close()
    server.drop_databases()


@pytest.fixture
def app(request, tmp_path, suite_database):
    if suite_database is None:
        path = tmp_path / "screening.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_db"), path)
        yield make_app(path)
        return
    suite_database.empty()
    app = make_app_on(suite_database.url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def fresh_database_url(request, tmp_path, suite_database):
    """A migrated database of the suite's kind for this test alone (for servers it starts)."""
    if suite_database is None:
        path = tmp_path / "fresh.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_db"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_server").create_database("fresh")
    migrate(url)
    return url


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def pdf_renderer():
    """WeasyPrint with Pango: a skip without them, with how to install them; in CI (CI=true)
    a failure, as for a missing browser."""
    problem = pdf_renderer_problem()
    if problem is not None:
        if in_ci():
            pytest.fail(f"CI=true and PDFs cannot be made: a failure, not a skip.\n"
                        f"{PDF_INSTALL_HINT} ({problem})", pytrace=False)
        pytest.skip(f"{PDF_INSTALL_HINT} ({problem})")
