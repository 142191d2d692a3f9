"""Email: Flask-Mailman over SMTP (SCREENING_MAIL_*), or, with no mail server set up (the
embedded default, `make run`), each message written as an .eml file in instance/outbox/.

Messages are composed when they are sent (see outbox.py) by the composer registered for
their kind; every one has a plain-text and an HTML part.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formataddr
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.base import BaseEmailBackend

from .languages import current_language
from .review.forms import looks_like_email

mail = Mail()
#: The address links in emails start with when none is set and no mail server is used.
LOCAL_BASE_URL = "http://127.0.0.1:5000"
TEXT_SETTINGS = ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM", "BASE_URL")
DEFAULTS = {"MAIL_SERVER": None, "MAIL_PORT": 25, "MAIL_USERNAME": None, "MAIL_PASSWORD": None,
            "MAIL_USE_TLS": False, "MAIL_FROM": None, "MAIL_TIMEOUT": 10, "BASE_URL": None,
            "ALERT_EMAILS": "", "REMINDER_HOURS": 48, "OUTBOX_FOLDER": None}


@dataclass(frozen=True)
class Composed:
    """What a message says: subject, plain text, HTML."""

    subject: str
    text: str
    html: str


class NotNeeded(Exception):
    """Raised by a composer when its message should no longer be sent, saying why."""


#: kind -> function(OutboxMessage) -> Composed; each feature registers its own kinds.
COMPOSERS: dict[str, Callable] = {}


def composer(kind: str):
    def register(function):
        COMPOSERS[kind] = function
        return function
    return register


def init_app(app: Flask) -> None:
    """Read and check the mail settings (a wrong one stops the app, saying what to change),
    then bind Flask-Mailman to the SMTP server or to the .eml folder."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # The background sender runs in the app (`make run`, gunicorn); tests call it directly.
    app.config.setdefault("MAIL_SENDER_THREAD", not app.testing)
    for key in TEXT_SETTINGS:  # from_prefixed_env reads JSON: a password of digits is an int
        if app.config.get(key) is not None:
            app.config[key] = str(app.config[key])
    if not app.config["OUTBOX_FOLDER"]:
        app.config["OUTBOX_FOLDER"] = os.path.join(app.instance_path, "outbox")
    app.config["ALERT_EMAILS"] = _addresses(app.config["ALERT_EMAILS"])
    problems = _problems(app.config)
    if problems:
        raise RuntimeError("\n".join(problems))
    smtp = bool(app.config["MAIL_SERVER"])
    app.config["BASE_URL"] = (app.config["BASE_URL"] or LOCAL_BASE_URL).rstrip("/")
    app.config["MAIL_DEFAULT_SENDER"] = app.config["MAIL_FROM"] or \
        formataddr((app.config["CLINIC_NAME"], "no-reply@localhost"))
    app.config["MAIL_BACKEND"] = "smtp" if smtp else EmlFileBackend
    mail.init_app(app)


def _addresses(value) -> list[str]:
    """SCREENING_ALERT_EMAILS: addresses separated by commas, semicolons or spaces (or a
    JSON list)."""
    items = value if isinstance(value, list | tuple) else re.split(r"[,;\s]+", str(value or ""))
    return [str(item).strip() for item in items if str(item).strip()]


def _problems(config) -> list[str]:
    problems = []
    if config["MAIL_SERVER"]:
        for key, example in (("MAIL_FROM", '"Riverside Massage <bookings@example.com>"'),
                             ("BASE_URL", "https://forms.example.com")):
            if not config.get(key):
                problems.append(f"SCREENING_MAIL_SERVER is set, so set SCREENING_{key} too, "
                                f"for example {example}")
    base = config.get("BASE_URL")
    if base and (urlsplit(str(base)).scheme not in ("http", "https")
                 or not urlsplit(str(base)).netloc):
        problems.append(f"SCREENING_BASE_URL={base!r}: give the address clients open the app "
                        "at, for example https://forms.example.com")
    for address in config["ALERT_EMAILS"]:
        if not looks_like_email(address):
            problems.append(f"SCREENING_ALERT_EMAILS: {address!r} is not an email address; "
                            "separate addresses with commas")
    for key, lowest, meaning in (("MAIL_PORT", 1, "the mail server's port"),
                                 ("MAIL_TIMEOUT", 1, "seconds to wait for the mail server"),
                                 ("REMINDER_HOURS", 1, "hours before an appointment a "
                                                       "reminder goes")):
        value = config.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
            problems.append(f"SCREENING_{key}={value!r}: give {meaning}, a whole number "
                            f"from {lowest}")
    for key in ("MAIL_USE_TLS", "MAIL_SENDER_THREAD"):
        if not isinstance(config.get(key), bool):
            problems.append(f"SCREENING_{key}={config.get(key)!r}: use true or false")
    return problems


def writes_files() -> bool:
    """True when no mail server is set up and messages go to the .eml folder instead."""
    return not current_app.config.get("MAIL_SERVER")


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, on SCREENING_BASE_URL (emails are often composed
    outside any request, and a request's Host header is not to be trusted for links)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def render(template: str, **context) -> tuple[str, str]:
    """The plain-text and HTML versions of mail/<template>.txt and .html, in the language
    in force (a composer writes in its reader's: languages.in_language)."""
    context.setdefault("clinic_name", current_app.config["CLINIC_NAME"])
    context.setdefault("language", current_language())
    return (render_template(f"mail/{template}.txt", **context),
            render_template(f"mail/{template}.html", **context))


def build(message, composed: Composed) -> EmailMultiAlternatives:
    """The email for an outbox message, as composed."""
    email = EmailMultiAlternatives(
        subject=composed.subject, body=composed.text, to=[message.recipient],
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"})
    email.attach_alternative(composed.html, "text/html")
    email.file_stem = f"{message.kind}-{message.id}"
    return email


class EmlFileBackend(BaseEmailBackend):
    """Writes each message as an .eml file (openable by any mail program) in
    SCREENING_OUTBOX_FOLDER, readable by its owner only: it holds clients' names."""

    def send_messages(self, email_messages) -> int:
        folder = Path(current_app.config["OUTBOX_FOLDER"])
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for email in email_messages:
            stem = getattr(email, "file_stem", "message")
            path = folder / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{stem}.eml"
            partial = path.with_suffix(".part")
            descriptor = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with open(descriptor, "wb") as stream:
                stream.write(email.message().as_bytes(linesep="\r\n"))
            os.replace(partial, path)  # never a half-written .eml
        return len(email_messages)
