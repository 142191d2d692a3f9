"""Configuration: defaults, SCREENING_* environment variables, test overrides, and checks."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import Flask

from .clinic import load_clinic_rulebook
from .rulebook import RulebookError

#: Values people paste from tutorials; none of them is a secret.
PLACEHOLDER_KEYS = {"dev", "secret", "changeme", "change-me", "secret-key", "your-secret-key"}
MIN_KEY_LENGTH = 16
#: How clients and their doctors reach the clinic: each optional, shown where set.
CONTACT_SETTINGS = ("CLINIC_ADDRESS", "CLINIC_PHONE", "CLINIC_EMAIL")
TEXT_SETTINGS = ("SECRET_KEY", "DATABASE_URL", "CLINIC_NAME", "RULEBOOK", *CONTACT_SETTINGS)
MAX_ADDRESS_LENGTH = 300
_PHONE_NUMBER = re.compile(r"\+?[0-9 ().-]{6,30}")
#: The paper the PDFs are made on (browsers print on whatever the printer has).
PAPER_SIZES = {"a4": "A4", "letter": "Letter"}
SECRET_KEY_HELP = """\
massage-screening needs a secret key to protect clients' sessions and result links.
Set one (at least 16 random characters) in the environment before starting, e.g.:
    export SCREENING_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex())')"
Keep it out of version control; `make run` creates one in instance/secret_key."""


class SettingsError(click.ClickException, RuntimeError):
    """A setting the app cannot start with. Under `flask run`, click prints just the message
    (no traceback); anywhere else it is a RuntimeError like any other."""


def configure(app: Flask, test_config: dict | None, default_rulebook: Path) -> None:
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE_URL=None,
        CLINIC_NAME="Our massage clinic",
        RULEBOOK=str(default_rulebook),
        MAX_CONTENT_LENGTH=256 * 1024,
        WTF_CSRF_TIME_LIMIT=6 * 3600,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        RESULT_LINK_DAYS=60,
        DRAFT_DAYS=7,
        MINIMUM_AGE=18,
        TIMEZONE=None,
        TRUSTED_PROXIES=0,
        PAPER_SIZE="A4",
        REVIEW_IDLE_MINUTES=30,
        REVIEW_SESSION_HOURS=12,
        CLINIC_ADDRESS=None,
        CLINIC_PHONE=None,
        CLINIC_EMAIL=None,
        # The clinic's own language (the therapists' pages) and every language a client
        # may answer in (screening/i18n.py).
        LANGUAGE="en",
        LANGUAGES="en,es",
    )
    app.config.from_prefixed_env("SCREENING")
    if test_config:
        app.config.update(test_config)
    for key in TEXT_SETTINGS:  # from_prefixed_env reads JSON: a key of digits would be an int
        if app.config.get(key) is not None:
            app.config[key] = str(app.config[key])
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A database server may restart: test a pooled connection before using it.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    if not _set_explicitly("SESSION_COOKIE_SECURE", test_config):
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    os.makedirs(app.instance_path, exist_ok=True)
    serving = serving_pages()
    _check_secret_key(app, serving)
    _check_settings(app)
    if serving:
        # Fail now, with every problem listed, rather than in front of a client.
        try:
            load_clinic_rulebook(app)
        except RulebookError as error:
            if click.get_current_context(silent=True) is None:
                raise  # gunicorn, tests: the rule book's own error, with its problems
            raise SettingsError(f"The rule book cannot be used:\n{error}") from error


def _set_explicitly(key: str, test_config: dict | None) -> bool:
    return key in (test_config or {}) or f"SCREENING_{key}" in os.environ


def database_url(app: Flask) -> str:
    """SCREENING_DATABASE_URL, or SQLite in the instance folder; psycopg 3 for PostgreSQL."""
    url = app.config.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(app.instance_path, "screening.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def serving_pages() -> bool:
    """True unless the app is being loaded for a `flask` command other than `run`.

    `flask rules check`, `flask screen` and the like never serve a page, so they
    work without a secret key and can report a broken rule book themselves.
    """
    context = click.get_current_context(silent=True)
    return context is None or context.info_name == "run"


def _check_secret_key(app: Flask, serving: bool) -> None:
    key = app.config.get("SECRET_KEY")
    if key and str(key).lower() not in PLACEHOLDER_KEYS and len(str(key)) >= MIN_KEY_LENGTH:
        return
    if app.debug or app.testing or not serving:
        app.config["SECRET_KEY"] = key or secrets.token_hex(32)
        return
    raise SettingsError(SECRET_KEY_HELP)


def _check_settings(app: Flask) -> None:
    """Refuse to start, saying what to change, rather than fail on a client's request."""
    problems = []
    zone = app.config.get("TIMEZONE")
    if zone:
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"SCREENING_TIMEZONE={zone!r} is not a time zone: use a name "
                            "like Europe/London or America/New_York")
    paper = str(app.config.get("PAPER_SIZE", "")).strip().lower()
    if paper in PAPER_SIZES:
        app.config["PAPER_SIZE"] = PAPER_SIZES[paper]
    else:
        problems.append(f"SCREENING_PAPER_SIZE={app.config.get('PAPER_SIZE')!r}: use A4 or "
                        "Letter")
    for key, lowest, meaning in (
            ("RESULT_LINK_DAYS", 1, "days a client's result link works"),
            ("DRAFT_DAYS", 1, "days the answers a client saves to come back to are kept"),
            ("TRUSTED_PROXIES", 0, "reverse proxies in front of the app"),
            ("MINIMUM_AGE", 0, "years a client must be to sign without a parent or guardian"),
            ("REVIEW_IDLE_MINUTES", 1, "minutes without activity that end a therapist's session"),
            ("REVIEW_SESSION_HOURS", 1, "hours a therapist's session can last")):
        value = app.config.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
            problems.append(f"SCREENING_{key}={value!r}: give the number of {meaning}, a whole "
                            f"number from {lowest}")
    problems += _contact_problems(app) + _language_problems(app)
    if problems:
        raise SettingsError("\n".join(problems))


def _language_problems(app: Flask) -> list[str]:
    """SCREENING_LANGUAGE and SCREENING_LANGUAGES: language codes Babel knows (es, pt_BR)."""
    from babel import Locale, UnknownLocaleError

    from .i18n import language_codes

    problems = []
    for key in ("LANGUAGE", "LANGUAGES"):
        codes = language_codes(app.config.get(key))
        for code in codes if key == "LANGUAGES" or codes else [""]:
            try:
                Locale.parse(code)
            except (UnknownLocaleError, ValueError, TypeError):
                problems.append(f"SCREENING_{key}: {code!r} is not a language code: "
                                "use codes such as en, es or pt_BR (SCREENING_LANGUAGES "
                                "separated by commas)")
    return problems


def _contact_problems(app: Flask) -> list[str]:
    """The clinic's address, phone and email: each optional; blank counts as not set."""
    from .review.forms import looks_like_email  # review.forms reads settings: import late

    for key in CONTACT_SETTINGS:
        text = (app.config.get(key) or "").replace("\r\n", "\n").strip()
        app.config[key] = text or None
    address, phone, email = (app.config[key] for key in CONTACT_SETTINGS)
    problems = []
    if address and (len(address) > MAX_ADDRESS_LENGTH
                    or any(char < " " and char != "\n" for char in address)):
        problems.append(f"SCREENING_CLINIC_ADDRESS: give the clinic's postal address in at most "
                        f"{MAX_ADDRESS_LENGTH} characters (lines may be separated by commas "
                        "or new lines)")
    if phone and not (_PHONE_NUMBER.fullmatch(phone) and sum(map(str.isdigit, phone)) >= 6):
        problems.append(f"SCREENING_CLINIC_PHONE={phone!r} is not a phone number: use digits, "
                        "spaces and an optional leading +, like +44 117 496 0000")
    if email and not looks_like_email(email):
        problems.append(f"SCREENING_CLINIC_EMAIL={email!r} is not an email address: use one "
                        "like hello@example.com")
    return problems

