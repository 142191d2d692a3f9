"""Nothing lost under load: the app under gunicorn, 1,000 submissions from 16 clients.

gunicorn runs `screening:create_app()` with 4 sync workers on 127.0.0.1, on a freshly
migrated database of the suite's kind: SQLite (WAL, busy timeout) in the normal run, and
PostgreSQL when SCREENING_TEST_DATABASE_URL is set (`make test-postgres`, and CI). Clients
fill in the form with CSRF on, 100 of the submissions are sent twice (one after the other,
or both at once), then every stored screening is counted and every result link opened.
"""

from collections import Counter

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.load.harness import Clients, fetch_all, summarise

SUBMISSIONS = 1_000
CLIENTS = 16
WORKERS = 4


@pytest.fixture
def server(fresh_database_url, start_gunicorn):
    return start_gunicorn(fresh_database_url, WORKERS)


def stored_keys(database_url: str) -> list[str]:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text("SELECT submission_key FROM screenings")))
    finally:
        engine.dispose()


def test_a_thousand_submissions_from_sixteen_clients_are_all_stored_once(
        server, fresh_database_url, rulebook, request):
    run = Clients(server.port, rulebook, SUBMISSIONS, CLIENTS).go()
    links = {key: locations[0] for key, locations in run.locations.items() if locations}
    pages = fetch_all(server.port, sorted(links.values()), CLIENTS)

    keys = stored_keys(fresh_database_url)
    duplicated = {key: n for key, n in Counter(keys).items() if n > 1}
    unreadable = [path for path, page in pages.items()
                  if isinstance(page, Exception) or page.status != 200]
    server_errors = run.server_errors() + sum(
        1 for page in pages.values() if not isinstance(page, Exception) and page.status >= 500)
    database = make_url(fresh_database_url).get_backend_name()
    summarise(request,
        f"{database}: {len(keys)} of {SUBMISSIONS} stored, {len(duplicated)} duplicated, "
        f"{run.double_submissions} sent twice, {server_errors} responses >= 500, "
        f"{len(pages) - len(unreadable)} result links read; {run.requests()} requests from "
        f"{CLIENTS} clients to {WORKERS} gunicorn workers in {run.seconds:.1f} s "
        f"({run.requests() / run.seconds:.0f}/s)")

    assert run.problems == [], "\n".join(run.problems[:20]) + "\n" + server.log_text()
    assert server_errors == 0
    assert len(run.locations) == SUBMISSIONS
    assert run.double_submissions == SUBMISSIONS // 10
    assert len(keys) == SUBMISSIONS
    assert duplicated == {}
    assert set(keys) == set(run.locations)
    # Both responses to a double submission lead to the one stored screening's result.
    assert [key for key, locations in run.locations.items()
            if len(set(locations)) != 1 or not locations[0].startswith("/result/")] == []
    assert unreadable == []
    for key, path in links.items():
        assert run.names[key] in pages[path].body
    assert sum(len(locations) for locations in run.locations.values()) == \
        SUBMISSIONS + run.double_submissions
