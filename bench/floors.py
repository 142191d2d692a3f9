"""The pages against their honest floors: the targets, the table, and where the time goes
when a target is missed (for `make bench`, bench/run.py)."""

from __future__ import annotations

import textwrap

#: (key in the run's pages, which run, the page as the table names it, floor as it names
#: it, the share of the floor to reach)
FLOORS = (
    ("questionnaire", "http", "GET /questionnaire, first visit",
     "same bytes + signed session with a CSRF token", 0.80),
    ("submit", "http", "POST /submit, valid, new (SQLite)",
     "INSERT of a same-sized row, WAL, synchronous=FULL, commit", 0.70),
    ("submit", "http_postgres", "POST /submit, PostgreSQL, 4 workers",
     "the same INSERT on the same PostgreSQL", 0.70),
    ("queue", "http", "Signed-in queue, 10,000 screenings",
     "the queue's indexed query for one page + reading the session", 0.60),
)
#: Latency at 80% of the peak rate: the target for the pages clients use.
CLIENT_PAGES = {"questionnaire", "result", "submit"}
P99_TARGET_MS = 50
RSS_TARGET_MIB = 120


def rows(results: dict) -> list[dict]:
    """One row per floored page: floor and our requests/s, ratio, latency, peak RSS."""
    out = []
    for key, run, label, floor_label, share in FLOORS:
        page = (results.get(run) or {}).get("pages", {}).get(key)
        if not page or "ratio_to_floor" not in page:
            out.append({"page": label, "floor": floor_label, "target": share,
                        "skipped": (page or {}).get("skipped", f"{run} not run")})
            continue
        rate = page.get("at_80_percent", {})
        out.append({"page": label, "floor": floor_label, "target": share, "key": key,
                    "run": run, "floor_rps": page["floor"]["rps"], "rps": page["rps"],
                    "ratio": page["ratio_to_floor"], "met": page["ratio_to_floor"] >= share,
                    "p50_ms": rate.get("p50_ms"), "p99_ms": rate.get("p99_ms"),
                    "rate": rate.get("rate"),
                    "peak_rss_mib": results[run]["memory"]["app"]["peak_rss_mib_max"]})
    return out


def targets(results: dict, target) -> list[dict]:
    """The floor, latency and memory targets, in the shape of run.py's other targets."""
    found = []
    for row in rows(results):
        name = f"{row['page']} vs floor"
        if "skipped" in row:
            found.append(target(name, f">= {row['target']:.0%}", row["skipped"], None))
            continue
        found.append(target(name, f">= {row['target']:.0%}", f"{row['ratio']:.1%}",
                            row["met"]))
    for run in ("http", "http_postgres"):
        http = results.get(run)
        if not http:
            continue
        where = "" if run == "http" else " (PostgreSQL)"
        for key, page in http["pages"].items():
            rate = page.get("at_80_percent")
            if rate and key in CLIENT_PAGES:
                found.append(target(
                    f"{page['label']}{where}: p99 at 80% of peak, 32 clients",
                    f"< {P99_TARGET_MS} ms",
                    f"{rate['p99_ms']:.1f} ms at {rate['rate']:.0f} req/s"
                    + (f" (+ sent up to {rate['late_p99_ms']:.0f} ms late at p99)"
                       if rate.get("late_p99_ms") else "")
                    + (f", {rate['achieved_rps']:.0f} req/s done"
                       if rate.get("kept_up") is False else ""),
                    _waited_p99(rate) < P99_TARGET_MS))
        peak = http["memory"]["app"]["peak_rss_mib_max"]
        found.append(target(f"Peak RSS per app worker{where}", f"< {RSS_TARGET_MIB} MiB",
                            f"{peak:.0f} MiB", peak < RSS_TARGET_MIB))
    return found


def _waited_p99(rate: dict) -> float:
    """A bound on the p99 a client waited: wrk's p99 (from sending) plus the p99 of how late
    requests were sent (0 when the schedule held)."""
    return rate["p99_ms"] + rate.get("late_p99_ms", 0.0)


def print_table(results: dict, say) -> None:
    say("\nPages against their floors (bare Flask in the same gunicorn settings, floor runs "
        "just before and after each page)")
    say(f"  {'page':<38} {'floor/s':>8} {'ours/s':>8} {'ratio':>7} {'target':>7} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'at /s':>6} {'RSS MiB':>8}")
    for row in rows(results):
        if "skipped" in row:
            say(f"  {row['page']:<38} skipped: {row['skipped']}")
            continue
        say(f"  {row['page']:<38} {row['floor_rps']:>8.0f} {row['rps']:>8.0f} "
            f"{row['ratio']:>7.1%} {row['target']:>7.0%} {_ms(row['p50_ms']):>7} "
            f"{_ms(row['p99_ms']):>7} {_ms(row['rate'], 0):>6} {row['peak_rss_mib']:>8.0f}")
        say(f"    floor: {row['floor']}")
    for run in ("http", "http_postgres"):
        http = results.get(run)
        if not http:
            continue
        say(f"  latency at 80% of each page's peak, 32 clients at a constant rate ({run}):")
        for page in http["pages"].values():
            rate = page.get("at_80_percent")
            if rate:
                say(f"    {page['label']:<36} {rate['rate']:6.0f} req/s asked, "
                    f"{rate['achieved_rps']:6.0f} done: p50 {rate['p50_ms']:6.1f} ms, "
                    f"p99 {rate['p99_ms']:6.1f} ms, max {rate['max_ms']:6.1f} ms, sent late "
                    f"p99 {rate.get('late_p99_ms', 0):.0f} ms, errors "
                    f"{rate['errors'] + rate['status_errors']}")
                if "peak_just_before" in rate:
                    say(_wrap(generator_note(rate), indent="      "))
                if "workers" in rate:
                    say(_wrap(worker_note(rate), indent="      "))


def generator_note(rate: dict) -> str:
    """What the peak the rate was taken from was, and who used the CPU during the run."""
    peak = rate["peak_just_before"]
    kept = ("kept up" if rate["kept_up"] else
            f"FELL BEHIND: {rate['achieved_rps']:.0f} of {rate['rate']:.0f} req/s done")
    behind = rate.get("runs_kept_up", []).count(False)
    if behind:
        kept += f" ({behind} of the {len(rate['runs_kept_up'])} runs at the rate fell behind)"
    share = rate["generator_cpu_ms"] / rate["server_cpu_ms"] if rate["server_cpu_ms"] else 0.0
    return (f"{kept}. Rate: 80% of the lower of two peaks: {peak['rps']:.0f} req/s with the "
            f"same generator and 32 clients just before, {rate['peak_rps_16_clients']:.0f} with 16 "
            f"clients earlier. "
            f"CPU per request at the rate: workers {rate['server_cpu_ms']:.2f} ms, generator "
            f"{rate['generator_cpu_ms']:.2f} ms ({share:.0%} of the workers'); at the peak "
            f"{peak['server_cpu_ms']:.2f} and {peak['generator_cpu_ms']:.2f} ms. Machine busy "
            f"{rate['machine_busy']:.0%} of its cores during the run ({peak['machine_busy']:.0%} "
            f"at the peak).")


def worker_note(rate: dict) -> str:
    """The workers' own time per request during the run, and the wait it makes by itself."""
    workers = rate["workers"]
    return (f"In the workers (gunicorn's access log, {workers['requests']} requests): p50 "
            f"{workers['p50_ms']:.1f} ms, p99 {workers['p99_ms']:.1f} ms, max "
            f"{workers['max_ms']:.1f} ms; busy {workers['busy']:.0%} of the time. Those times "
            f"alone, sent exactly evenly at the rate and served in turn by the first free "
            f"worker, give p50 {workers['queued_p50_ms']:.1f} ms and p99 "
            f"{workers['queued_p99_ms']:.1f} ms from arrival to response.")


def _wrap(text: str, indent: str, width: int = 96) -> str:
    return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent)


def _ms(value, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


#: The submission's commit as bench/components.py names it.
COMMIT = "commit (flush: 2 INSERTs; fsync)"
#: Which in-process profile explains which floored page.
PROFILES = {"questionnaire": "questionnaire", "submit": "submit", "queue": "queue"}


def notes(results: dict) -> list[str]:
    """For each missed floor or latency target: where the page's time goes (cProfile of the
    view under Flask's test client, the SQLite run)."""
    out = []
    server = (results.get("http") or {}).get("server_time", {})
    missed = {row["key"] for row in rows(results) if row.get("met") is False}
    for run in ("http", "http_postgres"):
        for key, page in (results.get(run) or {}).get("pages", {}).items():
            rate = page.get("at_80_percent")
            if rate and key in CLIENT_PAGES and _waited_p99(rate) >= P99_TARGET_MS:
                missed.add(key)
    for run in ("http", "http_postgres"):
        for key, page in (results.get(run) or {}).get("pages", {}).items():
            rate = page.get("at_80_percent")
            if rate and "workers" in rate and key in missed and key in CLIENT_PAGES:
                out.append(_tail(key, run, page))
    for key in sorted(missed):
        top = server.get("top_functions", {}).get(PROFILES.get(key, key))
        if not top:
            continue
        functions = ", ".join(f"{item['function']} {item['own_share']:.0%} "
                              f"({item['calls_per_request']:.0f} calls)" for item in top[:6])
        out.append(f"Where {key} spends its time ({server[PROFILES.get(key, key)]:.1f} ms per "
                   f"request in one process), functions with the most time of their own: "
                   f"{functions}.")
        out += _parts(key, server)
    return out


def _tail(key: str, run: str, page: dict) -> str:
    """Where a page's p99 at 80% of its peak was: in the worker, or outside it."""
    rate, workers = page["at_80_percent"], page["at_80_percent"]["workers"]
    outside = max(0.0, rate["p99_ms"] - workers["p99_ms"])
    runs = ", ".join(f"{p99:.1f}" for p99 in rate.get("runs_p99_ms", []))
    own = ", ".join(f"{p99:.1f}" for p99 in rate.get("runs_workers_p99_ms", []))
    return (f"{key} ({run}) at {rate['rate']:.0f} req/s: p99 {rate['p99_ms']:.1f} ms at the "
            f"client (the median of runs of {runs} ms), of which the workers' own p99 is "
            f"{workers['p99_ms']:.1f} ms (in the three runs {own} ms); the other "
            f"{outside:.0f} ms or so is outside the workers, waiting for one or in wrk. They "
            f"were busy {workers['busy']:.0%} of the time, and their own measured times, "
            f"queued for the {workers['workers']} workers at that rate with evenly spaced "
            f"arrivals, give a p99 of {workers['queued_p99_ms']:.1f} ms by themselves.")


def _parts(key: str, server: dict) -> list[str]:
    """The page's parts, each timed whole (bench/components.py), and for a submission the
    write-ahead log it appends against the floor's."""
    measured = server.get("parts", {}).get(key)
    if not measured:
        return []
    cpu, wall = measured["cpu"], measured["wall"]
    listed = ", ".join(f"{label} {ms:.2f}" for label, ms in cpu["parts_ms"].items())
    lines = [f"{key} part by part, CPU ms per request in one process (total "
             f"{cpu['total_ms']:.2f}; on the clock {wall['total_ms']:.2f}): {listed}, "
             f"Flask, Werkzeug, cookies and the test client {cpu['rest_ms']:.2f}."]
    commit = wall["parts_ms"].get(COMMIT)
    wal = server.get("wal")
    if key == "submit" and commit is not None and wal:
        lines.append(
            f"submit commits once, as the floor does; the commit takes {commit:.2f} ms on the "
            f"clock ({cpu['parts_ms'].get(COMMIT, 0):.2f} ms of CPU, with the ORM's flush of "
            f"the two INSERTs: the rest is waiting for the disk). It appends "
            f"{wal['app_pages_per_commit']:.1f} pages to "
            f"SQLite's write-ahead log (the screening of some 4 KB over overflow pages, its "
            f"client record, and an entry in each of their indexes) where the floor's insert "
            f"of a row of the same size appends {wal['floor_pages_per_commit']:.1f}.")
    collections = server.get("full_collections")
    if key == "submit" and collections:
        lines.append(
            f"Python's full garbage collections during {collections['requests']} submissions "
            f"in one process: {collections['count']}, the longest {collections['max_ms']:.1f} "
            f"ms ({collections['frozen_objects']:,} objects of start-up frozen out of their "
            f"reach by create_app; unfrozen, each took about 130 ms).")
    return lines
