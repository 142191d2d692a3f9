"""massage-screening: pre-massage intake and contraindication screening."""

from __future__ import annotations

import gc
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    cli,
    database,
    errors,
    i18n,
    intake,
    invitations,
    models,  # noqa: F401 - registers the tables with database.db's metadata
    presenters,
    retention,
    review,
    security,
)
from .intake.drafts import delete_expired_at_start
from .settings import configure, serving_pages

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then SCREENING_* environment variables, then test overrides."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder=str(ROOT / "templates"))
    configure(app, test_config, default_rulebook=ROOT / "rules")
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    if app.config["TRUSTED_PROXIES"]:
        # Behind N proxies, the client's address and https come from their X-Forwarded-*
        # headers (for the audit trail, the per-address sign-in limit, HSTS); never trust
        # those headers without a proxy that sets them.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.url_map.converters["int"] = database.RowId  # before any route is added
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.ico"))
    database.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    intake.init_app(app)
    invitations.init_app(app)  # before review: its pages join the review blueprint
    review.init_app(app)
    errors.init_app(app)
    presenters.init_app(app)
    cli.init_app(app)
    retention.init_app(app)
    if serving_pages():
        delete_expired_at_start(app)
        if not app.testing:
            keep_out_of_full_collections()
    return app


def keep_out_of_full_collections() -> None:
    """What start-up built (the modules, the rule book and its compiled plan, the templates)
    lives as long as the process: moved out of the garbage collector's reach, so that its
    full collections, every hundred requests or so, no longer walk it. Before, each took
    about 130 ms and made a submission's p99 at 80% of its peak rate (README "Performance")."""
    gc.collect()
    gc.freeze()
