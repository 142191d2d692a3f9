"""Storing a submitted screening exactly once, and the unguessable link to its result."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from base64 import urlsafe_b64encode
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..database import db
from ..engine import Result, evaluate
from ..models import Screening, as_utc
from ..rulebook import Rulebook

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
    digest = hmac.new(secret_key.encode(), b"result:" + submission_key.encode(), hashlib.sha256)
    return urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
                    today: date) -> str:
    """Screen and store the answers (once per submission key); return the result token."""
    token = result_token(secret_key, submission_key)
    on = details["appointment_date"] or today
    screening = Screening(
        submission_key=submission_key, result_token_hash=token_hash(token), **details,
        answers=answers, **stored_result(rulebook, evaluate(rulebook, answers, on)),
        submitted_at=datetime.now(UTC), **consent)
    db.session.add(screening)
    try:
        db.session.commit()
    except IntegrityError:
        # Submitted before (double click, refresh, retry): keep the first one.
        db.session.rollback()
        if find_by_submission_key(submission_key) is None:
            raise
    return token


def find_by_submission_key(submission_key: str) -> Screening | None:
    return db.session.scalar(select(Screening).where(Screening.submission_key == submission_key))


def find_by_token(token: str, valid_for: timedelta) -> Screening | None:
    """The screening behind a result link, unless the link is wrong or has expired."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{43}", token):
        return None
    screening = db.session.scalar(select(Screening).where(
        Screening.result_token_hash == token_hash(token)))
    if screening is None or as_utc(screening.submitted_at) < datetime.now(UTC) - valid_for:
        return None
    return screening
