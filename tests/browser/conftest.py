"""Fixtures for the real-browser tests: one Chromium and one live server for the session, a
fresh copy of the database per test module, a fresh browser profile per test, and a
screenshot plus the HTML of each open page under test-artifacts/browser/ when a test fails.

Without Chromium the browser tests are skipped on a developer's machine, but fail in CI.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.client import Client
from tests.browser.harness import (
    ARTIFACTS,
    INSTALL_HINT,
    PHONE,
    REPORTS,
    LiveApp,
    LiveServer,
    chromium_available,
    copy_database,
    date_field_order,
    in_ci,
    launch,
    new_context,
    save_if_failed,
)

HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real browser (tests/browser)")


def pytest_collection_modifyitems(config, items):
    skip = None if chromium_available() or in_ci() else pytest.mark.skip(reason=INSTALL_HINT)
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts_folder(request):
    """Last run's artifacts go when this run's browser tests start; under pytest-xdist the
    main process clears the folder before any worker starts (see tests/conftest.py), not
    each worker, which would delete what another had saved."""
    if not hasattr(request.config, "workerinput"):
        shutil.rmtree(ARTIFACTS, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        if in_ci():
            pytest.fail(f"CI=true and no browser: a failure, not a skip.\n{INSTALL_HINT}",
                        pytrace=False)
        pytest.skip(INSTALL_HINT)
    playwright = sync_playwright().start()
    try:
        browser = launch(playwright)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def date_order(browser):
    return date_field_order(browser)


@pytest.fixture(scope="session")
def live_server():
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live(live_server, migrated_db, rulebook, tmp_path_factory):
    """The app (CSRF on) on this module's own copy of the migrated database."""
    live_app = LiveApp(copy_database(migrated_db, tmp_path_factory.mktemp("browser")),
                       rulebook)
    live_server.serve(live_app.app)
    yield live_app
    live_server.serve(None)
    live_app.close()


@pytest.fixture
def open_page(request, browser, live, live_server):
    """open_page(viewport=..., java_script_enabled=False, ...) -> a Client on a new profile."""
    contexts = []

    def open_page(viewport=PHONE, **options) -> Client:
        context = new_context(browser, viewport=viewport, **options)
        contexts.append(context)
        return Client(context.new_page(), live, live_server.url)

    yield open_page
    save_if_failed(request, contexts)
    for context in contexts:
        context.close()


@pytest.fixture
def visitor(open_page) -> Client:
    """A client's browser: phone-sized, JavaScript on."""
    return open_page()
