"""Storing a submitted screening exactly once, and the unguessable link to its result."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from base64 import urlsafe_b64encode
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clients import new_client
from ..database import db
from ..engine import Result, evaluate
from ..models import Screening, as_utc
from ..rulebook import Rulebook
from ..tokens import derived_token, looks_like_token, token_hash

_KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")


def new_submission_key() -> str:
    """A random key (192 bits) put in the form, so a double submission stores one screening."""
    return secrets.token_urlsafe(24)


def valid_submission_key(key: str | None) -> bool:
    return bool(key) and bool(_KEY.match(key))


def result_token(secret_key: str, submission_key: str) -> str:
    """The result link's token: 256 bits derived from the submission key and the app's secret.

    Only a hash of it is stored, so a copy of the database alone opens no result page;
    a resubmission of the same form derives the same token and lands on the same page.
    """
    return derived_token(secret_key, "result", submission_key)


def stored_result(rulebook: Rulebook, result: Result) -> dict[str, Any]:
    """The engine's result as a Screening stores it: findings with their condition's name,
    so the record still reads right after the rule book changes."""
    return {"outcome": result.outcome, "urgent": result.urgent,
            "findings": [{**finding.to_dict(),
                          "condition_name": rulebook.conditions[finding.condition].name}
                         for finding in result.findings],
            "body_areas": list(result.body_areas),
            "rulebook_version": result.rulebook_version, "screened_on": result.screened_on}


def store_screening(*, rulebook: Rulebook, details: dict[str, Any], answers: dict[str, Any],
                    consent: dict[str, Any], submission_key: str, secret_key: str,
                    today: date, language: str = "en") -> str:
    """Screen and store the answers (once per submission); return the result token.

    The same form sent again (double click, refresh, a retry after a timeout or a 503)
    lands on the screening it stored the first time. A form sent again with the same key
    but anything changed (the client went back and corrected an answer) is stored as a
    screening of its own, so nothing a client sends is lost; and a form that only borrows
    someone's key never reaches their result.
    """
    on = details["appointment_date"] or today
    record = stored_result(rulebook, evaluate(rulebook, answers, on))
    sent = _content(details, answers, consent)
    key = submission_key
    for attempt in range(3):
        token = result_token(secret_key, key)
        db.session.add(Screening(
            submission_key=key, result_token_hash=token_hash(token), **details,
            answers=answers, **record, submitted_at=datetime.now(UTC), **consent,
            language=language,
            **_new_client_unless_known(details)))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            existing = find_by_submission_key(key)
            if existing is None:
                raise
            if _stored_content(existing, sent) == sent:
                return token  # sent before: keep the first one
            # Changed since it was first sent: store it too, under a key of its own. The
            # key is derived from the first key and what was sent, so sending this changed
            # form twice still stores it once; should even that be taken, a random one.
            key = (changed_submission_key(secret_key, submission_key, sent) if attempt == 0
                   else new_submission_key())
        else:
            return token
    raise RuntimeError("no free submission key")  # three keys taken: cannot happen


def _new_client_unless_known(details: dict[str, Any]) -> dict[str, Any]:
    """A screening sent from an invitation belongs to the invitation's client; any other
    is a new client's first screening (a therapist can merge records later)."""
    if details.get("client_id"):
        return {}
    return {"client": new_client(details["client_name"], date_of_birth=details["date_of_birth"],
                                 email=details.get("email"), phone=details.get("phone"))}


def changed_submission_key(secret_key: str, submission_key: str,
                           content: dict[str, Any]) -> str:
    """The key a changed resubmission is stored under: as unguessable as a new key, and the
    same each time that same changed form is sent."""
    fingerprint = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    digest = hmac.new(secret_key.encode(), b"changed:" + submission_key.encode() + b"\n"
                      + fingerprint.encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest[:24]).decode()  # 192 bits, 32 characters, like a new key


def _content(details: dict[str, Any], answers: dict[str, Any],
             consent: dict[str, Any]) -> dict[str, Any]:
    """What the client sent: their details, answers and signature."""
    return {"details": dict(details), "answers": dict(answers), "consent": dict(consent)}


def _stored_content(screening: Screening, like: dict[str, Any]) -> dict[str, Any]:
    """What `screening` holds, in the shape of `like` (see `_content`)."""
    return {"details": {name: getattr(screening, name) for name in like["details"]},
            "answers": dict(screening.answers or {}),
            "consent": {name: getattr(screening, name) for name in like["consent"]}}


def stored_before(submission_key: str, details: dict[str, Any], answers: dict[str, Any],
                  consent: dict[str, Any]) -> bool | None:
    """Whether exactly this was stored under `submission_key` (None: nothing was)."""
    existing = find_by_submission_key(submission_key)
    if existing is None:
        return None
    sent = _content(details, answers, consent)
    return _stored_content(existing, sent) == sent


def find_by_submission_key(submission_key: str) -> Screening | None:
    return db.session.scalar(select(Screening).where(Screening.submission_key == submission_key))


def find_by_token(token: str, valid_for: timedelta) -> Screening | None:
    """The screening behind a result link, unless the link is wrong or has expired."""
    if not looks_like_token(token):
        return None
    screening = db.session.scalar(select(Screening).where(
        Screening.result_token_hash == token_hash(token)))
    if screening is None or as_utc(screening.submitted_at) < datetime.now(UTC) - valid_for:
        return None
    return screening
