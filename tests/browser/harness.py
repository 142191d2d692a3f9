"""The browser suite's machinery: Debian's Chromium, a live server, axe-core, failure artifacts.

Used by `tests/browser/conftest.py` and by `tests/browser/screenshots.py`. Playwright's own
browser download does not work on our machines, so we drive the Chromium that Debian
packages (`apt-get install -y chromium`).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from screening.database import db
from screening.models import Screening
from tests.factories import consent, form_data, make_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"

#: Debian's browser binary (`/usr/bin/chromium` is a wrapper script that adds noise).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
INSTALL_HINT = (f"browser tests need Chromium at {CHROMIUM}: install it (as root) with "
                "`apt-get install -y chromium` (or set CHROMIUM_PATH)")

PHONE = {"width": 375, "height": 667}
NARROW = {"width": 320, "height": 640}

#: WCAG 2.0, 2.1 and 2.2, levels A and AA (axe-core has no `wcag22a` tag: 2.2 added no A
#: rule it checks), plus two best-practice rules about landmarks.
AXE_OPTIONS = {
    "runOnly": {"type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "rules": {"region": {"enabled": True}, "landmark-one-main": {"enabled": True}},
    "resultTypes": ["violations"],
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def launch(playwright):
    """Headless Debian Chromium."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                      headless=True)


def new_context(browser, viewport=PHONE, **options):
    """A fresh browser profile (cookies, storage) with our defaults."""
    context = browser.new_context(viewport=viewport, locale="en-GB",
                                  timezone_id="Europe/London", **options)
    context.set_default_timeout(10_000)
    return context


def date_field_order(browser) -> str:
    """The order Chromium shows a date field's parts in ("dmy" or "mdy").

    It follows the browser's own interface language, not the context's locale, so the
    keyboard tests ask the browser before typing a date digit by digit.
    """
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content('<input type="date" id="d" aria-label="d">')
        page.focus("#d")
        page.keyboard.type("01022000")
        value = page.eval_on_selector("#d", "e => e.value")
    finally:
        context.close()
    orders = {"2000-02-01": "dmy", "2000-01-02": "mdy"}
    if value not in orders:
        raise RuntimeError(f"unexpected date field behaviour: typed 01022000, got {value!r}")
    return orders[value]


def date_keys(iso: str, order: str) -> str:
    """The digits to type into an empty date field to enter the ISO date `iso`."""
    year, month, day = iso.split("-")
    return {"dmy": day + month + year, "mdy": month + day + year}[order]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request would drown the output
        pass

    def connection_dropped(self, error, environ=None):
        # A page closed while a file was being sent (the favicon, say): werkzeug's own clean-up
        # can then skip closing the response, and its open file fails the test as a
        # ResourceWarning much later. The response is kept in the environ to be closed here.
        response = (environ or {}).pop("harness.response", None)
        if response is not None and hasattr(response, "close"):
            response.close()


class LiveServer:
    """A real HTTP server on 127.0.0.1, in a thread, serving whichever app is current.

    One server lives for the whole session; each test module puts its own app (on its
    own copy of the database) in front of it with `serve(app)`.
    """

    def __init__(self):
        self.app: Flask | None = None
        self._server = make_server("127.0.0.1", 0, self._dispatch, threaded=True,
                                   request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="live-server")
        self._thread.start()

    def _dispatch(self, environ, start_response):
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no app is being served"]
        response = environ["harness.response"] = self.app(environ, start_response)
        return response

    def serve(self, app: Flask | None) -> None:
        self.app = app

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@dataclass
class LiveApp:
    """The app under test (CSRF on) on its own SQLite file, and ways to look into it."""

    db_path: Path
    rulebook: Any
    app: Flask = field(init=False)

    def __post_init__(self):
        self.app = make_app(self.db_path, WTF_CSRF_ENABLED=True)

    @cached_property
    def _seeder(self) -> Flask:
        """The same app with CSRF off, on the same database, to store screenings quickly."""
        return make_app(self.db_path)

    def seed(self, answers: dict | None = None, opened_first: str | None = None,
             **details) -> str:
        """Store a screening as if a client had sent it (after opening the page
        `opened_first`, such as an invitation's link); return its result page's path."""
        data = form_data(self.rulebook, answers, submission_key=secrets.token_urlsafe(24),
                         **details)
        client = self._seeder.test_client()
        if opened_first:
            assert client.get(opened_first).status_code == 200, opened_first
        # Signed with their own name, as a client would (a signature that differs from the
        # name is shown to the therapist as such: not what a seeded client should show).
        response = client.post("/submit", data=consent(data, signature=data["client_name"]))
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        return response.headers["Location"]

    def screening(self, submission_key: str) -> Screening:
        """The stored screening sent with this submission key (a hidden field of the form)."""
        with self.app.app_context():
            screening = db.session.scalar(
                select(Screening).where(Screening.submission_key == submission_key))
            assert screening is not None, f"no screening stored for key {submission_key}"
            db.session.expunge(screening)
            return screening

    def close(self) -> None:
        for app in (self.app, self.__dict__.get("_seeder")):
            if app is not None:
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()


def copy_database(template: Path, directory: Path) -> Path:
    path = directory / "screening.sqlite3"
    shutil.copy(template, path)
    return path


# axe-core -----------------------------------------------------------------------------------

def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (WCAG A/AA rules, see AXE_OPTIONS),
    once it has loaded: after a click that navigates, the new page's elements are there
    before its stylesheet is, and axe would measure the page unstyled (links 17px high)."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


def axe_report(violations: list[dict], where: str) -> str:
    """Each violation: rule id, impact, help text and link, then each element and why."""
    lines = [f"axe-core found {len(violations)} violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
                     f" [{violation['helpUrl']}]")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    element: {target}")
            lines.append(f"      html: {node['html'][:300]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n            ")
            lines.append(f"      why:  {summary}")
    return "\n".join(lines)


# Failure artifacts --------------------------------------------------------------------------

#: Each test's reports (setup, call, teardown), stored by conftest's makereport hook.
REPORTS = pytest.StashKey[dict]()


def save_if_failed(request, contexts) -> None:
    """After a failed test, save each browser context's pages (call before closing them)."""
    reports = request.node.stash.get(REPORTS, {})
    if not any(report.failed for report in reports.values()):
        return
    name = request.node.nodeid.split("::", 1)[-1]
    for number, context in enumerate(contexts):
        for path in save_artifacts(context, name + (f"-{number}" if number else "")):
            print(f"saved {path}")


@contextmanager
def saved_if_it_fails(context, name: str):
    """Save the context's pages (see save_artifacts) if the block fails, then fail as before.

    For setup outside a test, such as a module-scoped fixture's: save_if_failed only sees
    the reports of the test it runs for.
    """
    try:
        yield
    except (Exception, pytest.fail.Exception):
        for path in save_artifacts(context, name):
            print(f"saved {path}")
        raise


def save_artifacts(context, name: str) -> list[Path]:
    """A full-page screenshot and the HTML of each page open in `context`."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:150]
    saved = []
    for index, page in enumerate(context.pages):
        base = ARTIFACTS / (stem if index == 0 else f"{stem}-{index}")
        try:
            page.screenshot(path=str(base.with_suffix(".png")), full_page=True, timeout=5_000)
            saved.append(base.with_suffix(".png"))
        except Exception as error:  # a crashed page must not hide the test's own failure
            print(f"could not save a screenshot of {page.url}: {error}")
        try:
            base.with_suffix(".html").write_text(
                f"<!-- {page.url} -->\n{page.content()}", encoding="utf-8")
            saved.append(base.with_suffix(".html"))
        except Exception as error:
            print(f"could not save the HTML of {page.url}: {error}")
    return saved
