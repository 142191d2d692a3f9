"""HTTP: the app and a bare Flask app under gunicorn (2 workers), load from wrk on 127.0.0.1.

Everything runs on a throwaway SQLite database in a temporary folder, migrated with
`flask --app screening db upgrade` and seeded with 10,000 screenings. The bare Flask app
(bench/bare_app.py) runs under the same gunicorn settings and is measured first and last;
each page's requests per second are reported as a share of its mean.
"""

from __future__ import annotations

import gzip
import html.parser
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import Message
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from screening.rulebook import Rulebook

from . import loadgen, seed
from .answersets import check, make_answers

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
#: The same for the app and the bare Flask app: two sync workers, as a small clinic runs it.
GUNICORN_ARGS = ("--workers", "2", "--worker-class", "sync", "--log-level", "warning")
THREADS, CONNECTIONS = 2, 16
#: Sent with every request, as Chromium sends it: the app gzips the empty questionnaire.
ACCEPT_ENCODING = "gzip, deflate, br"
STORED_SCREENINGS = 10_000
#: The complete submission posted in the benchmark: a client with two seed conditions.
SUBMIT_CONDITIONS = ("osteoporosis", "varicose_veins")


# --- plain HTTP helpers -----------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cookies(self) -> dict[str, str]:
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            found[name.strip()] = value.strip()
        return found


def fetch(url: str, method: str = "GET", body: bytes | None = None,
          headers: dict[str, str] | None = None) -> Response:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def hidden_value(page: str, name: str) -> str | None:
    """The value of the <input name=NAME> on a page (attribute order does not matter)."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            return value.group(1) if value else ""
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- gunicorn ---------------------------------------------------------------------------


class Server:
    """One gunicorn master with its workers, started from the repository root."""

    def __init__(self, name: str, app_spec: str, env: dict[str, str], workdir: Path):
        self.name = name
        self.port = free_port()
        self.log_path = workdir / f"gunicorn-{name}.log"
        self.log = self.log_path.open("wb")
        self.command = [str(BIN / "gunicorn"), *GUNICORN_ARGS,
                        "--bind", f"127.0.0.1:{self.port}", app_spec]
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited:\n{self.log_tail()}")
            try:
                if fetch(self.url(path)).status < 500 and len(self.workers()) >= 2:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn ({self.name}) did not answer in {timeout:.0f} s:\n"
                           f"{self.log_tail()}")

    def log_tail(self) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def memory(self) -> dict:
        """Peak (VmHWM) and current (VmRSS) resident memory of each worker, in MiB."""
        workers = []
        for pid in self.workers():
            status = _proc_status(pid)
            if status:
                workers.append({"pid": pid, "peak_rss_mib": status.get("VmHWM", 0) / 1024,
                                "rss_mib": status.get("VmRSS", 0) / 1024})
        master = _proc_status(self.process.pid)
        return {"workers": workers,
                "peak_rss_mib_max": max((w["peak_rss_mib"] for w in workers), default=0),
                "master_rss_mib": master.get("VmRSS", 0) / 1024}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _proc_status(pid: int) -> dict[str, int]:
    """The kB figures of /proc/PID/status."""
    values = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return values
    for line in lines:
        key, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            values[key] = int(rest.split()[0])
    return values


# --- load -------------------------------------------------------------------------------


def wrk_path() -> str | None:
    return shutil.which("wrk")


def load(url: str, seconds: float, body_file: Path | None = None,
         cookie: str | None = None) -> dict:
    """One load run: requests/s, latency percentiles (ms), errors."""
    if wrk_path():
        command = [wrk_path(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s",
                   "--timeout", "10s", "-s", str(WRK_SCRIPT),
                   "-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        env = {**os.environ, "BENCH_RUN_ID": secrets.token_hex(6)}
        if body_file:
            env["BENCH_BODY_FILE"] = str(body_file)
        done = subprocess.run([*command, url], capture_output=True, text=True, env=env,
                              check=True)
        line = next((line for line in done.stdout.splitlines()
                     if line.startswith("BENCH_JSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
        figures = json.loads(line.removeprefix("BENCH_JSON "))
    else:
        body = body_file.read_bytes() if body_file else None
        figures = loadgen.run(url, seconds, CONNECTIONS, THREADS, body=body, cookie=cookie,
                              accept_encoding=ACCEPT_ENCODING)
    seconds_run = figures["duration_us"] / 1e6
    errors = sum(figures[key] for key in ("connect_errors", "read_errors", "write_errors",
                                          "status_errors", "timeouts"))
    return {"rps": figures["requests"] / seconds_run if seconds_run else 0.0,
            "p50_ms": figures["p50_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
            "requests": figures["requests"], "errors": errors,
            "status_errors": figures["status_errors"],
            "bytes_per_request": figures["bytes"] / max(figures["requests"], 1)}


# --- page weight ------------------------------------------------------------------------

#: Attributes that make a browser fetch something, by tag.
_FETCHING = {"link": ("href",), "script": ("src",), "img": ("src", "srcset"),
             "iframe": ("src",), "source": ("src", "srcset"), "video": ("src", "poster"),
             "audio": ("src",), "embed": ("src",), "object": ("data",), "form": ("action",),
             "button": ("formaction",), "input": ("src", "formaction")}


_LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch",
              "apple-touch-icon"}


class _Assets(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[tuple[str, str]] = []  # (tag, url)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "link" and not set((attributes.get("rel") or "").lower().split()) & _LINK_RELS:
            return  # rel=canonical and the like load nothing
        for name in _FETCHING.get(tag, ()):
            value = attributes.get(name)
            if value:
                self.fetched.append((tag, value.split()[0] if name == "srcset" else value))


def _other_host(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme not in ("", "data")


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def page_weight(server: Server, rulebook: Rulebook) -> dict:
    """Bytes of the questionnaire with everything it loads, as sent to a browser that accepts
    gzip ("sent") and uncompressed ("raw"), and anything from another host."""
    browser = {"Accept-Encoding": ACCEPT_ENCODING}
    page = fetch(server.url("/questionnaire"), headers=browser)
    html_bytes = _decoded(page)
    parser = _Assets()
    parser.feed(html_bytes.decode())
    files = [{"url": "/questionnaire", "type": "html", "raw": len(html_bytes),
              "sent": len(page.body), "gzip": _gzip_size(html_bytes)}]
    other_hosts = [url for _tag, url in parser.fetched if _other_host(url)]
    for tag, url in parser.fetched:
        if tag in ("form", "button", "input") or _other_host(url):
            continue  # a form's target is not loaded with the page
        asset = fetch(urljoin(server.url("/questionnaire"), url), headers=browser)
        body = _decoded(asset)
        files.append({"url": url, "type": tag, "status": asset.status, "raw": len(body),
                      "sent": len(asset.body), "gzip": _gzip_size(body)})
        if tag == "link" and url.endswith(".css"):
            for ref in re.findall(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""",
                                  body.decode()):
                if _other_host(ref):
                    other_hosts.append(ref)
    body_fieldsets = _body_location_bytes(html_bytes.decode(), rulebook)
    return {
        "files": files,
        "raw_bytes": sum(item["raw"] for item in files),
        "sent_bytes": sum(item["sent"] for item in files),
        "gzip_bytes": sum(item["gzip"] for item in files),
        "html_raw_bytes": len(html_bytes), "html_sent_bytes": len(page.body),
        "html_gzip_bytes": _gzip_size(html_bytes),
        "body_location_groups": body_fieldsets["groups"],
        "body_location_groups_with_checkboxes": body_fieldsets["with_checkboxes"],
        "body_location_raw_bytes": body_fieldsets["bytes"],
        "body_location_shared_list_bytes": body_fieldsets["shared_bytes"],
        "other_hosts": other_hosts,
        "external_links": [url for url in parser.links if _other_host(url)],
        "served_compressed": "gzip" in (page.headers.get("Content-Encoding") or ""),
        "content_security_policy": page.headers.get("Content-Security-Policy"),
    }


def _decoded(response: Response) -> bytes:
    if "gzip" in (response.headers.get("Content-Encoding") or ""):
        return gzip.decompress(response.body)
    return response.body


def _body_location_bytes(page: str, rulebook: Rulebook) -> dict:
    """How much of the page the body-area questions take: their fieldsets (with their
    checkboxes, or empty when filled in from a shared list) and any shared <template>."""
    names = {qid for qid, question in rulebook.questions.items()
             if question.type == "body_location"}
    region = rulebook.regions[0].id if rulebook.regions else None
    groups = full = size = 0
    for block in re.findall(r"<fieldset\b.*?</fieldset>", page, flags=re.S):
        named = set(re.findall(r'\b(?:data-)?name="([^"]+)"', block)) & names
        if named:
            groups += 1
            full += 'type="checkbox"' in block
            size += len(block.encode())
    shared = sum(len(block.encode()) for block in re.findall(r"<template\b.*?</template>", page,
                                                             flags=re.S)
                 if region and f'value="{region}"' in block)
    return {"groups": groups, "with_checkboxes": full, "bytes": size, "shared_bytes": shared}


# --- the submission ---------------------------------------------------------------------


def submission_pairs(rulebook: Rulebook, today: date, csrf_token: str | None) -> list:
    """A complete submission as the check-your-answers page posts it to /submit."""
    answers = make_answers(random.Random(5), rulebook, today, SUBMIT_CONDITIONS)
    check(rulebook, answers, today)
    pairs = [("client_name", "Ann Example"), ("date_of_birth", "1980-03-27"),
             ("phone", "07700 900982"), ("email", "ann@example.com"),
             ("appointment_date", (today + timedelta(days=7)).isoformat()),
             ("submission_key", "SUBMISSION_KEY")]
    for qid, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((qid, str(item)))
    pairs += [("confirm", "y"), ("signature", "Ann Example"), ("signed_on", today.isoformat())]
    if csrf_token is not None:
        pairs.append(("csrf_token", csrf_token))
    return pairs


def stored_count(db_path: Path) -> int:
    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT count(*) FROM screenings").fetchone()[0]


# --- the run ----------------------------------------------------------------------------


def run(rulebook: Rulebook, seconds: float, warmup: float, log=print) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="massage-screening-bench-"))
    servers: list[Server] = []
    try:
        return _run(rulebook, seconds, warmup, workdir, servers, log)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _run(rulebook: Rulebook, seconds: float, warmup: float, workdir: Path,
         servers: list[Server], log) -> dict:
    notes: list[str] = []
    secret = secrets.token_hex(32)
    db_path = workdir / "screening.sqlite3"
    database_url = f"sqlite:///{db_path}"
    env = {**os.environ, "SCREENING_SECRET_KEY": secret, "SCREENING_DATABASE_URL": database_url,
           "SCREENING_SESSION_COOKIE_SECURE": "false"}
    notes.append("Plain http on 127.0.0.1, so session cookies are not Secure.")
    subprocess.run([str(BIN / "flask"), "--app", "screening", "db", "upgrade"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    started = time.perf_counter()
    total, result_token = seed.seed(database_url, secret, rulebook, STORED_SCREENINGS)
    seeded_in = time.perf_counter() - started
    log(f"  seeded {total} screenings in {seeded_in:.1f} s")

    started = time.perf_counter()
    app = Server("app", "screening:create_app()", env, workdir)
    servers.append(app)
    app.wait("/questionnaire")
    app_ready = time.perf_counter() - started
    memory_at_start = app.memory()
    bare = Server("bare", "bench.bare_app:app", {**env, "BENCH_BARE_DB": str(
        workdir / "bare.sqlite3")}, workdir)
    servers.append(bare)
    bare.wait("/")

    weight = page_weight(app, rulebook)

    # One visitor's session and CSRF token, reused by every POST (Flask-WTF tokens are
    # tied to the session and valid for hours, not single-use), so CSRF stays on.
    first = fetch(app.url("/questionnaire"))
    if first.status != 200:
        raise RuntimeError(f"GET /questionnaire returned {first.status}")
    csrf_token = hidden_value(first.text, "csrf_token")
    session_cookie = cookie_header(first.cookies())
    if csrf_token is None:
        notes.append("The questionnaire has no csrf_token field (CSRF is off).")
    body_file = workdir / "submit.body"
    body_file.write_text(urlencode(submission_pairs(rulebook, date.today(), csrf_token)))
    result_path = f"/result/{result_token}"
    if fetch(app.url(result_path)).status != 200:
        raise RuntimeError("the result page of a seeded screening did not return 200")
    queue = _queue(app, env)
    memory_after_sign_in = app.memory()

    pages: dict[str, dict] = {}
    bare_runs: list[dict] = []

    def measure(label: str, server: Server, path: str, shown: str | None = None,
                **options) -> dict:
        load(server.url(path), warmup, **options)  # both workers warm, templates compiled
        figures = load(server.url(path), seconds, **options)
        figures.update({"label": label, "path": shown or path,
                        "app_worker_peak_rss_mib": app.memory()["peak_rss_mib_max"]})
        log(f"  {label:<30} {figures['rps']:8.0f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
            f"p99 {figures['p99_ms']:7.1f} ms  errors {figures['errors']}")
        return figures

    def bare_run() -> None:
        bare_runs.append(measure("bare Flask", bare, "/"))

    # Bare Flask between every page: each page is compared with the runs either side of it.
    bare_run()
    pages["questionnaire"] = measure("GET /questionnaire", app, "/questionnaire")
    pages["questionnaire_sized_bare"] = measure(
        f"bare Flask, {weight['html_sent_bytes'] // 1000} KB page", bare,
        f"/padded/{weight['html_sent_bytes']}")
    bare_run()
    pages["result"] = measure("GET /result/<token>", app, result_path,
                              shown="/result/<token>")
    bare_run()
    if "cookie" in queue:
        pages["queue"] = measure("GET /review/ (signed in)", app, "/review/",
                                 cookie=queue["cookie"])
        pages["queue"]["stored_screenings"] = stored_count(db_path)
        bare_run()
    else:
        pages["queue"] = {"label": "GET /review/ (signed in)", "path": "/review/",
                          "skipped": queue["skipped"]}
        log(f"  {'GET /review/ (signed in)':<30} skipped: {queue['skipped']}")
    _check_submission(app, body_file, session_cookie)
    load(app.url("/submit"), warmup, body_file=body_file, cookie=session_cookie)
    before = stored_count(db_path)
    figures = load(app.url("/submit"), seconds, body_file=body_file, cookie=session_cookie)
    stored = stored_count(db_path) - before
    figures.update({"label": "POST /submit", "path": "/submit", "stored": stored,
                    "app_worker_peak_rss_mib": app.memory()["peak_rss_mib_max"]})
    log(f"  {'POST /submit':<30} {figures['rps']:8.0f} req/s  p50 {figures['p50_ms']:7.1f} ms"
        f"  p99 {figures['p99_ms']:7.1f} ms  errors {figures['errors']}  stored {stored}")
    pages["submit"] = figures
    pages["submit_bare_insert"] = measure("bare Flask, same POST to SQLite", bare, "/insert",
                                          body_file=body_file)
    bare_run()

    _ratios(pages, bare_runs)
    memory = {"app": app.memory(), "bare": bare.memory(), "app_at_start": memory_at_start,
              "app_after_sign_in": memory_after_sign_in}
    server_time = in_process(rulebook, database_url, secret, body_file, result_path, queue)
    commits = commit_cost(workdir)
    bare_rps = [run["rps"] for run in bare_runs]
    return {
        "load_generator": (f"wrk ({wrk_path()})" if wrk_path()
                           else "Python (bench/loadgen.py): wrk not installed"),
        "threads": THREADS, "connections": CONNECTIONS, "seconds": seconds,
        "warmup_seconds": warmup, "gunicorn": " ".join(GUNICORN_ARGS),
        "database": f"SQLite (WAL) in a temporary folder, migrated, {total} screenings seeded "
                    f"in {seeded_in:.1f} s",
        "app_ready_s": app_ready,
        "csrf": "on: one visitor's session and token reused" if csrf_token else "off",
        "submission": f"{len(SUBMIT_CONDITIONS)} conditions answered Yes or Not sure "
                      f"({', '.join(SUBMIT_CONDITIONS)}) with their follow-ups, every other "
                      f"question No; {body_file.stat().st_size} bytes; a new submission_key "
                      f"per request",
        "bare_runs": bare_runs,
        "bare_rps_spread": max(bare_rps) / min(bare_rps) - 1,
        "pages": pages,
        "memory": memory,
        "page_weight": weight,
        "server_time": server_time,
        "sqlite_commit": commits,
        "notes": notes,
    }


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


def _check_submission(app: Server, body_file: Path, session_cookie: str) -> str:
    """Post one submission by hand: it must store and redirect to its result page."""
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
    return result_path


THERAPIST = ("bench.therapist@example.com", "Bench Therapist")


def _queue(app: Server, env: dict[str, str]) -> dict:
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


# --- server time per request, in one process --------------------------------------------


def in_process(rulebook: Rulebook, database_url: str, secret: str, body_file: Path,
               result_path: str, queue: dict, requests: int = 40) -> dict:
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
    timings["where"] = {name: _where_time_goes(call) for name, call in cases.items()
                        if name not in ("bare", "submit_synchronous_normal")}
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


def _where_time_goes(call, requests: int = 15) -> dict[str, float]:
    """Share of a request's time spent in templates, forms, the database, the app's own
    code, Flask/Werkzeug, and the rest (standard library, builtins), by cProfile's own
    time per function. Profiling inflates call-heavy code, so these are proportions to
    read roughly."""
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
    return shares


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
