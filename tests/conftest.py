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

Nearly every test makes an app, so the work each one would repeat is done once per session:
loading the rule book (RulebookCache) and hashing passwords (PasswordHashes), each exact.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

import screening.clinic
import screening.review.cli
import screening.review.sign_in
from screening.database import db
from screening.printing import PDF_INSTALL_HINT, pdf_renderer_problem
from tests.browser.harness import ARTIFACTS, in_ci
from tests.factories import make_app, make_app_on
from tests.load.harness import SUMMARY

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


def rulebook_folder_digest(path: str | Path) -> str:
    """A digest of every file under the rule book folder of `path` (a folder, or its
    rulebook.yaml): what load_rulebook reads, names and contents."""
    root = Path(path)
    folder = root.parent if root.is_file() else root
    digest = hashlib.sha256()
    for file in sorted(folder.rglob("*")):
        if file.is_file():
            digest.update(f"{file.relative_to(folder)}\0{file.stat().st_size}\0".encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


class RulebookCache:
    """load_rulebook for the apps the tests make, each rule book loaded once per session.

    Every app loads its rule book at start-up (as serving does), and the suite makes an app
    for nearly every test: loading and validating the real rule book each time cost a tenth
    of a second, and each app's Spanish copy as much again. A loaded Rulebook is frozen
    (compared by identity), so apps can share one. The key is the path and a digest of the
    folder's files, so a test that writes or edits a rule book gets it loaded afresh; a
    broken one is never kept, and raises its RulebookError every time.
    """

    def __init__(self, load):
        self._load = load
        self._loaded: dict[tuple[str, str], object] = {}

    def __call__(self, path):
        key = (str(path), rulebook_folder_digest(path))
        if key not in self._loaded:
            self._loaded[key] = self._load(path)
        return self._loaded[key]


@pytest.fixture(scope="session", autouse=True)
def cached_rulebooks():
    """Apps made in this session load their rule book through one RulebookCache (tests of
    loading itself call load_rulebook directly, and still load every time)."""
    cache = RulebookCache(screening.clinic.load_rulebook)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(screening.clinic, "load_rulebook", cache)
        yield cache


class PasswordHashes:
    """werkzeug's password hashing for the suite, each hash worked out once per session.

    A password hash (scrypt) costs a tenth of a second by design, and most review tests add
    a therapist and sign in: two of them. Checking is a pure function of the hash and the
    password, so its answers are kept. A new hash has a new salt each time; here the n-th
    hash a test makes of a password is the n-th hash any test made of it, so within a test
    every hash is new, as when serving (a reset to the same password still changes the
    hash, and ends the old sessions), while tests share the work.
    """

    def __init__(self, generate, check):
        self._generate = generate
        self.check = functools.lru_cache(maxsize=None)(check)
        self._made: dict[tuple, list[str]] = {}
        self._this_test: Counter = Counter()

    def generate(self, password: str, *args, **kwargs) -> str:
        key = (password, args, tuple(sorted(kwargs.items())))
        made = self._made.setdefault(key, [])
        index = self._this_test[key]
        self._this_test[key] += 1
        if index == len(made):
            made.append(self._generate(password, *args, **kwargs))
        return made[index]

    def new_test(self) -> None:
        self._this_test.clear()


@pytest.fixture(scope="session", autouse=True)
def password_hashes():
    """The app hashes and checks passwords through one PasswordHashes in this session."""
    hashes = PasswordHashes(screening.review.cli.generate_password_hash,
                            screening.review.sign_in.check_password_hash)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(screening.review.cli, "generate_password_hash", hashes.generate)
        patch.setattr(screening.review.sign_in, "check_password_hash", hashes.check)
        yield hashes


@pytest.fixture(autouse=True)
def _new_password_hashes_each_test(password_hashes):
    password_hashes.new_test()


@pytest.fixture(autouse=True)
def _garbage_collected_as_usual():
    """An app built as for serving (not TESTING) freezes what exists at its start-up out of
    the garbage collector's reach; in the test process that would keep every earlier test's
    leftovers for good, so it is undone after the test."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """What each load test measured (tests/load: they pass or fail on their own), from the
    reports, which pytest-xdist's workers send to the main process too."""
    lines = [value for reports in terminalreporter.stats.values() for report in reports
             if getattr(report, "when", None) == "call"
             for name, value in getattr(report, "user_properties", ()) if name == SUMMARY]
    if lines:
        terminalreporter.ensure_newline()
        terminalreporter.section("load test")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def rulebook(cached_rulebooks):
    """The real rule book: the very one the apps on it use."""
    return cached_rulebooks(RULES)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """A SQLite database migrated to head once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "screening.sqlite3"
    with make_app(path).app_context():
        upgrade()
        db.engine.dispose()  # closing the last connection folds the WAL into the file
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """Under pytest-xdist, in the main process once a worker has collected (before any test
    runs): clear the browser tests' failure artifacts of the last run if they are to run."""
    if any(nodeid.startswith("tests/browser/") for nodeid in ids):
        shutil.rmtree(ARTIFACTS, ignore_errors=True)


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
