"""Languages: which one a page is in, chosen per request, and the switch between them.

A client's pages follow, in order: the language switch (a `?lang=` link, or on a form the
`lang` button, which posts the answers so far: see `switching_language`), remembered in the
session, the language remembered in the session, the browser's Accept-Language, then the
clinic's language (SCREENING_LANGUAGE). A therapist's pages are always in the clinic's
language. Only the languages in SCREENING_LANGUAGES are ever chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from functools import lru_cache
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale, gettext
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

SESSION_KEY = "language"
#: The form field (a submit button's name) of the language switch on a page with a form.
SWITCH_FIELD = "lang"
#: The language tag a page carries for each language the app speaks, where it is more
#: precise than the catalogue's: the English is British (spelling, dates, phone numbers).
PAGE_TAGS = {"en": "en-GB"}


def init_app(app: Flask) -> None:
    languages = language_codes(app.config["LANGUAGES"])
    clinic = str(app.config["LANGUAGE"]).strip()
    if clinic not in languages:
        languages.insert(0, clinic)
    app.config["LANGUAGES"], app.config["LANGUAGE"] = tuple(languages), clinic
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          str(app.root_path + "/translations"))
    babel = Babel(app, locale_selector=page_language)
    domain = babel.domain_instance = CataloguePerRequest(
        domain=app.config.get("BABEL_DOMAIN", "messages"))
    app.jinja_env.globals.update(template_gettext(domain))
    app.add_template_global(page_tag)
    app.add_template_global(language_links)
    app.add_template_global(other_languages)


class CataloguePerRequest(Domain):
    """Flask-Babel's message domain (what every gettext and lazy_gettext uses, and the
    templates' `_()`), finding the catalogue of the language in force (the page's, or a
    `force_locale` block's) once per request and language. Flask-Babel's own finds it anew
    for every message, reading its context on `g` three times and building the locale's
    name (the queue's page has some 110 messages)."""

    def get_translations(self) -> NullTranslations:
        locale = get_locale()
        if locale is None:  # no app context: what Flask-Babel gives there
            return NullTranslations()
        last = g.get(_CATALOGUE)
        if last is None or last[0] is not locale:  # the locale is held, so `is` is sound
            last = (locale, super().get_translations())
            setattr(g, _CATALOGUE, last)
        return last[1]


def template_gettext(domain: Domain) -> dict[str, Callable[..., str]]:
    """The templates' `_()`, gettext, ngettext, pgettext and npgettext (what `{% trans %}`
    calls too): Jinja's "newstyle" gettext, as Flask-Babel installs it (the message, Markup
    where the template escapes, then `%` its values), but taking only the evaluation
    context and the domain's catalogue directly. Jinja's own take the whole template context,
    which Jinja copies for every call made inside a loop (50 copies for the queue's 25 rows).
    Their own parameters are positional-only, as Jinja's are, so that a template's values may
    be named `num`, `text` or `context` (`ngettext(..., count, num=count | number)`)."""
    def filled(eval_ctx: EvalContext, text: str, variables: dict) -> str:
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, text: str, /, **variables) -> str:
        return filled(eval_ctx, domain.get_translations().ugettext(text), variables)

    @pass_eval_context
    def ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /,
                 **variables) -> str:
        variables.setdefault("num", num)
        return filled(eval_ctx, domain.get_translations().ungettext(singular, plural, num),
                       variables)

    @pass_eval_context
    def pgettext(eval_ctx: EvalContext, context: str, text: str, /, **variables) -> str:
        variables.setdefault("context", context)
        return filled(eval_ctx, domain.get_translations().upgettext(context, text),
                       variables)

    @pass_eval_context
    def npgettext(eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int,
                  /, **variables) -> str:
        variables.setdefault("context", context)
        variables.setdefault("num", num)
        return filled(eval_ctx, domain.get_translations().unpgettext(
            context, singular, plural, num), variables)

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext, "pgettext": pgettext,
            "npgettext": npgettext}


#: Where CataloguePerRequest keeps the locale it last looked up, and its catalogue.
_CATALOGUE = "_screening_catalogue"


def language_codes(setting: object) -> list[str]:
    """The codes of a SCREENING_LANGUAGES setting: separated by commas or spaces."""
    return [code for code in str(setting or "").replace(" ", ",").split(",") if code]


def clinic_language() -> str:
    return current_app.config["LANGUAGE"]


def current_language() -> str:
    """The language in force: the page's, or a `force_locale` block's (a document's)."""
    return str(get_locale() or clinic_language())


def page_language() -> str:
    """The language of the page being served (Flask-Babel's locale selector)."""
    if not has_request_context() or request.blueprint == "review":
        return clinic_language()
    return client_language()


def client_language() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = switching_language() or request.args.get("lang")
    if asked in languages:
        session[SESSION_KEY] = asked
        return asked
    if session.get(SESSION_KEY) in languages:
        return session[SESSION_KEY]
    return request.accept_languages.best_match(languages) or clinic_language()


def switching_language() -> str | None:
    """The language asked for by the switch on a form (its `lang` button), when this post
    is that: the page is then shown again, answers as posted, in that language, neither
    checked nor stored."""
    if request.method != "POST":
        return None
    try:
        asked = request.form.get(SWITCH_FIELD)
    except HTTPException:  # a post too large to read: its error page is in the usual language
        return None
    return asked if asked in current_app.config["LANGUAGES"] else None


def page_tag(language: str | None = None) -> str:
    """The `lang` of a page (or a part of one) in `language`, the page's by default."""
    code = language or current_language()
    return PAGE_TAGS.get(code, code.replace("_", "-"))


@lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """A language named in itself, as a switch offers it: "English", "Español"."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def other_languages() -> list[tuple[str, str]]:
    """(code, name in itself) of each language the page can switch to."""
    current = current_language()
    return [(code, language_name(code)) for code in current_app.config["LANGUAGES"]
            if code != current]


def language_links() -> list[tuple[str, str, str]]:
    """(code, name in itself, this page's address in it) for a page without a form: its
    path and query as they are, with `lang` set (a page no route matched included)."""
    others = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return [(code, name, f"{request.path}?{urlencode([*others, ('lang', code)])}")
            for code, name in other_languages()]


def long_date(value: date | str | None) -> str:
    """A date written out the page's way: 27 March 2026, 27 de marzo de 2026."""
    if not value:
        return ""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    return written(when, "long", get_locale())


#: A day with its weekday, where the locale's own "full" date is not how the clinic writes it
#: (British English has no comma after the weekday).
DAY_PATTERNS = {"en": "EEEE d MMMM y"}


def long_day(day: date) -> str:
    """A day written out with its weekday: Friday 5 December 2026, viernes, 5 de diciembre
    de 2026."""
    locale = get_locale()
    return written(day, DAY_PATTERNS.get(str(locale or "en"), "full"), locale)


def appointment_text(day: date, at: time) -> str:
    """An appointment's day and time: Thursday 4 December 2026 at 14:30."""
    clock = at.strftime("%H:%M")
    return gettext("%(day)s at %(time)s", day=long_day(day), time=clock)


def number(value: int) -> str:
    """A count written the page's way: 10,000 in English, 10.000 in Spanish."""
    return format_decimal(value, locale=formatting_locale(str(get_locale() or "en")))


@lru_cache(maxsize=4096)
def written(day: date, pattern: str, locale: Locale | None) -> str:
    """`day` in a Babel date pattern ("long", "full" or its own) in the way of `locale`
    (the one in force), each date once per pattern and language: the queue writes fifty."""
    return format_date(day, pattern, locale=formatting_locale(str(locale or "en")))


@lru_cache(maxsize=64)
def formatting_locale(code: str) -> Locale:
    """The locale dates are written in for a language: British English for English."""
    return Locale.parse(PAGE_TAGS.get(code, code), sep="-")
