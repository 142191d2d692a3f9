"""Invitations before the appointment: a link by email that opens the questionnaire filled
in, reminders, and the Appointments view; with the outbox (screening/outbox.py, sender.py)
that delivers them and the clinic's alerts (screening/alerts.py).
"""

from __future__ import annotations

from flask import Flask, current_app

from .. import alerts, mail  # noqa: F401 - alerts registers its hook and its email
from ..sender import BackgroundSender
from . import emails  # noqa: F401 - registers the invitation and reminder emails
from .service import appointment_text, long_day


def init_app(app: Flask) -> None:
    """Before review.init_app: the review pages here join the review blueprint."""
    from . import answering, cli, routes, start  # noqa: F401 - attach the views

    mail.init_app(app)
    app.register_blueprint(start.bp)
    app.before_request(answering.forget_on_ordinary_start)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
    app.add_template_global(appointment_text)
    app.add_template_global(long_day)
    app.extensions["outbox_sender"] = BackgroundSender(app)
    if app.config["MAIL_SENDER_THREAD"]:
        app.before_request(_ensure_sender)


def _ensure_sender() -> None:
    current_app.extensions["outbox_sender"].ensure_running()
