"""Load-test machinery: clients filling in the form (gunicorn runs in bench/gunicorn_server.py).

The clients speak plain HTTP with `http.client` (one connection per request, as gunicorn's
sync workers close each one) and do what a browser does: load the questionnaire (which sets
the session cookie and carries the CSRF token and the submission key in hidden fields), then
post the whole submission with the declaration signed.
"""

from __future__ import annotations

import html
import http.client
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from tests.factories import VEINS, consent, form_data

#: The name under which each load test keeps what it measured (a user property of its
#: report, so that it reaches the main process under pytest-xdist too), for the summary at
#: the end of the run (tests/conftest.py).
SUMMARY = "load test"


def summarise(request, line: str) -> None:
    """Keep `line`, what this test measured, for the "load test" summary of the run."""
    request.node.user_properties.append((SUMMARY, line))

_INPUT = re.compile(r"<input\b[^>]*>")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
_COOKIE = re.compile(r"^(session=[^;]*)")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str


def request(port: int, method: str, path: str, body: str | None = None,
            cookie: str | None = None) -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Response(response.status, response.headers,
                        response.read().decode("utf-8", errors="replace"))
    finally:
        connection.close()


def hidden_fields(page: str) -> dict[str, str]:
    """The form's hidden inputs (name -> value), as a browser would send them."""
    fields = {}
    for tag in _INPUT.findall(page):
        attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields.setdefault(attributes["name"], attributes.get("value", ""))
    return fields


@dataclass
class LoadRun:
    """Everything the clients saw."""

    #: (what, status) -> how many, e.g. ("submit", 303).
    statuses: Counter = field(default_factory=Counter)
    #: submission key -> the Location of every response to it (more than one when sent twice).
    locations: dict[str, list[str]] = field(default_factory=dict)
    #: submission key -> the client name sent with it.
    names: dict[str, str] = field(default_factory=dict)
    #: Transport errors and unexpected responses, with the start of the body.
    problems: list[str] = field(default_factory=list)
    double_submissions: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def note(self, what: str, response: Response, expected: int) -> None:
        with self._lock:
            self.statuses[what, response.status] += 1
            if response.status != expected:
                self.problems.append(f"{what}: {response.status}: {response.body[:500]!r}")

    def expect(self, key: str, name: str) -> None:
        with self._lock:
            self.names[key] = name
            self.locations[key] = []

    def landed(self, key: str, location: str) -> None:
        with self._lock:
            self.locations[key].append(location)

    def doubled(self) -> None:
        with self._lock:
            self.double_submissions += 1

    def problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)

    def server_errors(self) -> int:
        return sum(count for (_what, status), count in self.statuses.items() if status >= 500)

    def requests(self) -> int:
        return sum(self.statuses.values())


class Clients:
    """`count` clients in threads, sharing out `submissions` questionnaires to fill in.

    Every 20th submission is sent twice in a row (a refresh or a retry), and another 20th
    twice at the same moment from two connections (a double click), with the same cookie,
    CSRF token and submission key: each must be stored once and both responses must lead
    to the same result.
    """

    def __init__(self, port: int, rulebook, submissions: int, count: int):
        self.port, self.rulebook, self.submissions, self.count = port, rulebook, submissions, count
        self.run = LoadRun()
        self._next = iter(range(submissions))
        self._next_lock = threading.Lock()

    def go(self) -> LoadRun:
        started = time.perf_counter()
        threads = [threading.Thread(target=self._client, name=f"load-client-{number}")
                   for number in range(self.count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.run.seconds = time.perf_counter() - started
        return self.run

    def _take(self) -> int | None:
        with self._next_lock:
            return next(self._next, None)

    def _client(self) -> None:
        while (number := self._take()) is not None:
            try:
                self._fill_in(number)
            except Exception as error:  # a transport error: counted, the client goes on
                self.run.problem(f"submission {number}: {type(error).__name__}: {error}")

    def _fill_in(self, number: int) -> None:
        page = request(self.port, "GET", "/questionnaire")
        self.run.note("questionnaire", page, 200)
        if page.status != 200:
            return
        cookies = [_COOKIE.match(value) for value in page.headers.get_all("Set-Cookie") or []]
        cookie = next((match.group(1) for match in cookies if match), None)
        hidden = hidden_fields(page.body)
        missing = {"csrf_token", "submission_key"} - hidden.keys()
        if cookie is None or missing:
            self.run.problem(f"submission {number}: the questionnaire came without "
                             f"{sorted(missing) or 'a session cookie'}")
            return
        key, name = hidden["submission_key"], f"Load Client {number:04d}"
        data = consent(form_data(self.rulebook, VEINS if number % 3 == 1 else None,
                                 submission_key=key, client_name=name))
        data["csrf_token"] = hidden["csrf_token"]
        body = urlencode(list(data.items(multi=True)))
        self.run.expect(key, name)
        if number % 20 == 15:  # a double click: both at once
            self.run.doubled()
            together = threading.Barrier(2)
            second = threading.Thread(target=self._submit, args=(key, body, cookie, together))
            second.start()
            self._submit(key, body, cookie, together)
            second.join()
        else:
            self._submit(key, body, cookie)
            if number % 20 == 5:  # a refresh, or a retry after no answer came
                self.run.doubled()
                self._submit(key, body, cookie)

    def _submit(self, key: str, body: str, cookie: str,
                together: threading.Barrier | None = None) -> None:
        try:
            if together is not None:
                together.wait(timeout=30)
            response = request(self.port, "POST", "/submit", body=body, cookie=cookie)
        except Exception as error:  # a transport error: counted, the client goes on
            self.run.problem(f"submission {key}: {type(error).__name__}: {error}")
            return
        self.run.note("submit", response, 303)
        self.run.landed(key, urlsplit(response.headers.get("Location", "")).path)


def fetch_all(port: int, paths: list[str], count: int) -> dict[str, Response | Exception]:
    """GET every path, `count` at a time."""
    results: dict[str, Response | Exception] = {}
    remaining = iter(paths)
    lock = threading.Lock()

    def fetch() -> None:
        while True:
            with lock:
                path = next(remaining, None)
            if path is None:
                return
            try:
                response: Response | Exception = request(port, "GET", path)
            except Exception as error:  # reported by the test
                response = error
            with lock:
                results[path] = response

    threads = [threading.Thread(target=fetch) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
