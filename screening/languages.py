"""The language each document is written in, and dates written the way that language does.

A page is in the language Flask-Babel chose for it (screening/i18n.py). A document made
for one person is in theirs, whatever page asked for it: what a client gets (their printed
result, the letter for their doctor, the emails to them) in the client's language, what the
clinic gets (the therapist's record, the alert) in the clinic's. `in_language` switches for
the length of a `with` block; the dates below follow whatever language is in force.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time

from babel import Locale
from babel.dates import format_date
from flask import current_app, has_app_context, request, session
from flask_babel import force_locale, get_locale, gettext, refresh

from .clinic import current_rulebook
from .i18n import SESSION_KEY, clinic_language
from .rulebook import Rulebook

#: The clinic's own English dates ("27 March 2026", "Friday 5 December 2026"), as they were
#: before languages; any other language writes its dates as Babel's locale data says.
ENGLISH = {"long": "d MMMM y", "full": "EEEE d MMMM y"}


def offered(language: str | None) -> str:
    """`language` if the app offers it (SCREENING_LANGUAGES), else the clinic's."""
    return language if language in current_app.config["LANGUAGES"] else clinic_language()


@contextmanager
def in_language(language: str | None) -> Iterator[str]:
    """Everything inside is written in `language` (the clinic's if not offered)."""
    chosen = offered(language)
    with force_locale(chosen):
        yield chosen


def current_language() -> str:
    return str(get_locale() or clinic_language())


def _locale() -> Locale:
    """The language in force; English outside the app (a test working out a date)."""
    return (get_locale() if has_app_context() else None) or Locale("en")


def rulebook_for(language: str) -> Rulebook:
    """The rule book's words in `language`, for a document written in it.

    The one place a document asks for its rule book: until the rule book is translated
    (rules/translations/), every language gets the clinic's rule book."""
    return current_rulebook()


def _written(day: date, kind: str) -> str:
    locale = _locale()
    return format_date(day, ENGLISH[kind] if locale.language == "en" else kind, locale=locale)


def long_date(value: date | str | None) -> str:
    """27 March 2026; 27 de marzo de 2026 (empty for no date)."""
    if not value:
        return ""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    return _written(when, "long")


def long_day(day: date) -> str:
    """Friday 5 December 2026; viernes, 5 de diciembre de 2026."""
    return _written(day, "full")


def appointment_text(day: date, at: time) -> str:
    """Thursday 4 December 2026 at 14:30; jueves, 4 de diciembre de 2026 a las 14:30."""
    return gettext("%(day)s at %(time)s", day=long_day(day), time=f"{at:%H:%M}")


def language_name(language: str) -> str:
    """'Spanish (español)': the language's name in the current language, then its own
    (just 'English' when they are the same)."""
    locale = Locale.parse(language)
    here, own = locale.get_display_name(_locale()), locale.get_display_name(locale)
    return here if here.casefold() == own.casefold() else f"{here} ({own})"


def open_link_in(language: str | None) -> None:
    """A link made for one client (their invitation) opens their pages in the language it
    was made in, remembered for the session like the switch's choice, unless they have
    chosen one (the switch, `?lang=`) or their browser asks for a different language the
    app offers and not this one."""
    languages = current_app.config["LANGUAGES"]
    if language not in languages or request.args.get("lang") in languages \
            or session.get(SESSION_KEY) in languages:
        return
    accepted = {value.split("-")[0].lower() for value, _quality in request.accept_languages}
    if language not in accepted and request.accept_languages.best_match(languages):
        return
    session[SESSION_KEY] = language
    refresh()  # a language already worked out for this request is worked out again


def answered_in(language: str) -> str | None:
    """The name of the language a client answered in, for the clinic's page, when it is not
    the clinic's own (None when it is)."""
    return None if language == clinic_language() else language_name(language)
