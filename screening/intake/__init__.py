"""The public intake: the questionnaire, check your answers, consent, and the client's result."""

from flask import Blueprint, Flask

from ..security import csrf

bp = Blueprint("intake", __name__)


def init_app(app: Flask) -> None:
    from . import emails, routes, saving  # noqa: F401 - attach the views and the email

    # The intake forms check their CSRF token themselves (FlaskForm.validate), so an
    # expired token re-shows the form with every answer kept instead of an error page.
    csrf.exempt(bp)
    app.register_blueprint(bp)
