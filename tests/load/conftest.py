"""gunicorn for the load tests (their figures are printed at the end of the run by
tests/conftest.py; they pass or fail on their own)."""

import pytest

from bench.gunicorn_server import Gunicorn, app_environment


@pytest.fixture
def start_gunicorn(tmp_path):
    """start_gunicorn(database_url, workers) -> gunicorn serving the app on that database,
    stopped at the end of the test."""
    pytest.importorskip("gunicorn.app.wsgiapp", reason="gunicorn cannot run here")
    started: list[Gunicorn] = []

    def start(database_url: str, workers: int) -> Gunicorn:
        gunicorn = Gunicorn("screening:create_app()", app_environment(database_url),
                            tmp_path / f"gunicorn-{len(started)}.log", workers=workers,
                            options=("--timeout", "60", "--graceful-timeout", "5"))
        started.append(gunicorn)
        gunicorn.wait_until_serving()
        return gunicorn

    yield start
    for gunicorn in started:
        gunicorn.stop()

