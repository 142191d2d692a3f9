"""The public intake: the questionnaire, check your answers, consent, and the client's result."""

from flask import Blueprint, Flask

from ..security import csrf

bp = Blueprint("intake", __name__)


def init_app(app: Flask) -> None:
    from . import routes  # noqa: F401 - attaches the views to the blueprint

    # The intake forms check their CSRF token themselves (FlaskForm.validate), so an
    # expired token re-shows the form with every answer kept instead of an error page.
    csrf.exempt(bp)
    app.register_blueprint(bp)
