"""The clinic the app serves, as a request sees it: the rule book it screens with, and today.

Both come from configuration (SCREENING_RULEBOOK, SCREENING_TIMEZONE; see settings.py) but
are worked out while the app runs, so they live here rather than with the settings.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from .rulebook import Rulebook, load_rulebook


def load_clinic_rulebook(app: Flask) -> Rulebook:
    """Load (and validate) the app's rule book now: at start-up, so a broken one stops it."""
    app.extensions["rulebook"] = load_rulebook(app.config["RULEBOOK"])
    return app.extensions["rulebook"]


def current_rulebook() -> Rulebook:
    """The app's rule book, loaded on first use (at start-up when serving)."""
    rulebook = current_app.extensions.get("rulebook")
    return rulebook if rulebook is not None else load_clinic_rulebook(current_app)


def clinic_zone() -> tzinfo | None:
    """The clinic's time zone (SCREENING_TIMEZONE), or None for the server's own."""
    zone = current_app.config.get("TIMEZONE")
    return ZoneInfo(zone) if zone else None


def clinic_today() -> date:
    """Today's date where the clinic is: what "today", "in the past" and a screening's
    date mean, even when the server runs in another time zone."""
    return datetime.now(clinic_zone()).date()
