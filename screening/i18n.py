"""Languages: which one a page is in, chosen per request.

A client's pages follow, in order: a `?lang=` link from the language switch (remembered in
the session), the language remembered in the session, the browser's Accept-Language, then
the clinic's language (SCREENING_LANGUAGE). A therapist's pages are always in the clinic's
language. Only the languages in SCREENING_LANGUAGES are ever chosen.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel

SESSION_KEY = "language"


def init_app(app: Flask) -> None:
    languages = [code.strip() for code in str(app.config["LANGUAGES"]).replace(" ", ",")
                 .split(",") if code.strip()]
    clinic = str(app.config["LANGUAGE"]).strip()
    if clinic not in languages:
        languages.insert(0, clinic)
    app.config["LANGUAGES"], app.config["LANGUAGE"] = tuple(languages), clinic
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          str(app.root_path + "/translations"))
    Babel(app, locale_selector=page_language)


def clinic_language() -> str:
    return current_app.config["LANGUAGE"]


def page_language() -> str:
    """The language of the page being served (Flask-Babel's locale selector)."""
    if not has_request_context() or request.blueprint == "review":
        return clinic_language()
    return client_language()


def client_language() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session[SESSION_KEY] = asked
        return asked
    if session.get(SESSION_KEY) in languages:
        return session[SESSION_KEY]
    return request.accept_languages.best_match(languages) or clinic_language()
