"""`make bench-large`: a year of a chain of 50 clinics (1,000,000 screenings) on PostgreSQL.

Seeds a throwaway cluster with COPY (bench/large_seed.py), then measures, through Flask's
test client signed in as a therapist: p95 of the queue's first page, each of its filters,
the name search and the Appointments view; the CSV export's peak memory (a process of its
own) for 10,000 and 100,000 rows; and `flask purge` of the oldest month in its batches,
with the queue's query run over and over meanwhile, its slowest answer reported. Prints the
figures and writes bench/results-large.json. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from screening.rulebook import OUTCOMES, load_rulebook

from . import large_seed
from .gunicorn_server import ROOT, app_environment
from .http_client import hidden_value
from .postgres import Cluster
from .server_time import where_time_goes

RESULTS = Path(__file__).resolve().parent / "results-large.json"
TARGET_MS = 50
PURGE_DAYS = 365


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenings", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40, help="per page (default 40)")
    args = parser.parse_args(argv)
    results = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
               "command": "make bench-large", "load_average_at_start": os.getloadavg(),
               "caveat": "Run on a shared machine (2 cores, other work running): absolute "
                         "figures are noisy."}
    with Cluster() as cluster:
        say(f"{cluster.version()} on 127.0.0.1:{cluster.port}")
        secret = secrets.token_hex(32)
        env = app_environment(cluster.url, secret)
        subprocess.run([sys.executable, "-m", "flask", "--app", "screening", "db", "upgrade"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        results["seed"] = seed(cluster, args.screenings)
        app, client = signed_in(cluster.url, secret)
        results["pages"] = pages(client, args.requests)
        results["export"] = export_memory(env, [1, 10_000, 100_000])
        results["purge"] = purge_while_querying(cluster, env, app)
        with app.app_context():
            from screening.database import db

            db.session.remove()
            db.engine.dispose()
    results["load_average_at_end"] = os.getloadavg()
    report(results)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    say(f"\nWrote {RESULTS.relative_to(ROOT)}.")
    return 0


def say(text: str) -> None:
    print(text, flush=True)


def seed(cluster: Cluster, count: int) -> dict:
    started = time.perf_counter()
    rulebook = load_rulebook(ROOT / "rules")
    chunks = large_seed.generate(rulebook, count, date.today())
    counts = large_seed.copy_in(cluster.libpq_url, chunks)
    seconds = time.perf_counter() - started
    import psycopg

    with psycopg.connect(cluster.libpq_url) as connection:
        size = connection.execute(
            "SELECT pg_size_pretty(pg_database_size('postgres'))").fetchone()[0]
    say(f"Seeded {counts} in {seconds:.0f} s (COPY, then VACUUM ANALYZE); database {size}")
    return {"rows": counts, "seconds": seconds, "database_size": size}


def signed_in(database_url: str, secret: str):
    from screening import create_app

    app = create_app({"SECRET_KEY": secret, "DATABASE_URL": database_url,
                      "SESSION_COOKIE_SECURE": False, "MAIL_SENDER_THREAD": False})
    password = secrets.token_urlsafe(18)
    added = app.test_cli_runner().invoke(args=[
        "therapist", "add", "large.bench@example.com", "--name", "Bench", "--password-stdin"],
        input=f"{password}\n")
    assert added.exit_code == 0, added.output
    client = app.test_client()
    page = client.get("/review/sign-in").get_data(as_text=True)
    form = {"email": "large.bench@example.com", "password": password,
            "csrf_token": hidden_value(page, "csrf_token") or ""}
    assert client.post("/review/sign-in", data=form).status_code in (302, 303)
    return app, client


def page_plan(today: date) -> list[tuple[str, str]]:
    """The queue's first page, each filter (read from the queue's own Filters), the name
    search, the Appointments view."""
    from screening.review.queue import STATES

    plan = [("queue, first page", "/review/")]
    plan += [(f"outcome={outcome}", f"/review/?outcome={outcome}") for outcome in OUTCOMES]
    plan += [(f"state={state}", f"/review/?state={state}") for state in STATES]
    week = f"from={today.isoformat()}&to={(today + timedelta(days=7)).isoformat()}"
    plan += [("appointments this week", f"/review/?{week}"),
             ("name: one person, typed without accents", "/review/?q=zoe+nguyen+obrien"),
             ("name: a common surname", "/review/?q=muller"),
             ("name: first name and surname", "/review/?q=jose+garcia"),
             ("name: no one", "/review/?q=qwertyuiop"),
             ("name + unreviewed", "/review/?q=smith&state=unreviewed"),
             ("Appointments view", "/review/appointments")]
    return plan


def pages(client, requests: int) -> list[dict]:
    found = []
    say(f"\nPages on {requests} requests each (Flask test client, one process), p95 target "
        f"< {TARGET_MS} ms")
    for label, path in page_plan(date.today()):
        first = client.get(path)
        if first.status_code != 200:
            found.append({"label": label, "path": path, "skipped": first.status_code})
            say(f"  {label:<42} skipped: {first.status_code}")
            continue
        spent = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            spent.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        spent.sort()
        row = {"label": label, "path": path, "p50_ms": statistics.median(spent),
               "p95_ms": spent[min(len(spent) - 1, int(0.95 * len(spent)))],
               "max_ms": spent[-1]}
        row["met"] = row["p95_ms"] < TARGET_MS
        if path.startswith("/review/?") or path == "/review/":
            row.update(query_times(client.application, path))
        if not row["met"]:  # where the time goes
            shares, top = where_time_goes(lambda path=path: client.get(path), requests=5)
            row.update(profile_shares=shares, top_functions=top)
        found.append(row)
        say(f"  {label:<42} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
            f"{'met' if row['met'] else 'MISSED'}"
            + (f"  (page query {row['page_query_ms']:.1f} ms, count "
               f"{row['count_query_ms']:.1f} ms)" if "page_query_ms" in row else ""))
    return found


def query_times(app, path: str) -> dict:
    """The queue's two statements for this page alone: the page of 25 and the pager's count
    up to 10,000 (median of 5, ms), and the page's plan."""
    from urllib.parse import parse_qs, urlsplit

    from werkzeug.datastructures import MultiDict

    from screening.database import count_up_to, db
    from screening.review.queue import QUEUE_COLUMNS, Filters, queue_query
    from screening.review.routes import count_limit

    args = MultiDict([(key, value) for key, values in
                      parse_qs(urlsplit(path).query).items() for value in values])
    filters = Filters.from_args(args)
    query = queue_query(filters)
    with app.app_context():
        timed = {}
        for name, statement in (
                ("page_query_ms", query.with_only_columns(*QUEUE_COLUMNS).limit(25)),
                ("count_query_ms", count_up_to(query, count_limit(filters)))):
            spent = []
            for _ in range(5):
                started = time.perf_counter()
                db.session.execute(statement).all()
                spent.append((time.perf_counter() - started) * 1000)
            timed[name] = statistics.median(spent)
        compiled = query.with_only_columns(*QUEUE_COLUMNS).limit(25).compile(
            db.engine, compile_kwargs={"literal_binds": True})
        plan = db.session.execute(text_(f"EXPLAIN {compiled}")).scalars().all()
        db.session.remove()
    return {**timed, "page_plan": [line.strip() for line in plan]}


def text_(sql: str):
    from sqlalchemy import text

    return text(sql.replace(":", "\\:"))


EXPORT_SCRIPT = """
import resource, sys
from screening import create_app
from screening.clinic import current_rulebook
from screening.database import db
from screening.export import csv_chunks
from screening.models import Screening
from sqlalchemy import select
app = create_app({"SECRET_KEY": "x" * 64, "MAIL_SENDER_THREAD": False})
rows = int(sys.argv[1])
with app.app_context():
    query = select(Screening).where(Screening.id <= rows).order_by(Screening.id)
    size = 0
    with open("/dev/null", "w") as sink:
        for chunk in csv_chunks(current_rulebook(), query):
            size += len(chunk)
            sink.write(chunk)
print(size, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def export_memory(env: dict[str, str], sizes: list[int]) -> list[dict]:
    """Peak RSS of a process exporting the first N screenings as CSV (screening/export.py,
    as the download and `flask export` stream it)."""
    found = []
    for rows in sizes:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", EXPORT_SCRIPT, str(rows)], cwd=ROOT,
                              env=env, check=True, capture_output=True, text=True)
        size, peak_kib = map(int, done.stdout.split())
        found.append({"rows": rows, "csv_bytes": size, "peak_rss_mib": peak_kib / 1024,
                      "seconds": time.perf_counter() - started})
        say(f"  CSV export of {rows:,} screenings: {size / 1e6:.0f} MB in "
            f"{found[-1]['seconds']:.1f} s, peak RSS {peak_kib / 1024:.0f} MiB")
    return found


def purge_while_querying(cluster: Cluster, env: dict[str, str], app) -> dict:
    """`flask purge --older-than 365 --yes` in its own process, while this one runs the
    queue's first-page query and its count (up to 10,000) over and over; the slowest."""
    import psycopg
    from sqlalchemy.dialects import postgresql

    from screening.database import count_up_to
    from screening.review.queue import QUEUE_COLUMNS, Filters, queue_query
    from screening.review.routes import COUNT_UP_TO

    statement = queue_query(Filters()).with_only_columns(*QUEUE_COLUMNS).limit(25)
    compiled = statement.compile(dialect=postgresql.dialect(paramstyle="format"))
    page_sql = str(compiled)
    params = [compiled.params[name] for name in compiled.positiontup]
    counted = count_up_to(queue_query(Filters()), COUNT_UP_TO).compile(
        dialect=postgresql.dialect(paramstyle="format"))
    count_sql, count_params = str(counted), [counted.params[name]
                                             for name in counted.positiontup]
    timings: list[float] = []
    stop = threading.Event()

    def query_loop() -> None:
        with psycopg.connect(cluster.libpq_url, autocommit=True) as connection:
            while not stop.is_set():
                started = time.perf_counter()
                connection.execute(page_sql, params).fetchall()
                connection.execute(count_sql, count_params).fetchone()
                timings.append((time.perf_counter() - started) * 1000)
                time.sleep(0.01)

    with psycopg.connect(cluster.libpq_url) as connection:
        old = connection.execute(
            "SELECT count(*) FROM screenings WHERE submitted_at < %s",
            (datetime.now(UTC) - timedelta(days=PURGE_DAYS),)).fetchone()[0]
    thread = threading.Thread(target=query_loop)
    thread.start()
    time.sleep(1)
    before = len(timings)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "screening", "purge",
                                "--older-than", str(PURGE_DAYS), "--yes"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stop.set()
    thread.join()
    during = sorted(timings[before:])
    result = {"screenings_purged": old, "exit_status": status, "seconds": seconds,
              "purge_peak_rss_mib": usage.ru_maxrss / 1024,
              "queue_queries_during": len(during),
              "queue_query_p50_ms": statistics.median(during) if during else None,
              "queue_query_max_ms": during[-1] if during else None,
              "queue_query_max_ms_before": max(timings[:before], default=None)}
    say(f"  purge of {old:,} screenings older than {PURGE_DAYS} days: {seconds:.0f} s, peak "
        f"RSS {result['purge_peak_rss_mib']:.0f} MiB; the queue's query (page + count) "
        f"{len(during)} times meanwhile: p50 {result['queue_query_p50_ms']:.1f} ms, slowest "
        f"{result['queue_query_max_ms']:.1f} ms")
    return result


def report(results: dict) -> None:
    say("\n" + "=" * 80)
    say(f"A year of a chain of 50 clinics on PostgreSQL, {results['started']}")
    say(f"  load average at start {results['load_average_at_start']}, at end "
        f"{results['load_average_at_end']} (2 shared cores: noisy)")
    say(f"  seeded {results['seed']['rows']} in {results['seed']['seconds']:.0f} s, "
        f"{results['seed']['database_size']}")
    say(f"  {'page':<42} {'p50 ms':>8} {'p95 ms':>8}  target < {TARGET_MS} ms")
    for row in results["pages"]:
        if "skipped" in row:
            continue
        say(f"  {row['label']:<42} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f}  "
            f"{'met' if row['met'] else 'MISSED'}")
        if "top_functions" in row:
            shares = ", ".join(f"{place} {share:.0%}" for place, share in sorted(
                row["profile_shares"].items(), key=lambda item: -item[1]) if share >= 0.05)
            top = ", ".join(f"{item['function']} {item['own_share']:.0%}"
                            for item in row["top_functions"][:4])
            say(f"    where the time goes (cProfile): {shares}; most own time: {top}")
    for item in results["export"]:
        say(f"  CSV export, {item['rows']:,} rows: peak RSS {item['peak_rss_mib']:.0f} MiB")
    purge = results["purge"]
    say(f"  purge of {purge['screenings_purged']:,}: {purge['seconds']:.0f} s; slowest queue "
        f"query meanwhile {purge['queue_query_max_ms']:.1f} ms (target < 1000 ms)")


if __name__ == "__main__":
    sys.exit(main())
