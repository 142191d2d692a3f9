"""Shared fixtures: the real rule book, an app on a migrated throwaway SQLite database."""

import shutil
from pathlib import Path

import pytest
from flask_migrate import upgrade

from screening.database import db
from screening.rulebook import load_rulebook
from tests.factories import make_app

RULES = Path(__file__).parent.parent / "rules"


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook(RULES)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """A database migrated to head once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "screening.sqlite3"
    with make_app(path).app_context():
        upgrade()
        db.engine.dispose()  # closing the last connection folds the WAL into the file
    return path


@pytest.fixture
def app(tmp_path, migrated_db):
    path = tmp_path / "screening.sqlite3"
    shutil.copy(migrated_db, path)
    return make_app(path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
