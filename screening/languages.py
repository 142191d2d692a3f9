"""The language each document is written in, and dates written the way that language does.

A page is in the language Flask-Babel chose for it (screening/i18n.py). A document made
for one person is in theirs, whatever page asked for it: what a client gets (their printed
result, the letter for their doctor, the emails to them) in the client's language, what the
clinic gets (the therapist's record, the alert) in the clinic's. `in_language` switches for
the length of a `with` block; the dates (screening/i18n.py) follow whatever language is in force.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from babel import Locale
from flask import current_app, request, session
from flask_babel import force_locale, get_locale, refresh

from .i18n import (  # noqa: F401 - the dates are used from here too
    SESSION_KEY,
    appointment_text,
    clinic_language,
    current_language,
    long_date,
    long_day,
    number,
)


def offered(language: str | None) -> str:
    """`language` if the app offers it (SCREENING_LANGUAGES), else the clinic's."""
    return language if language in current_app.config["LANGUAGES"] else clinic_language()


@contextmanager
def in_language(language: str | None) -> Iterator[str]:
    """Everything inside is written in `language` (the clinic's if not offered)."""
    chosen = offered(language)
    with force_locale(chosen):
        yield chosen


def both_names(language: str) -> str:
    """'Spanish (español)': the language's name in the current language, then its own
    (just 'English' when they are the same)."""
    locale = Locale.parse(language)
    here = locale.get_display_name(get_locale() or Locale("en"))
    own = locale.get_display_name(locale)
    return here if here.casefold() == own.casefold() else f"{here} ({own})"


def open_link_in(language: str | None) -> None:
    """A link made for one client (their invitation) opens their pages in the language it
    was made in, remembered for the session like the switch's choice, unless they have
    chosen one (the switch, `?lang=`) or their browser prefers another language the app
    offers (a Spanish phone opening an invitation left in the clinic's English)."""
    languages = current_app.config["LANGUAGES"]
    if language not in languages or request.args.get("lang") in languages \
            or session.get(SESSION_KEY) in languages:
        return
    preferred = request.accept_languages.best_match(languages)
    if preferred and preferred != language:
        return
    session[SESSION_KEY] = language
    refresh()  # a language already worked out for this request is worked out again


def answered_in(language: str) -> str | None:
    """The name of the language a client answered in, for the clinic's page, when it is not
    the clinic's own (None when it is)."""
    return None if language == clinic_language() else both_names(language)
