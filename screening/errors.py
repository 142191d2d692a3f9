"""Plain, friendly error pages instead of stack traces."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

MESSAGES = {
    400: (lazy_gettext("Something went wrong with that request"),
          lazy_gettext("Go back, check the page and try again.")),
    404: (lazy_gettext("Page not found"),
          lazy_gettext("Check the link you were given. Result links are long: make sure you "
                       "copied all of it.")),
    405: (lazy_gettext("Page not found"), lazy_gettext("Go back and try again from the start.")),
    413: (lazy_gettext("That was too much information to send"),
          lazy_gettext("Your answers are too long for us to accept. Shorten the longest answers "
                       "and try again.")),
    500: (lazy_gettext("Sorry, there is a problem on our side"),
          lazy_gettext("Nothing you sent was stored. Please try again in a few minutes.")),
}


class FileNotAccepted(BadRequest):
    """A form was posted with a file in it: no form here takes files (security.py)."""


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(FileNotAccepted, _file_error)
    app.register_error_handler(SQLAlchemyError, _database_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _http_error)


def _csrf_error(error: CSRFError):
    return render_template("error.html", title=_("This page has expired"),
                           message=_("For your security, forms expire after a while. Go back, "
                                     "reload the page and try again.")), 400


def _file_error(error: FileNotAccepted):
    return render_template("error.html", title=_("Files cannot be sent with this form"),
                           message=_("Nothing was sent. Go back and type your answers in the "
                                     "boxes instead, without attaching anything.")), 400


def _database_error(error: SQLAlchemyError):
    from .database import db

    db.session.rollback()
    current_app.logger.exception("Database error")
    return render_template("error.html", title=_("Sorry, we can't reach our records just now"),
                           message=_("Nothing was changed. Please try again in a few "
                                     "minutes.")), 503


def _http_error(error: HTTPException):
    code = error.code or 500
    title, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    return render_template("error.html", title=title, message=message), code
