"""HTTP: the app and a bare Flask app under gunicorn (2 workers), load from wrk on 127.0.0.1.

Everything runs on a throwaway SQLite database in a temporary folder, migrated with
`flask --app screening db upgrade` and seeded with 10,000 screenings. The bare Flask app
(bench/bare_app.py) runs under the same gunicorn settings and is measured first and last;
each page's requests per second are reported as a share of its mean.

The parts: gunicorn_server.py (the servers), load_runs.py (wrk), page_weight.py,
server_time.py (one process, cProfile, SQLite), submission.py (what is posted).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, text

from screening.rulebook import Rulebook

from . import seed, worker_queue
from .bare_app import queue_sql
from .gunicorn_server import ROOT, Gunicorn, app_environment
from .http_client import cookie_header, fetch, hidden_value
from .load_runs import CONNECTIONS, THREADS, load, wrk_path
from .page_weight import page_weight
from .server_time import commit_cost, in_process
from .submission import SUBMIT_CONDITIONS, submission_pairs

BIN = Path(sys.executable).parent
#: The same for the app and the bare Flask app: two sync workers, as a small clinic runs it.
WORKERS = 2
GUNICORN_OPTIONS = ("--log-level", "warning")
APP = "screening:create_app()"
STORED_SCREENINGS = 10_000
THERAPIST = ("bench.therapist@example.com", "Bench Therapist")


def run(rulebook: Rulebook, seconds: float, warmup: float, log=print) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="massage-screening-bench-"))
    bench = _Run(rulebook, seconds, warmup, workdir, log)
    try:
        return bench.go()
    finally:
        bench.stop()
        shutil.rmtree(workdir, ignore_errors=True)


class _Run:
    """One run: a migrated and seeded database, the app and the bare app under gunicorn,
    and what was measured against them."""

    def __init__(self, rulebook: Rulebook, seconds: float, warmup: float, workdir: Path, log,
                 database_url: str | None = None, workers: int = WORKERS):
        self.rulebook, self.seconds, self.warmup, self.workdir, self.log = (
            rulebook, seconds, warmup, workdir, log)
        self.workers = workers
        self.secret = secrets.token_hex(32)
        self.db_path = workdir / "screening.sqlite3"
        self.database_url = database_url or f"sqlite:///{self.db_path}"
        self.env = app_environment(self.database_url, self.secret)
        self.notes = ["Plain http on 127.0.0.1, so session cookies are not Secure."]
        self.servers: list[Gunicorn] = []
        self.pages: dict[str, dict] = {}
        self.bare_runs: list[dict] = []

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def go(self) -> dict:
        total, result_token, seeded_in = self._seed()
        started = time.perf_counter()
        self.app = self._serve("app", APP, self.env, "/questionnaire")
        app_ready = time.perf_counter() - started
        memory_at_start = self.app.memory()
        self.bare = self._serve("bare", "bench.bare_app:app", {
            **self.env, "BENCH_BARE_DB": str(self.workdir / "bare.sqlite3"),
            "BENCH_APP_DB": str(self.db_path), "BENCH_QUEUE_SQL": queue_sql("sqlite")}, "/")
        weight = page_weight(self.app, self.rulebook)
        csrf_token, session_cookie, body_file = self._visitor()
        result_path = f"/result/{result_token}"
        if fetch(self.app.url(result_path)).status != 200:
            raise RuntimeError("the result page of a seeded screening did not return 200")
        queue = _queue(self.app, self.env)
        memory_after_sign_in = self.app.memory()
        row_bytes = _check_submission(self.app, body_file, session_cookie, self.database_url)
        self._page_runs(weight, result_path, queue, body_file, session_cookie, row_bytes)
        _ratios(self.pages, self.bare_runs)
        self._latency_runs(body_file, session_cookie, queue, result_path)
        return {
            **self._settings(body_file, csrf_token),
            "database": f"SQLite (WAL) in a temporary folder, migrated, {total} screenings "
                        f"seeded in {seeded_in:.1f} s",
            "app_ready_s": app_ready,
            "bare_runs": self.bare_runs,
            "bare_rps_spread": (max(run["rps"] for run in self.bare_runs)
                                / min(run["rps"] for run in self.bare_runs) - 1),
            "pages": self.pages,
            "memory": {"app": self.app_memory(), "bare": self.bare.memory(),
                       "app_at_start": memory_at_start,
                       "app_after_sign_in": memory_after_sign_in},
            "page_weight": weight,
            "server_time": in_process(self.rulebook, self.database_url, self.secret,
                                      body_file, result_path, queue, row_bytes=row_bytes),
            "sqlite_commit": commit_cost(self.workdir),
            "sqlite_synchronous": _synchronous(self.database_url),
            "stored_row_bytes": row_bytes,
            "notes": self.notes,
        }

    def _seed(self) -> tuple[int, str, float]:
        subprocess.run([str(BIN / "flask"), "--app", "screening", "db", "upgrade"], cwd=ROOT,
                       env=self.env, check=True, capture_output=True)
        started = time.perf_counter()
        total, result_token = seed.seed(self.database_url, self.secret, self.rulebook,
                                        STORED_SCREENINGS)
        seeded_in = time.perf_counter() - started
        self.log(f"  seeded {total} screenings in {seeded_in:.1f} s")
        return total, result_token, seeded_in

    def _serve(self, name: str, app_spec: str, env: dict[str, str], path: str,
               access_log: bool = False) -> Gunicorn:
        server = Gunicorn(app_spec, env, self.workdir / f"gunicorn-{name}.log", self.workers,
                          GUNICORN_OPTIONS, access_log=self.workdir / f"access-{name}.log"
                          if access_log else None)
        self.servers.append(server)
        server.wait_until_serving(path)
        return server

    def _visitor(self) -> tuple[str | None, str, Path]:
        """One visitor's session and CSRF token, reused by every POST (Flask-WTF tokens are
        tied to the session and valid for hours, not single-use), so CSRF stays on; and
        the file of the submission they post."""
        first = fetch(self.app.url("/questionnaire"))
        if first.status != 200:
            raise RuntimeError(f"GET /questionnaire returned {first.status}")
        csrf_token = hidden_value(first.text, "csrf_token")
        if csrf_token is None:
            self.notes.append("The questionnaire has no csrf_token field (CSRF is off).")
        body_file = self.workdir / "submit.body"
        body_file.write_text(urlencode(submission_pairs(self.rulebook, date.today(),
                                                        csrf_token)))
        return csrf_token, cookie_header(first.cookies()), body_file

    def _settings(self, body_file: Path, csrf_token: str | None) -> dict:
        return {
            "load_generator": (f"wrk ({wrk_path()})" if wrk_path()
                               else "Python (bench/loadgen.py): wrk not installed"),
            "threads": THREADS, "connections": CONNECTIONS, "seconds": self.seconds,
            "warmup_seconds": self.warmup,
            "gunicorn": f"--workers {self.workers} --worker-class sync "
                        f"{' '.join(GUNICORN_OPTIONS)}",
            "csrf": "on: one visitor's session and token reused" if csrf_token else "off",
            "submission": f"{len(SUBMIT_CONDITIONS)} conditions answered Yes or Not sure "
                          f"({', '.join(SUBMIT_CONDITIONS)}) with their follow-ups, every "
                          f"other question No; {body_file.stat().st_size} bytes; a new "
                          f"submission_key per request",
        }

    def measure(self, label: str, server: Gunicorn, path: str, shown: str | None = None,
                **options) -> dict:
        load(server.url(path), self.warmup, **options)  # both workers warm, templates compiled
        figures = load(server.url(path), self.seconds, **options)
        figures.update({"label": label, "path": shown or path,
                        "app_worker_peak_rss_mib": self.app.memory()["peak_rss_mib_max"]})
        self.log(_figures_line(label, figures))
        return figures

    def bare_run(self) -> None:
        self.bare_runs.append(self.measure("bare Flask", self.bare, "/"))

    def _page_runs(self, weight: dict, result_path: str, queue: dict, body_file: Path,
                   session_cookie: str, row_bytes: int) -> None:
        """Bare Flask between groups, each page's own floor just before and after it."""
        pages, measure = self.pages, self.measure
        sent = weight["html_sent_bytes"]
        self.bare_run()
        pages["questionnaire"] = self.against_floor(
            f"floor: {sent // 1000} KB page, new session + CSRF", f"/session-page/{sent}",
            lambda: measure("GET /questionnaire", self.app, "/questionnaire"))
        pages["questionnaire_sized_bare"] = measure(
            f"bare Flask, {sent // 1000} KB page", self.bare, f"/padded/{sent}")
        self.bare_run()
        pages["result"] = measure("GET /result/<token>", self.app, result_path,
                                  shown="/result/<token>")
        self.bare_run()
        if "cookie" in queue:
            pages["queue"] = self.against_floor(
                "floor: session + queue's query", "/queue",
                lambda: measure("GET /review/ (signed in)", self.app, "/review/",
                                cookie=queue["cookie"]), cookie=queue["cookie"])
            pages["queue"]["stored_screenings"] = stored_count(self.database_url)
            self.bare_run()
        else:
            pages["queue"] = {"label": "GET /review/ (signed in)", "path": "/review/",
                              "skipped": queue["skipped"]}
            self.log(f"  {'GET /review/ (signed in)':<30} skipped: {queue['skipped']}")
        pages["submit"] = self.against_floor(
            f"floor: INSERT {row_bytes} B, commit", f"/insert?bytes={row_bytes}",
            lambda: self._submit_run(body_file, session_cookie), body_file=body_file)
        pages["submit_bare_insert"] = pages["submit"]["floor"]
        self.bare_run()

    def against_floor(self, label: str, floor_path: str, page_run, **options) -> dict:
        """The floor, the page, the floor again: the page's share of the floors' mean."""
        before = self.measure(label, self.bare, floor_path, **options)
        figures = page_run()
        after = self.measure(label, self.bare, floor_path, **options)
        floor_rps = (before["rps"] + after["rps"]) / 2
        figures["floor"] = {**before, "rps": floor_rps, "runs": [before, after],
                            "p50_ms": (before["p50_ms"] + after["p50_ms"]) / 2,
                            "p99_ms": (before["p99_ms"] + after["p99_ms"]) / 2,
                            "errors": before["errors"] + after["errors"]}
        figures["ratio_to_floor"] = figures["rps"] / floor_rps if floor_rps else 0.0
        self.log(f"  {'':<30} {figures['ratio_to_floor']:.1%} of its floor "
                 f"({floor_rps:.0f} req/s)")
        return figures

    def _latency_runs(self, body_file: Path, session_cookie: str, queue: dict,
                      result_path: str) -> None:
        """Each page at 80% of its peak rate from 32 clients at a constant rate."""
        plan = [("questionnaire", "/questionnaire", {}), ("result", result_path, {}),
                ("submit", "/submit", {"body_file": body_file, "cookie": session_cookie})]
        if "cookie" in queue:
            plan.insert(2, ("queue", "/review/", {"cookie": queue["cookie"]}))
        self._latency_runs_for(plan)

    def _latency_runs_for(self, plan: list) -> None:
        """On a second app server, on the same database, whose workers log how long each
        request took them (an access log the peak runs do not pay for), with its processes
        (and the database's) behind the load generator in the queue for the cores, as if
        the clients were on other machines."""
        self.timed = self._serve("app-timed", APP, self.env, "/questionnaire", access_log=True)
        lower_priority(self.server_pids())
        for key, path, options in plan:
            page = self.pages[key]
            page["at_80_percent"] = {
                **at_rate(self.timed, path, page["rps"], self.seconds, **options),
                "server_niceness": SERVER_NICENESS}
            page["app_worker_peak_rss_mib"] = self.timed.memory()["peak_rss_mib_max"]
            self.log(_latency_line(page["label"], page["at_80_percent"]))

    def server_pids(self) -> list[int]:
        """The latency runs' gunicorn (master and workers)."""
        return [self.timed.process.pid, *self.timed.worker_pids()]

    def app_memory(self) -> dict:
        """The app's workers' memory: those of the peak runs and of the latency runs."""
        memory = self.app.memory()
        if hasattr(self, "timed"):
            timed = self.timed.memory()
            memory = {**memory, "workers": memory["workers"] + timed["workers"],
                      "peak_rss_mib_max": max(memory["peak_rss_mib_max"],
                                              timed["peak_rss_mib_max"])}
        return memory

    def _submit_run(self, body_file: Path, session_cookie: str) -> dict:
        """POST /submit, with the rows it stored counted."""
        url = self.app.url("/submit")
        load(url, self.warmup, body_file=body_file, cookie=session_cookie)
        before = stored_count(self.database_url)
        figures = load(url, self.seconds, body_file=body_file, cookie=session_cookie)
        stored = stored_count(self.database_url) - before
        figures.update({"label": "POST /submit", "path": "/submit", "stored": stored,
                        "app_worker_peak_rss_mib": self.app.memory()["peak_rss_mib_max"]})
        self.log(_figures_line("POST /submit", figures) + f"  stored {stored}")
        return figures


#: How close to a page's peak rate its latency is measured, and by how many clients.
LATENCY_SHARE, LATENCY_CLIENTS = 0.8, 32
#: Below this share of the rate asked, a constant-rate run fell behind: the server (or the
#: machine) could not keep up at that rate.
KEPT_UP = 0.97


#: Constant-rate runs per page: the one with the median p99 is the page's figure.
LATENCY_RUNS = 3


def at_rate(server: Gunicorn, path: str, peak_rps: float, seconds: float,
            body_file: Path | None = None, cookie: str | None = None) -> dict:
    """p50/p99 with 32 clients sending at a constant 80% of the page's peak rate.

    The load generator (wrk) runs on the same two cores as gunicorn and needs some CPU for
    every request, and the page's own peak run (16 connections) was minutes earlier on a
    machine whose speed drifts. So the peak is measured again just before, with the same
    generator and the same 32 clients, and the rate is 80% of the lower of the two: a
    worker at a constant rate spends more CPU per request than at its peak (1.69 ms
    against 1.25 for the questionnaire: it waits for each request instead of finding the
    next one queued), so 80% of a peak measured high asked for more than the two cores
    had, and the run fell behind. At the same rate one run's p99 can be close to the
    workers' own and the next several times it, while the workers' own times stay the
    same (README "What the p99s were"), so there are three runs and the one with the
    median p99 is the figure, the others kept beside it. Each run says how much CPU the
    generator and the workers used per request, and how busy the machine was, so a run
    that fell behind shows who took the cores."""
    just_before = _clients_run(server, path, seconds, body_file, cookie, rate=None)
    rate = max(1.0, LATENCY_SHARE * min(just_before["rps"], peak_rps))
    runs = sorted((timed_run(server, path, rate, seconds, body_file=body_file, cookie=cookie)
                   for _ in range(LATENCY_RUNS)), key=lambda run: run["p99_ms"])
    figures = dict(runs[len(runs) // 2])
    figures.update(peak_rps_16_clients=peak_rps, peak_just_before=just_before,
                   runs_p99_ms=[run["p99_ms"] for run in runs],
                   runs_workers_p99_ms=[run["workers"]["p99_ms"] for run in runs],
                   runs_kept_up=[run["kept_up"] for run in runs])
    return figures


def timed_run(server: Gunicorn, path: str, rate: float, seconds: float,
              body_file: Path | None = None, cookie: str | None = None) -> dict:
    """One run at a constant `rate` from 32 clients, with the workers' own times."""
    logged = server.access_log_size()
    figures = _clients_run(server, path, seconds, body_file, cookie, rate=rate)
    figures.update(kept_up=figures["achieved_rps"] >= KEPT_UP * figures["rate"],
                   workers=worker_queue.summary(server.worker_ms(logged), rate,
                                                server.workers))
    return figures


def _clients_run(server: Gunicorn, path: str, seconds: float, body_file: Path | None,
                 cookie: str | None, rate: float | None) -> dict:
    """One run from the 32 clients, as fast as they can (`rate` None) or at `rate`, with
    the CPU each side used."""
    return _with_cpu(server, lambda: load(server.url(path), seconds, body_file=body_file,
                                          cookie=cookie, connections=LATENCY_CLIENTS,
                                          rate=rate))


#: How far behind the load generator the latency runs put the server's processes (nice 10
#: against the generator's 0: the kernel then runs wrk first when it has something to do,
#: which is seldom: 2% to 7% of the workers' CPU).
SERVER_NICENESS = 10


def lower_priority(pids: list[int]) -> None:
    """Put these processes behind everything else at nice 0 (an unprivileged process may
    raise its own processes' niceness, not lower it again: the latency runs' server is
    only ever used this way)."""
    for pid in pids:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, SERVER_NICENESS)
        except (ProcessLookupError, PermissionError):
            pass


def _with_cpu(server: Gunicorn, run) -> dict:
    """`run()`'s figures, with the CPU milliseconds per request used by the load generator
    (this process's children: wrk, or the Python generator's process) and by the server's
    workers, and the share of the machine's CPU in use meanwhile (everything on it)."""
    import resource

    def generator() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    before = (generator(), server.cpu_seconds(), _machine_cpu())
    figures = run()
    after = (generator(), server.cpu_seconds(), _machine_cpu())
    per_request = 1000 / max(figures["requests"], 1)
    busy, total = (end - start for start, end in zip(before[2], after[2], strict=True))
    figures.update(generator_cpu_ms=(after[0] - before[0]) * per_request,
                   server_cpu_ms=(after[1] - before[1]) * per_request,
                   machine_busy=busy / total if total else 0.0)
    return figures


def _machine_cpu() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    ticks = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)  # idle and iowait are not busy


def _latency_line(label: str, figures: dict) -> str:
    return (f"  {label:<30} at {figures['rate']:6.0f} req/s from {figures['clients']} "
            f"clients: p50 {figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  "
            f"sent late p99 {figures['late_p99_ms']:.0f} ms  "
            f"errors {figures['errors'] + figures['status_errors']}  "
            f"done {figures['achieved_rps']:.0f}/s; CPU ms per request: workers "
            f"{figures['server_cpu_ms']:.2f}, generator {figures['generator_cpu_ms']:.2f}; "
            f"in the worker: p50 {figures['workers']['p50_ms']:.1f} ms  p99 "
            f"{figures['workers']['p99_ms']:.1f} ms")


def _synchronous(database_url: str) -> int:
    """The app's SQLite synchronous setting as its connections have it (2 = FULL)."""
    from screening import create_app
    from screening.database import db

    app = create_app({"SECRET_KEY": "x" * 32, "DATABASE_URL": database_url})
    with app.app_context():
        value = db.session.execute(text("PRAGMA synchronous")).scalar()
        db.session.remove()
        db.engine.dispose()
    return value


def _figures_line(label: str, figures: dict) -> str:
    return (f"  {label:<30} {figures['rps']:8.0f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
            f"p99 {figures['p99_ms']:7.1f} ms  errors {figures['errors']}")


def stored_count(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM screenings")).scalar()
    finally:
        engine.dispose()


def _ratios(pages: dict[str, dict], bare_runs: list[dict]) -> None:
    """Each page's requests/s over the mean of the bare Flask runs just before and after it.

    The runs go: bare, questionnaire (+ the same-sized bare page), bare, result, bare,
    queue, bare (when the queue can be measured), submit (+ the bare insert), bare.
    """
    groups = [["questionnaire", "questionnaire_sized_bare"], ["result"], ["queue"],
              ["submit", "submit_bare_insert"]]
    groups = [group for group in groups if "rps" in pages[group[0]]]
    for index, group in enumerate(groups):
        reference = (bare_runs[index]["rps"] + bare_runs[index + 1]["rps"]) / 2
        for key in group:
            pages[key]["bare_rps"] = reference
            pages[key]["ratio_to_bare"] = pages[key]["rps"] / reference


def _check_submission(app: Gunicorn, body_file: Path, session_cookie: str,
                      database_url: str) -> int:
    """Post one submission by hand: it must store and redirect to its result page. How many
    bytes the stored row holds (its columns' values as text, read from the table)."""
    body = body_file.read_bytes().replace(b"SUBMISSION_KEY", secrets.token_urlsafe(24).encode())
    posted = fetch(app.url("/submit"), "POST", body,
                   {"Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": session_cookie})
    location = posted.headers.get("Location") or ""
    if posted.status != 303 or "/result/" not in location:
        errors = re.findall(r'<a href="#[^"]+">([^<]+)</a>', posted.text)
        raise RuntimeError(f"POST /submit returned {posted.status}, not a 303 to a result "
                           f"page: {errors[:5]}")
    result_path = urlsplit(location).path
    if fetch(app.url(result_path)).status != 200:
        raise RuntimeError(f"GET {result_path} did not return 200")
    return newest_row_bytes(database_url)


def newest_row_bytes(database_url: str) -> int:
    """The newest screening's size: each column's value as text, summed."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(text(
                "SELECT * FROM screenings ORDER BY id DESC LIMIT 1")).one()
    finally:
        engine.dispose()
    return sum(len(str(value).encode()) for value in row if value is not None)


def _queue(app: Gunicorn, env: dict[str, str]) -> dict:
    """Sign a therapist in for the queue page, or say why the page cannot be measured."""
    sign_in = fetch(app.url("/review/sign-in"))
    if sign_in.status == 404:
        return {"skipped": "not available yet (GET /review/sign-in returned 404)"}
    if sign_in.status != 200:
        return {"skipped": f"GET /review/sign-in returned {sign_in.status}"}
    email, name = THERAPIST
    password = secrets.token_urlsafe(18)
    added = subprocess.run([str(BIN / "flask"), "--app", "screening", "therapist", "add", email,
                            "--name", name, "--password-stdin"],
                           input=f"{password}\n", cwd=ROOT, env=env, capture_output=True,
                           text=True)
    if added.returncode != 0:
        return {"skipped": f"`flask therapist add` failed: {added.stderr.strip()[-300:]}"}
    cookies = sign_in.cookies()
    form = {"email": email, "password": password}
    token = hidden_value(sign_in.text, "csrf_token")
    if token is not None:
        form["csrf_token"] = token
    posted = fetch(app.url("/review/sign-in"), "POST", urlencode(form).encode(),
                   {"Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie_header(cookies)})
    cookies.update(posted.cookies())
    if posted.status not in (302, 303):
        return {"skipped": f"signing in returned {posted.status}, not a redirect"}
    cookie = cookie_header(cookies)
    queue = fetch(app.url("/review/"), headers={"Cookie": cookie})
    if queue.status != 200:
        return {"skipped": f"GET /review/ after signing in returned {queue.status}"}
    return {"cookie": cookie, "email": email, "password": password}


# --- the same submission on PostgreSQL --------------------------------------------------------

#: gunicorn workers for the PostgreSQL run: a clinic's server with PostgreSQL takes more.
POSTGRES_WORKERS = 4


def run_postgres(rulebook: Rulebook, seconds: float, warmup: float, log=print) -> dict:
    """POST /submit against the same bare insert, on a throwaway PostgreSQL cluster, with
    4 gunicorn workers for both."""
    from .postgres import Cluster

    workdir = Path(tempfile.mkdtemp(prefix="massage-screening-bench-pg-"))
    try:
        with Cluster() as cluster:
            bench = _PostgresRun(rulebook, seconds, warmup, workdir, log,
                                 database_url=cluster.url, workers=POSTGRES_WORKERS)
            bench.cluster = cluster
            try:
                return bench.go()
            finally:
                bench.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class _PostgresRun(_Run):
    def server_pids(self) -> list[int]:
        """The app's gunicorn and PostgreSQL: the database works for every request too."""
        return [*super().server_pids(), *self.cluster.pids()]

    def go(self) -> dict:
        total, _token, seeded_in = self._seed()
        self.app = self._serve("app", APP, self.env, "/questionnaire")
        self.bare = self._serve("bare", "bench.bare_app:app", {
            **self.env, "BENCH_BARE_PG_URL": self.cluster.libpq_url}, "/")
        csrf_token, session_cookie, body_file = self._visitor()
        row_bytes = _check_submission(self.app, body_file, session_cookie, self.database_url)
        self.bare_run()
        self.pages["submit"] = self.against_floor(
            f"floor: INSERT {row_bytes} B, commit", f"/insert-pg?bytes={row_bytes}",
            lambda: self._submit_run(body_file, session_cookie), body_file=body_file)
        self.bare_run()
        reference = (self.bare_runs[0]["rps"] + self.bare_runs[1]["rps"]) / 2
        self.pages["submit"].update(bare_rps=reference,
                                    ratio_to_bare=self.pages["submit"]["rps"] / reference)
        self._latency_runs_for([("submit", "/submit", {"body_file": body_file,
                                                      "cookie": session_cookie})])
        return {**self._settings(body_file, csrf_token),
                "database": f"{self.cluster.version()}, throwaway cluster (fsync and "
                            f"synchronous_commit on), migrated, {total} screenings seeded in "
                            f"{seeded_in:.1f} s",
                "bare_runs": self.bare_runs, "pages": self.pages,
                "stored_row_bytes": row_bytes,
                "memory": {"app": self.app_memory(), "bare": self.bare.memory()}}
