"""The clinic the app serves, as a request sees it: the rule book it screens with (in the
page's language), and today.

Both come from configuration (SCREENING_RULEBOOK, SCREENING_TIMEZONE; see settings.py) but
are worked out while the app runs, so they live here rather than with the settings.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import get_locale

from .rulebook import Rulebook, load_rulebook
from .rulebook.translate import findings_in, translated

if TYPE_CHECKING:
    from .models import Screening


def load_clinic_rulebook(app: Flask) -> Rulebook:
    """Load (and validate) the app's rule book now: at start-up, so a broken one stops it."""
    app.extensions["rulebook"] = load_rulebook(app.config["RULEBOOK"])
    return app.extensions["rulebook"]


def loaded_rulebook() -> Rulebook:
    """The app's rule book in English, as its files say it, loaded on first use (at start-up
    when serving)."""
    rulebook = current_app.extensions.get("rulebook")
    return rulebook if rulebook is not None else load_clinic_rulebook(current_app)


def rulebook_in(language: str) -> Rulebook:
    """The app's rule book in `language`: its words from rules/translations/<language>.yaml
    (English, marked, where a translation is missing or stale), its ids and tests the same,
    so it screens exactly as the English does. Made once per language."""
    return translated(loaded_rulebook(), language)


def current_rulebook() -> Rulebook:
    """The rule book in the language of the page being served (Flask-Babel's locale: a
    client's choice, a therapist's page the clinic's language; outside a request, the
    clinic's language). What views and templates use."""
    locale = get_locale()
    return rulebook_in(str(locale) if locale else current_app.config["LANGUAGE"])


def screening_rulebook(screening: Screening) -> Rulebook:
    """The rule book in the language this screening's client answered in: for the client's
    own documents (their result, printout, doctor's letter, emails), whoever asks for them."""
    return rulebook_in(screening.language or current_app.config["LANGUAGE"])


def clinic_zone() -> tzinfo | None:
    """The clinic's time zone (SCREENING_TIMEZONE), or None for the server's own."""
    zone = current_app.config.get("TIMEZONE")
    return ZoneInfo(zone) if zone else None


def clinic_today() -> date:
    """Today's date where the clinic is: what "today", "in the past" and a screening's
    date mean, even when the server runs in another time zone."""
    return datetime.now(clinic_zone()).date()


def screening_findings(screening: Screening, rulebook: Rulebook | None = None) -> list[dict]:
    """The screening's stored findings with their client messages and condition names in
    `rulebook`'s language (default: the screening's own), when it was screened by the rule
    book the app has now; screened by an older one, as the client was told them then."""
    rulebook = rulebook or screening_rulebook(screening)
    return findings_in(rulebook, screening.findings, screening.rulebook_version)
