"""Server time per request in one process (Flask's test client), where it goes (cProfile),
and what SQLite's commits and the queue's query cost on the benchmark's database."""

from __future__ import annotations

import sqlite3
import statistics
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from screening.rulebook import Rulebook

from . import components
from .http_client import hidden_value
from .load_runs import ACCEPT_ENCODING
from .submission import submission_pairs

ROOT = Path(__file__).resolve().parent.parent


def in_process(rulebook: Rulebook, database_url: str, secret: str, body_file: Path,
               result_path: str, queue: dict, requests: int = 40,
               row_bytes: int | None = None) -> dict:
    """Milliseconds of server work per request, through Flask's test client (no network,
    no gunicorn, no load generator): what each page costs the worker that serves it.

    The pages are requested in turn, round after round, so the machine's noise hits them
    alike. A second app on the same database with SQLite's synchronous=NORMAL posts the
    same submission, to show what waiting for the disk costs /submit.
    """
    from screening import create_app

    from .bare_app import app as bare_app

    config = {"SECRET_KEY": secret, "DATABASE_URL": database_url,
              "SESSION_COOKIE_SECURE": False}
    app = create_app(config)
    normal_app = create_app(config)
    _set_synchronous_normal(normal_app)
    keys = iter(range(10**9))

    def poster(flask_app):
        visitor = flask_app.test_client()
        token = hidden_value(visitor.get("/questionnaire").get_data(as_text=True),
                             "csrf_token")
        body = urlencode(submission_pairs(rulebook, date.today(), token))

        def post():
            key = f"inprocess{next(keys):023d}"
            response = visitor.post("/submit", data=body.replace("SUBMISSION_KEY", key),
                                    content_type="application/x-www-form-urlencoded")
            assert response.status_code == 303, response.status_code
        return post

    bare = bare_app.test_client()
    visitor = app.test_client()
    cases = {"bare": lambda: bare.get("/"),
             "questionnaire": lambda: app.test_client().get(
                 "/questionnaire", headers={"Accept-Encoding": ACCEPT_ENCODING}),
             "result": lambda: visitor.get(result_path),
             "submit": poster(app),
             "submit_synchronous_normal": poster(normal_app)}
    if "cookie" in queue:
        therapist = app.test_client()
        page = therapist.get("/review/sign-in").get_data(as_text=True)
        form = {"email": queue["email"], "password": queue["password"]}
        form_token = hidden_value(page, "csrf_token")
        if form_token is not None:
            form["csrf_token"] = form_token
        therapist.post("/review/sign-in", data=form)
        if therapist.get("/review/").status_code == 200:
            cases["queue"] = lambda: therapist.get("/review/")
    timings = _ms_per_request(cases, requests)
    profiled = {name: where_time_goes(call) for name, call in cases.items()
                if name not in ("bare", "submit_synchronous_normal")}
    timings["where"] = {name: shares for name, (shares, _top) in profiled.items()}
    timings["top_functions"] = {name: top for name, (_shares, top) in profiled.items()}
    timings["parts"] = {name: components.parts(cases[name], named)
                        for name, named in (("queue", components.QUEUE_PARTS),
                                            ("submit", components.SUBMIT_PARTS))
                        if name in cases}
    timings["full_collections"] = components.full_collections(cases["submit"])
    if row_bytes and database_url.startswith("sqlite:///"):
        timings["wal"] = components.wal_pages(Path(database_url.removeprefix("sqlite:///")),
                                              cases["submit"], row_bytes)
    if "queue" in cases:
        timings["queue_with_order_index"] = _queue_with_index(
            database_url, lambda: _ms_per_request({"queue": cases["queue"]},
                                                  requests)["queue"])
    return timings


#: Where a function's own time is counted, by the file it is in (first match wins).
_PLACES = (("templates", ("/jinja2/", "/markupsafe/", str(ROOT / "templates"))),
           ("forms", ("/wtforms/", "/flask_wtf/")),
           ("database", ("/sqlalchemy/", "/flask_sqlalchemy/", "sqlite3")),
           ("app code", (str(ROOT / "screening"),)),
           ("Flask and Werkzeug", ("/flask/", "/werkzeug/", "/flask_login/", "/flask_limiter/",
                                   "/itsdangerous/")))


def where_time_goes(call, requests: int = 15) -> tuple[dict[str, float], list[dict]]:
    """Share of a request's time spent in templates, forms, the database, the app's own
    code, Flask/Werkzeug, and the rest (standard library, builtins), by cProfile's own
    time per function; and the eight functions with the most time of their own. Profiling
    inflates call-heavy code, so these are proportions to read roughly."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        call()
    profiler.disable()
    shares = dict.fromkeys([place for place, _marks in _PLACES] + ["other"], 0.0)
    stats = pstats.Stats(profiler).stats
    total = sum(own for (_cc, _calls, own, _cum, _callers) in stats.values()) or 1.0
    for (file, _line, name), (_cc, _calls, own, _cum, _callers) in stats.items():
        where = f"{file} {name}"
        place = next((place for place, marks in _PLACES
                      if any(mark in where for mark in marks)), "other")
        shares[place] += own / total
    top = sorted(stats.items(), key=lambda item: -item[1][2])[:8]
    return shares, [{"function": _function_name(file, line, name), "own_share": own / total,
                     "calls_per_request": calls / requests}
                    for (file, line, name), (_cc, calls, own, _cum, _callers) in top]


def _function_name(file: str, line: int, name: str) -> str:
    """site-packages/sqlalchemy/engine/base.py:123(execute) as sqlalchemy/engine/base.py."""
    if file == "~":
        return name
    for mark in ("site-packages/", str(ROOT) + "/"):
        if mark in file:
            file = file.split(mark, 1)[1]
            break
    return f"{file}:{line}({name})"


def _set_synchronous_normal(app) -> None:
    """SQLite's synchronous=NORMAL on this app's connections (this process only)."""
    from sqlalchemy import event

    from screening.database import db

    def normal(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")

    with app.app_context():
        event.listen(db.engine, "connect", normal)


def _ms_per_request(calls: dict, requests: int) -> dict[str, float]:
    """Median milliseconds per request for each call, requested in turn."""
    for call in calls.values():
        for _ in range(5):
            call()
    spent: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(requests):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            spent[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) * 1000 for name, times in spent.items()}


def commit_cost(folder: Path, commits: int = 30) -> dict:
    """Milliseconds per one-row commit in SQLite (WAL) on the benchmark's disk."""
    costs = {}
    for mode in ("FULL", "NORMAL"):
        with sqlite3.connect(folder / f"commit-{mode}.sqlite3") as connection:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute(f"PRAGMA synchronous = {mode}")
            connection.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT)")
            connection.commit()
            spent = []
            for _ in range(commits):
                started = time.perf_counter()
                connection.execute("INSERT INTO rows (body) VALUES (?)", ("x" * 2000,))
                connection.commit()
                spent.append(time.perf_counter() - started)
        costs[f"synchronous_{mode.lower()}_ms"] = statistics.median(spent) * 1000
    return costs


def _queue_with_index(database_url: str, measure) -> dict:
    """What-if on the bench database only, when the queue's query sorts: add an index
    matching its ORDER BY.

    Times the queue's own statement (as SQLAlchemy sends it, with bound parameters) before
    and after, the same statement with its values written in, and the page again. When the
    query already reads in index order, only its time and plan are reported.
    """
    try:
        from sqlalchemy.dialects import sqlite

        from screening.review.queue import Filters, queue_query

        statement = queue_query(Filters()).limit(25)
        dialect = sqlite.dialect(paramstyle="qmark")
        compiled = statement.compile(dialect=dialect)
        sql = str(compiled)
        params = tuple(compiled.params[name] for name in compiled.positiontup)
        literal = str(statement.compile(dialect=dialect,
                                        compile_kwargs={"literal_binds": True}))
        order = literal.split("ORDER BY", 1)[1].split("LIMIT")[0].strip()
        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            before = _sql_ms(connection, sql, params)
            plan = _plan(connection, sql, params)
            if "TEMP B-TREE" not in plan:
                return {"query_ms": before, "plan": plan, "sorts": False}
            connection.execute("CREATE INDEX bench_queue_order ON screenings "
                               f"({order.replace('screenings.', '')})")
            after = _sql_ms(connection, sql, params)
            plan_after = _plan(connection, sql, params)
            written_in = _sql_ms(connection, literal, ())
        return {"query_ms": before, "plan": plan, "sorts": True, "page_ms": measure(),
                "query_ms_with_index": after, "plan_with_index": plan_after,
                "query_ms_with_index_literal": written_in}
    except Exception as error:  # an experiment: never fail the benchmark for it
        return {"skipped": f"{type(error).__name__}: {error}"}


def _plan(connection: sqlite3.Connection, sql: str, params: tuple) -> str:
    return "; ".join(row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}",
                                                           params))


def _sql_ms(connection: sqlite3.Connection, sql: str, params: tuple, runs: int = 9) -> float:
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        connection.execute(sql, params).fetchall()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent) * 1000
