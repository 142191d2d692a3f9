"""`make bench`: every benchmark, a table of figures, and bench/results.json.

Figures are ratios against the best achievable on the same machine in the same run (a
hand-written floor for the engine, a bare Flask app for pages), because absolute times
on a shared machine mean little. Nothing here asserts a timing; missed targets are
reported with what limits them.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from screening.rulebook import load_rulebook

from . import engine_bench, floors, http_bench, load_runs, startup
from .postgres import bindir

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
RULES = ROOT / "rules"
PAGE_WEIGHT_TARGET = 60 * 1000


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk = shutil.which("wrk")
    wrk_version = None
    if wrk:
        done = subprocess.run([wrk, "--version"], capture_output=True, text=True)
        wrk_version = (done.stdout or done.stderr).splitlines()[0].split(" [")[0]
    versions = {name: _version(name) for name in ("flask", "gunicorn", "sqlalchemy", "jinja2",
                                                  "wtforms")}
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu,
            "load_average_at_start": os.getloadavg(),
            "python": platform.python_version(), "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version, "wrk": wrk_version, **versions}


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6,
                        help="length of each measured load run (default 6)")
    parser.add_argument("--warmup", type=float, default=1,
                        help="length of the warm-up run before each (default 1)")
    parser.add_argument("--answer-sets", type=int, default=10_000)
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn runs")
    parser.add_argument("--no-postgres", action="store_true",
                        help="skip the PostgreSQL run (a throwaway cluster, 4 workers)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    results: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                     "command": "make bench", "machine": machine()}
    say(f"massage-screening benchmarks: {describe_machine(results['machine'])}")

    say("\nRule engine ...")
    rulebook = load_rulebook(RULES)
    try:
        results["engine"] = engine_bench.run(rulebook, count=args.answer_sets)
    except AssertionError as error:  # the hand-written floor no longer agrees
        results["engine"] = {"error": str(error)}
        say(f"  NOT TIMED: {error}")
    say("Rule book and start-up ...")
    results["rulebook_load"] = startup.rulebook(RULES)
    results["app_start"] = startup.app_start()
    if not args.no_http:
        say("HTTP under gunicorn ...")
        if not load_runs.wrk_path():
            say("  wrk not found (apt-get install -y wrk): using the Python load generator, "
                "whose figures are lower and not comparable with wrk runs")
        results["http"] = http_bench.run(rulebook, args.seconds, args.warmup, log=say)
        if args.no_postgres or bindir() is None:
            say("PostgreSQL run skipped" + ("" if args.no_postgres else
                                            ": PostgreSQL is not installed"))
        else:
            say("HTTP under gunicorn on PostgreSQL, 4 workers ...")
            results["http_postgres"] = http_bench.run_postgres(rulebook, args.seconds,
                                                               args.warmup, log=say)
    results["targets"] = targets(results)
    results["notes"] = closing_notes(results)
    results["duration_s"] = time.perf_counter() - started
    results["machine"]["load_average_at_end"] = os.getloadavg()

    print_report(results)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    say(f"\nWrote {RESULTS.relative_to(ROOT)} in {results['duration_s']:.0f} s.")
    return 1 if "error" in results["engine"] else 0


def say(text: str) -> None:
    print(text, flush=True)


def describe_machine(info: dict) -> str:
    return (f"{info['nproc']} cores ({info['cpu']}), Python {info['python']}, "
            f"gunicorn {info['gunicorn']}, {info['wrk'] or 'no wrk'}")


# --- targets ------------------------------------------------------------------------------


def targets(results: dict) -> list[dict]:
    engine = results["engine"]
    if "error" in engine:
        rows = [_target("Engine vs hand-written floor", "within 2x", "not timed: see above",
                        None),
                _target("Engine, whole rule book, one core", ">= 20,000 screenings/s",
                        "not timed", None)]
    else:
        rows = [
            _target("Engine on the 7-condition subset vs hand-written floor", "within 2x",
                    f"{engine['ratio_subset_to_floor']:.1f}x slower",
                    engine["ratio_subset_to_floor"] <= 2),
            _target("Engine, whole rule book, one core", ">= 20,000 screenings/s",
                    f"{engine['rates']['engine_full']['per_second']:,.0f}/s",
                    engine["rates"]["engine_full"]["per_second"] >= 20_000),
        ]
    http = results.get("http")
    if http is None:
        return rows
    pages = http["pages"]
    for key, label, share in (("questionnaire", "GET /questionnaire vs bare Flask", 0.70),
                              ("submit", "POST /submit vs bare Flask", 0.50),
                              ("queue", "Signed-in queue, 10,000 screenings, vs bare Flask",
                               0.50)):
        page = pages[key]
        if "ratio_to_bare" in page:
            rows.append(_target(label, f">= {share:.0%}", f"{page['ratio_to_bare']:.1%}",
                                page["ratio_to_bare"] >= share))
        else:
            rows.append(_target(label, f">= {share:.0%}", page.get("skipped", "not measured"),
                                None))
    rows += floors.targets(results, _target)
    weight = http["page_weight"]
    rows.append(_target(
        "Questionnaire + CSS + JS, as sent to a browser", "< 60 KB",
        f"{weight['sent_bytes'] / 1000:.0f} KB ({weight['raw_bytes'] / 1000:.0f} KB "
        f"uncompressed)", weight["sent_bytes"] < PAGE_WEIGHT_TARGET))
    rows.append(_target("Requests to other hosts", "none",
                        ", ".join(weight["other_hosts"]) or "none",
                        not weight["other_hosts"]))
    return rows


def _shares(shares: dict[str, float]) -> str:
    """'by cProfile: templates 61%, forms 20%, ...' largest first, without the small ones."""
    ordered = sorted(shares.items(), key=lambda item: -item[1])
    return "by cProfile: " + ", ".join(f"{place} {share:.0%}" for place, share in ordered
                                       if share >= 0.05)


def _body_areas(weight: dict) -> str:
    shared = weight.get("body_location_shared_list_bytes", 0)
    text = (f"Its {weight['body_location_groups']} body-area questions take "
            f"{weight['body_location_raw_bytes'] / 1000:.0f} KB of the HTML "
            f"({weight['body_location_groups_with_checkboxes']} with their own checkboxes)")
    if shared:
        text += f", plus {shared / 1000:.1f} KB for the shared list of body areas"
    if weight.get("body_map_bytes"):
        text += f" and {weight['body_map_bytes'] / 1000:.1f} KB for the body map's figures"
    return text + "."


def _target(name: str, target: str, value: str, met: bool | None) -> dict:
    return {"name": name, "target": target, "value": value, "met": met}


def closing_notes(results: dict) -> list[str]:
    """What limits each missed target, from this run's figures."""
    notes = []
    engine = results["engine"]
    if "error" in engine:
        notes.append(f"The engine was not timed: {engine['error']}")
    elif engine["ratio_subset_to_floor"] > 2:
        parts = engine["breakdown"]
        notes.append(
            f"Engine {engine['ratio_subset_to_floor']:.1f}x the floor: a client with none of "
            f"the 7 conditions costs {parts['engine_subset_us']['no_condition']:.1f} us vs "
            f"{parts['floor_us']['no_condition']:.1f} us hand-written, of which building the "
            f"Result alone is {parts['result_object_us']:.1f} us; with conditions "
            f"{parts['engine_subset_us']['some_condition']:.1f} us vs "
            f"{parts['floor_us']['some_condition']:.1f} us.")
    http = results.get("http")
    if http is None:
        return notes
    pages, server = http["pages"], http["server_time"]
    bare_ms = server["bare"]
    where = server["where"]
    weight = http["page_weight"]
    questionnaire = pages["questionnaire"]
    if questionnaire.get("ratio_to_bare", 1) < 0.70:
        sized = pages["questionnaire_sized_bare"]["ratio_to_bare"]
        shares = where["questionnaire"]
        fix = ""
        if shares["templates"] >= 0.3:
            fix = (" Fix: render the blank form once per rule book and fill in the CSRF token "
                   "and submission key per request.")
        notes.append(
            f"GET /questionnaire at {questionnaire['ratio_to_bare']:.1%}: "
            f"{server['questionnaire']:.1f} ms of server time per request vs {bare_ms:.2f} ms "
            f"for bare Flask ({_shares(shares)}). A static page as big as the questionnaire "
            f"as sent ({weight['html_sent_bytes'] // 1000} KB) from the bare app reaches "
            f"{sized:.0%} "
            f"of bare Flask, so "
            + ("its size costs little; the server work is the gap." if sized >= 0.9 else
               f"its size alone caps the page near {sized:.0%}; the server work is the rest.")
            + fix)
    submit = pages["submit"]
    if submit.get("ratio_to_bare", 1) < 0.50:
        commit = http["sqlite_commit"]
        insert = pages["submit_bare_insert"]["ratio_to_bare"]
        full, normal = server["submit"], server["submit_synchronous_normal"]
        disk = (f"With synchronous=NORMAL (usual with WAL: a power cut can lose the last "
                f"commits, never corrupt the file) the app's post takes {normal:.1f} ms "
                f"instead of {full:.1f} ms"
                if normal < 0.85 * full else
                f"synchronous=NORMAL made no clear difference to the app's post in this run "
                f"({normal:.1f} ms vs {full:.1f} ms)")
        forms = where["submit"]["forms"]
        fix = (" Most of the rest is WTForms binding and validating a field for each of the "
               "rule book's questions per request; validating request.form directly with "
               "screening.answers (which the form calls anyway) would skip that."
               if forms >= 0.3 else "")
        notes.append(
            f"POST /submit at {submit['ratio_to_bare']:.1%}: {full:.1f} ms of server time per "
            f"request ({_shares(where['submit'])}). Each commit waits for the disk: "
            f"SQLite's default synchronous=FULL syncs the WAL on every commit "
            f"({commit['synchronous_full_ms']:.1f} ms here, "
            f"{commit['synchronous_normal_ms']:.2f} ms with synchronous=NORMAL) and writers "
            f"take turns, so the bare app storing the same post (parse, one INSERT, commit, "
            f"redirect) reaches {'only ' if insert < 0.5 else ''}{insert:.0%} of bare Flask. "
            f"{disk}.{fix} 50% of bare Flask leaves {bare_ms:.2f} ms for validating, "
            f"screening and storing: out of reach for a form that writes to a database.")
    queue = pages.get("queue", {})
    if queue.get("ratio_to_bare", 1) < 0.50:
        query = server.get("queue_with_order_index", {})
        if query.get("sorts"):
            notes.append(
                f"Queue at {queue['ratio_to_bare']:.1%}: {server['queue']:.1f} ms of server "
                f"time per request; its query sorts all {queue.get('stored_screenings')} "
                f"screenings to show 25 ({query['query_ms']:.1f} ms: {query['plan']}). Tried "
                f"on the bench database: an index matching its ORDER BY takes the query to "
                f"{query['query_ms_with_index']:.1f} ms and the page to "
                f"{query['page_ms']:.1f} ms ({query['plan_with_index']}; with its values "
                f"written in, {query['query_ms_with_index_literal']:.2f} ms). Fix: an indexed "
                f"integer rank instead of the CASE, an index matching the whole ORDER BY, "
                f"and leave the JSON columns unloaded.")
        else:
            shown = (f"; its query reads in index order ({query['query_ms']:.2f} ms: "
                     f"{query['plan']})" if "query_ms" in query else "")
            notes.append(
                f"Queue at {queue['ratio_to_bare']:.1%}: {server['queue']:.1f} ms of server "
                f"time per request vs {bare_ms:.2f} ms for bare Flask "
                f"({_shares(where['queue'])}){shown}. The rest is what a signed-in page does "
                f"per request: load the therapist (Flask-Login), check the idle timeout, "
                f"count the matching screenings for the pager and load 25 through "
                f"the ORM, and render each row with a url_for and date formatting.")
    if weight["sent_bytes"] >= PAGE_WEIGHT_TARGET:
        how = "the questionnaire gzipped" if weight["served_compressed"] else "uncompressed"
        notes.append(
            f"Page weight {weight['sent_bytes'] / 1000:.0f} KB as sent ({how}); with every "
            f"file at gzip -6 it would be {weight['gzip_bytes'] / 1000:.0f} KB. "
            f"{_body_areas(weight)}")
    return notes + floors.notes(results) + http["notes"]


# --- the table ----------------------------------------------------------------------------


def print_report(results: dict) -> None:
    say("\n" + "=" * 96)
    say(f"massage-screening benchmarks, {results['started']}")
    say(describe_machine(results["machine"]))
    say("=" * 96)
    if "error" in results["engine"]:
        say(f"\nRule engine: NOT TIMED: {results['engine']['error']}")
    else:
        _print_engine(results["engine"])
    _print_startup(results)
    http = results.get("http")
    if http:
        _print_http(http)
        floors.print_table(results, say)
    say("\nTargets")
    for row in results["targets"]:
        status = {True: "met", False: "MISSED", None: "not measured"}[row["met"]]
        say(f"  {status:<13} {row['name']:<58} {row['target']:<24} {row['value']}")
    if results["notes"]:
        say("\nNotes")
        for note in results["notes"]:
            say(_wrap(note))


def _print_engine(engine: dict) -> None:
    rates = engine["rates"]
    floor = rates["floor"]["per_second"]

    say(f"\nRule engine: {engine['answer_sets']:,} answer sets (seed {engine['seed']}, "
        f"{engine['mix']['clients_with_no_condition']:.0%} with no condition), one core; "
        f"fastest of {engine['repeats']} interleaved repeats per slice of "
        f"{engine['answer_sets'] // engine['chunks']}")
    say(f"  {'':<52} {'screenings/s':>13} {'us each':>8} {'vs floor':>9}")
    rows = (("floor", f"hand-written floor ({len(engine['conditions_subset'])} conditions, "
                      f"{engine['rules_subset']} rules)"),
            ("engine_subset", "engine, same 7 conditions"),
            ("engine_full", f"engine, whole rule book ({engine['conditions_full']} conditions, "
                            f"{engine['rules_full']} rules)"))
    for key, label in rows:
        rate = rates[key]["per_second"]
        versus = "" if key.endswith("_full") else f"{floor / rate:.1f}x"
        say(f"  {label:<52} {rate:>13,.0f} {rates[key]['us_per_screening']:>8.2f} "
            f"{versus:>9}")
    say(f"  agreement: {engine['agreement']}")
    windows = engine["time_windows"]
    say(f"  time windows: {windows['tests']} within/older_than tests, "
        + ("each true for some answer sets and false for others" if not windows["one_way"]
           else f"one-way only: {', '.join(windows['one_way'])}"))



def _print_startup(results: dict) -> None:
    load = results["rulebook_load"]
    start = results["app_start"]
    say("\nRule book and start-up")
    say(f"  load_rulebook (read, parse, validate, compile {load['files']} files, "
        f"{load['bytes'] / 1000:.0f} KB): {load['best_s'] * 1000:.0f} ms "
        f"(YAML parsing {load['yaml_parse']['best_s'] * 1000:.0f} ms)")
    say(f"  fresh process: import {start['import_s'] * 1000:.0f} ms, create_app() "
        f"{start['create_app_s'] * 1000:.0f} ms, first questionnaire "
        f"{start['first_page_s'] * 1000:.0f} ms; whole process {start['process_s']:.2f} s "
        f"(median of {start['runs']})")


def _print_http(http: dict) -> None:
    say(f"\nHTTP: gunicorn {http['gunicorn']}, {http['load_generator']}, "
        f"{http['threads']} threads / {http['connections']} connections, "
        f"{http['seconds']:g} s per run after {http['warmup_seconds']:g} s warm-up")
    say(f"  {http['database']}; CSRF {http['csrf']}")
    say(f"  {'':<36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8} "
        f"{'server ms':>10} {'errors':>7}")
    server = http["server_time"]
    bare = http["bare_runs"]
    say(f"  {'bare Flask (' + str(len(bare)) + ' runs, between pages)':<36} "
        f"{sum(run['rps'] for run in bare) / len(bare):>8.0f} "
        f"{_median([run['p50_ms'] for run in bare]):>8.1f} "
        f"{_median([run['p99_ms'] for run in bare]):>8.1f} {'100%':>8} "
        f"{server['bare']:>10.2f} {sum(run['errors'] for run in bare):>7}")
    server_keys = {"questionnaire": "questionnaire", "result": "result", "queue": "queue",
                   "submit": "submit"}
    for key in ("questionnaire", "questionnaire_sized_bare", "result", "queue", "submit",
                "submit_bare_insert"):
        page = http["pages"][key]
        if "skipped" in page:
            say(f"  {page['label']:<36} skipped: {page['skipped']}")
            continue
        served = server.get(server_keys.get(key, ""), None)
        say(f"  {page['label']:<36} {page['rps']:>8.0f} {page['p50_ms']:>8.1f} "
            f"{page['p99_ms']:>8.1f} {page['ratio_to_bare']:>8.1%} "
            f"{(f'{served:.2f}' if served is not None else ''):>10} {page['errors']:>7}")
    say(f"  bare Flask runs spread {http['bare_rps_spread']:.0%} from slowest to fastest "
        f"(the machine's noise); server ms = median time per request in one process "
        f"(Flask test client)")
    for name, shares in server["where"].items():
        say(f"  server time of {name}, {_shares(shares)}")
    query = server.get("queue_with_order_index")
    if query and query.get("sorts"):
        say(f"  what-if on the bench database, an index on the queue's ORDER BY: query "
            f"{query['query_ms']:.1f} -> {query['query_ms_with_index']:.1f} ms "
            f"({query['plan_with_index']}), page {server['queue']:.1f} -> "
            f"{query['page_ms']:.1f} ms; with its values written in: "
            f"{query['query_ms_with_index_literal']:.2f} ms")
    elif query and "query_ms" in query:
        say(f"  queue query: {query['query_ms']:.2f} ms ({query['plan']})")
    commit = http["sqlite_commit"]
    say(f"  what-if in one process, SQLite synchronous=NORMAL: POST /submit "
        f"{server['submit']:.1f} -> {server['submit_synchronous_normal']:.1f} ms; a one-row "
        f"commit on this disk takes {commit['synchronous_full_ms']:.1f} ms (FULL, the "
        f"default) or {commit['synchronous_normal_ms']:.2f} ms (NORMAL)")
    submit = http["pages"]["submit"]
    say(f"  POST /submit stored {submit['stored']} screenings for {submit['requests']} "
        f"completed requests (the rest were in flight at the end); {http['submission']}")

    memory = http["memory"]
    workers = ", ".join(f"{worker['peak_rss_mib']:.0f}" for worker in memory["app"]["workers"])
    bare_workers = ", ".join(f"{worker['peak_rss_mib']:.0f}"
                             for worker in memory["bare"]["workers"])
    current = ", ".join(f"{worker['rss_mib']:.0f}" for worker in memory["app"]["workers"])
    say("\nMemory per gunicorn worker (resident, MiB)")
    say(f"  app workers, peak (VmHWM) after the HTTP runs: {workers}; now: {current}; "
        f"master {memory['app']['master_rss_mib']:.0f}")
    jump = (memory["app_after_sign_in"]["peak_rss_mib_max"]
            - memory["app_at_start"]["peak_rss_mib_max"])
    say(f"  app workers' peak at start-up: {_peaks(memory['app_at_start'])}; after one "
        f"therapist signed in: {_peaks(memory['app_after_sign_in'])}"
        + (" (werkzeug's scrypt password check allocates 32 MiB)" if jump > 16 else ""))
    say(f"  bare Flask workers, peak: {bare_workers}")
    say(f"  app start-up: gunicorn answered after {http['app_ready_s']:.1f} s")

    weight = http["page_weight"]
    say("\nPage weight: the questionnaire with everything it loads")
    for item in weight["files"]:
        say(f"  {item['url']:<36} {item['sent']:>9,} bytes sent {item['raw']:>9,} raw "
            f"{item['gzip']:>8,} gzip -6")
    say(f"  {'total':<36} {weight['sent_bytes']:>9,} bytes sent {weight['raw_bytes']:>9,} raw "
        f"{weight['gzip_bytes']:>8,} gzip -6; questionnaire sent gzipped: "
        f"{'yes' if weight['served_compressed'] else 'no'}")
    csp = "default-src 'self'" if "default-src 'self'" in (
        weight["content_security_policy"] or "") else "no default-src 'self'"
    say(f"  {_body_areas(weight)} Other hosts: {', '.join(weight['other_hosts']) or 'none'} "
        f"(CSP {csp}).")


def _peaks(memory: dict) -> str:
    return ", ".join(f"{worker['peak_rss_mib']:.0f}" for worker in memory["workers"])


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _wrap(text: str, width: int = 96) -> str:
    lines, line = [], "  -"
    for word in text.split():
        if len(line) + 1 + len(word) > width:
            lines.append(line)
            line = "   "
        line += " " + word
    lines.append(line)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
