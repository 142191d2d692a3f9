"""Configuration: the secret key check, SCREENING_* variables, the database URL, the rule book."""

import gc
import os

import click
import pytest
from flask import Flask

from screening import ROOT, create_app
from screening.rulebook import RulebookError
from screening.settings import configure, database_url
from tests.engine.rulebook_builder import LABEL, edit, write_rulebook

GOOD_KEY = "k3y-0123456789abcdef-0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No SCREENING_* or FLASK_* settings leak in from the shell running the tests."""
    for key in list(os.environ):
        if key.startswith(("SCREENING_", "FLASK_")):
            monkeypatch.delenv(key)


@pytest.fixture
def rules_dir(tmp_path):
    return write_rulebook(tmp_path / "rules")


def production(tmp_path, rules_dir, **config):
    """Config for an app that is neither testing nor debugging."""
    return {"TESTING": False, "RULEBOOK": str(rules_dir),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **config}


# --- the secret key ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "dev", "DEV", "changeme", "secret", "your-secret-key",
                                 "short-key-12345"])
def test_refuses_to_start_without_a_real_secret_key(tmp_path, rules_dir, key):
    config = production(tmp_path, rules_dir)
    if key is not None:
        config["SECRET_KEY"] = key
    with pytest.raises(RuntimeError) as caught:
        create_app(config)
    message = str(caught.value)
    assert "export SCREENING_SECRET_KEY=" in message
    assert "at least 16" in message


def test_refuses_a_placeholder_key_from_the_environment(tmp_path, rules_dir, monkeypatch):
    monkeypatch.setenv("SCREENING_SECRET_KEY", "changeme")
    with pytest.raises(RuntimeError, match="SCREENING_SECRET_KEY"):
        create_app(production(tmp_path, rules_dir))


def test_starts_with_a_real_secret_key(tmp_path, rules_dir):
    app = create_app(production(tmp_path, rules_dir, SECRET_KEY=GOOD_KEY))
    assert app.config["SECRET_KEY"] == GOOD_KEY
    assert app.extensions["rulebook"].version.startswith(f"{LABEL}+")  # loaded at start-up


def test_an_app_built_for_serving_keeps_start_up_out_of_full_collections(tmp_path, rules_dir):
    """The rule book, modules and templates are never garbage: a full collection walking
    them took 130 ms every hundred requests or so (README "Performance")."""
    gc.unfreeze()
    create_app(production(tmp_path, rules_dir, SECRET_KEY=GOOD_KEY))
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    create_app({**production(tmp_path, rules_dir, SECRET_KEY=GOOD_KEY), "TESTING": True})
    assert gc.get_freeze_count() == 0  # a test's app leaves the test process as it is


def test_session_cookie_is_secure_outside_debug_and_testing(tmp_path, rules_dir):
    app = create_app(production(tmp_path, rules_dir, SECRET_KEY=GOOD_KEY))
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_session_cookie_secure_can_be_turned_off(tmp_path, rules_dir):
    app = create_app(production(tmp_path, rules_dir, SECRET_KEY=GOOD_KEY,
                                SESSION_COOKIE_SECURE=False))
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_secret_key_from_the_environment(tmp_path, rules_dir, monkeypatch):
    monkeypatch.setenv("SCREENING_SECRET_KEY", GOOD_KEY)
    app = create_app(production(tmp_path, rules_dir))
    assert app.config["SECRET_KEY"] == GOOD_KEY


@pytest.mark.parametrize("mode", [{"TESTING": True}, {"TESTING": False, "DEBUG": True}])
def test_testing_and_debug_make_up_a_key(tmp_path, rules_dir, mode):
    app = create_app({**production(tmp_path, rules_dir), **mode})
    assert len(app.config["SECRET_KEY"]) == 64
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_made_up_keys_differ_between_apps(tmp_path, rules_dir):
    config = production(tmp_path, rules_dir, TESTING=True)
    assert create_app(config).config["SECRET_KEY"] != create_app(config).config["SECRET_KEY"]


@pytest.mark.parametrize("command", ["screen", "rules", "db", "questions"])
def test_flask_commands_other_than_run_need_no_key(tmp_path, rules_dir, command):
    with click.Context(click.Command(command), info_name=command):
        app = create_app(production(tmp_path, rules_dir))
    assert app.config["SECRET_KEY"]


def test_flask_run_needs_a_key(tmp_path, rules_dir):
    with click.Context(click.Command("run"), info_name="run"), \
            pytest.raises(RuntimeError, match="SCREENING_SECRET_KEY"):
        create_app(production(tmp_path, rules_dir))


# --- configuration from the environment ---------------------------------------------------------


def test_config_from_screening_environment_variables(tmp_path, rules_dir, monkeypatch):
    monkeypatch.setenv("SCREENING_CLINIC_NAME", "Harbour Massage")
    monkeypatch.setenv("SCREENING_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("SCREENING_RULEBOOK", str(rules_dir))
    app = create_app({"TESTING": True})
    assert app.config["CLINIC_NAME"] == "Harbour Massage"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.sqlite3'}"
    assert app.config["RULEBOOK"] == str(rules_dir)
    assert app.extensions["rulebook"].path == str(rules_dir)


def test_test_config_wins_over_the_environment(tmp_path, rules_dir, monkeypatch):
    monkeypatch.setenv("SCREENING_CLINIC_NAME", "Harbour Massage")
    app = create_app(production(tmp_path, rules_dir, TESTING=True, CLINIC_NAME="Riverside"))
    assert app.config["CLINIC_NAME"] == "Riverside"


def test_defaults(tmp_path, rules_dir):
    app = create_app(production(tmp_path, rules_dir, TESTING=True))
    assert app.config["CLINIC_NAME"] == "Our massage clinic"
    assert app.config["MAX_CONTENT_LENGTH"] == 256 * 1024
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_default_database_is_sqlite_in_the_instance_folder(rules_dir):
    app = create_app({"TESTING": True, "RULEBOOK": str(rules_dir)})
    expected = "sqlite:///" + os.path.join(app.instance_path, "screening.sqlite3")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected
    assert os.path.isdir(app.instance_path)


def test_default_rulebook_is_the_projects_rules_folder():
    with click.Context(click.Command("screen"), info_name="screen"):  # does not load it
        app = create_app({"TESTING": True})
    assert app.config["RULEBOOK"] == str(ROOT / "rules")


@pytest.mark.parametrize(("url", "expected"), [
    ("postgres://clinic:pw@db.example:5432/screening",
     "postgresql+psycopg://clinic:pw@db.example:5432/screening"),
    ("postgresql://clinic@localhost/screening",
     "postgresql+psycopg://clinic@localhost/screening"),
    ("postgresql+psycopg://clinic@localhost/screening",
     "postgresql+psycopg://clinic@localhost/screening"),
    ("sqlite:////var/lib/screening.sqlite3", "sqlite:////var/lib/screening.sqlite3"),
])
def test_database_url(url, expected):
    app = Flask("screening")
    app.config["DATABASE_URL"] = url
    assert database_url(app) == expected


# --- the rule book at start-up ------------------------------------------------------------------


def test_broken_rulebook_stops_the_app_from_starting(tmp_path, rules_dir):
    edit(rules_dir / "conditions/varicose_veins.yaml", "{q: vv_symptoms_now, is: yes}",
         "{q: vv_symptom_now, is: yes}")
    with pytest.raises(RulebookError) as caught:
        create_app(production(tmp_path, rules_dir, TESTING=True))
    assert any("unknown question id 'vv_symptom_now'" in p for p in caught.value.problems)


def test_missing_rulebook_stops_the_app_from_starting(tmp_path):
    with pytest.raises(RulebookError, match="not found"):
        create_app(production(tmp_path, tmp_path / "nowhere", SECRET_KEY=GOOD_KEY))


def test_all_digit_secret_key_from_the_environment_stays_text(tmp_path, rules_dir, monkeypatch):
    monkeypatch.setenv("SCREENING_SECRET_KEY", "12345678901234567890")
    app = create_app(production(tmp_path, rules_dir))
    assert app.config["SECRET_KEY"] == "12345678901234567890"


def test_pooled_server_connections_are_checked_before_use(tmp_path, rules_dir):
    # configure() alone: no engine is made, so no PostgreSQL driver is needed here.
    server = Flask(__name__, instance_path=str(tmp_path / "instance"))
    configure(server, {"TESTING": True, "SECRET_KEY": GOOD_KEY,
                       "DATABASE_URL": "postgresql://clinic@db.example/screening"}, rules_dir)
    assert server.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    sqlite = Flask(__name__, instance_path=str(tmp_path / "instance"))
    configure(sqlite, {"TESTING": True, "SECRET_KEY": GOOD_KEY,
                       "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}, rules_dir)
    assert not sqlite.config.get("SQLALCHEMY_ENGINE_OPTIONS")
