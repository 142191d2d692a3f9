"""Where a page's server time goes, part by part, and what a submission writes to the disk.

cProfile's shares (server_time.where_time_goes) inflate code that makes many calls and
spread a page over hundreds of functions. Here each named part of a request (the
therapist's session, the count, the page's rows, the likely duplicates, rendering; the
submission's form, answers, insert and commit) is timed as a whole, in CPU time
(time.process_time: what the worker itself spends, not time waiting for a core another
process holds), by wrapping the function that does it for the length of the measurement.
The rest is Flask, Werkzeug, cookies and the test client. A part whose function is not
found (renamed) is left out and the rest grows by it: the total stays right.

The write-ahead log SQLite appends per commit is counted in pages: a figure that does not
depend on the machine's load, against the floor's insert of a row of the same size.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

#: (label, module, attribute) of each part of the queue page and of a submission.
QUEUE_PARTS = (
    ("therapist's session (Flask-Login + review_sessions)", "screening.review.sessions",
     "resume"),
    ("count (up to 10,000)", "screening.database", "CountedUpTo._query_count"),
    ("page's rows", "screening.database", "CountedUpTo._query_items"),
    ("likely duplicates", "screening.review.routes", "same_day_copies"),
    ("rendering", "screening.review.routes", "render_template"),
)
SUBMIT_PARTS = (
    ("form body parsed + details form", "screening.intake.routes", "SubmitDetailsForm"),
    ("answers read and checked", "screening.intake.routes", "posted_answers"),
    ("saved drafts looked up", "screening.intake.routes", "take_saved"),
    ("screen (engine) + rows added", "screening.intake.routes", "store_screening"),
    ("commit (flush: 2 INSERTs; fsync)", "sqlalchemy.orm.session", "Session.commit"),
)
#: A part timed inside another: taken out of the outer one's time.
INSIDE = {"commit (flush: 2 INSERTs; fsync)": "screen (engine) + rows added"}


def parts(call: Callable[[], object], named: tuple, requests: int = 60) -> dict:
    """Milliseconds per request of `call`, in total and for each named part: CPU time
    (`cpu`) and time on the clock (`wall`, which counts waiting for the disk as well)."""
    for _ in range(5):
        call()
    spent: dict[str, list[float]] = {}
    with contextlib.ExitStack() as stack:
        for label, module, attribute in named:
            stack.enter_context(_timed(label, module, attribute, spent))
        started = (time.process_time(), time.perf_counter())
        for _ in range(requests):
            call()
        total = (time.process_time() - started[0], time.perf_counter() - started[1])
    out = {}
    for clock, index in (("cpu", 0), ("wall", 1)):
        found = {label: both[index] * 1000 / requests for label, both in spent.items()}
        for inner, outer in INSIDE.items():
            if inner in found and outer in found:
                found[outer] = max(0.0, found[outer] - found[inner])
        total_ms = total[index] * 1000 / requests
        out[clock] = {"total_ms": total_ms, "parts_ms": found,
                      "rest_ms": max(0.0, total_ms - sum(found.values()))}
    return out


@contextlib.contextmanager
def _timed(label: str, module: str, attribute: str, spent: dict) -> Iterator[None]:
    """Wrap module.attribute (a function, or Class.method) to add its CPU and clock time
    to spent[label], and put it back afterwards."""
    owner = importlib.import_module(module)
    *path, name = attribute.split(".")
    for step in path:
        owner = getattr(owner, step, None)
    original = getattr(owner, name, None) if owner is not None else None
    if original is None:
        yield
        return
    spent.setdefault(label, [0.0, 0.0])

    def wrapper(*args, **kwargs):
        started = (time.process_time(), time.perf_counter())
        try:
            return original(*args, **kwargs)
        finally:
            spent[label][0] += time.process_time() - started[0]
            spent[label][1] += time.perf_counter() - started[1]

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        setattr(owner, name, original)


def wal_pages(database: Path, post: Callable[[], object], row_bytes: int,
              commits: int = 20) -> dict:
    """Write-ahead log pages SQLite appends per submission, and per commit of the floor's
    insert (one row of `row_bytes`, a unique key), from an emptied log each time."""
    app_pages = _pages_per_commit(database, post, commits)
    floor = database.with_name("wal-floor.sqlite3")
    connection = sqlite3.connect(floor)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("CREATE TABLE IF NOT EXISTS submissions (id INTEGER PRIMARY KEY, "
                       "submission_key TEXT UNIQUE, form TEXT)")
    numbers = iter(range(10**9))

    def insert() -> None:
        connection.execute("INSERT INTO submissions (submission_key, form) VALUES (?, ?)",
                           (f"floor{os.getpid()}-{next(numbers)}", " " * row_bytes))
        connection.commit()

    for _ in range(50):  # a table with some rows, as the app's has
        insert()
    floor_pages = _pages_per_commit(floor, insert, commits)
    connection.close()
    return {"app_pages_per_commit": app_pages, "floor_pages_per_commit": floor_pages}


def _pages_per_commit(database: Path, commit: Callable[[], object], commits: int) -> float:
    with sqlite3.connect(database) as connection:
        page = connection.execute("PRAGMA page_size").fetchone()[0]
        commit()  # the log in use, then emptied: what follows is only these commits
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for _ in range(commits):
        commit()
    wal = Path(f"{database}-wal")
    return (wal.stat().st_size if wal.exists() else 0) / commits / (page + 24)


def full_collections(call: Callable[[], object], requests: int = 300) -> dict:
    """Python's full (generation 2) garbage collections during `requests` calls, with how
    long each took: a pause every so many requests that a p99 shows and a median hides."""
    durations: list[float] = []
    started: list[float] = []

    def timer(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            durations.append((time.perf_counter() - started.pop()) * 1000)

    gc.callbacks.append(timer)
    try:
        for _ in range(requests):
            call()
    finally:
        gc.callbacks.remove(timer)
    return {"requests": requests, "count": len(durations),
            "max_ms": max(durations, default=0.0), "total_ms": sum(durations),
            "frozen_objects": gc.get_freeze_count()}
