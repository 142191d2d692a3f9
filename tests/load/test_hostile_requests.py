"""The hostile requests of tests/web/test_hostile_input.py sent to the app under gunicorn, as
a browser or a script would send them over HTTP (CSRF on): every answer is below 500 and
gunicorn's log has no traceback."""

from __future__ import annotations

import http.client
import secrets
from urllib.parse import quote, urlencode

import pytest

from screening.database import MAX_ROW_ID, db
from tests.factories import add_screening, add_therapist, make_app_on
from tests.load.harness import Response, hidden_fields

BIG = [MAX_ROW_ID + 1, 2**63, 10**30]
ID_PATHS = ["/review/screenings/{}", "/review/screenings/{}/record.pdf",
            "/review/screenings/{}/doctor-letter", "/review/screenings/{}/fhir.json",
            "/review/screenings/{}/print.css"]
FORMS = ["/questionnaire", "/submit", "/review/sign-in", "/review/screenings/1/decision",
         "/review/sign-out", "/review/sessions/sign-out-others"]


@pytest.fixture
def server(fresh_database_url, start_gunicorn, rulebook):
    app = make_app_on(fresh_database_url)
    add_therapist(app)
    with app.app_context():
        add_screening(rulebook)
        db.session.remove()
        db.engine.dispose()
    return start_gunicorn(fresh_database_url, workers=2)


class Browser:
    """One session cookie, kept from answer to answer, over plain HTTP."""

    def __init__(self, port: int):
        self.port, self.cookie = port, ""
        #: A page with a form, for a CSRF token: sign-in redirects once signed in.
        self.form_page = "/review/sign-in"

    def send(self, method: str, path: str, body: bytes | None = None,
             content_type: str = "") -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Response(response.status, response.headers,
                              response.read().decode("utf-8", errors="replace"))
        finally:
            connection.close()
        for value in answer.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return answer

    def token(self) -> str:
        return hidden_fields(self.send("GET", self.form_page).body)["csrf_token"]

    def sign_in(self, next_: str = "") -> Response:
        self.form_page = "/review/sign-in"
        response = self.post("/review/sign-in", {
            "csrf_token": self.token(), "email": "kim@example.com",
            "password": "correct horse battery", "next": next_})
        self.form_page = "/review/sessions"
        return response

    def post(self, path: str, fields: dict[str, str]) -> Response:
        return self.send("POST", path, urlencode(fields).encode(),
                         "application/x-www-form-urlencoded")


def multipart_with_a_file(token: str) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"email\"; "
            f"filename=\"scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n"
            f"--{boundary}--\r\n")
    return body.encode(), f"multipart/form-data; boundary={boundary}"


def test_hostile_requests_over_http_get_no_server_error_and_leave_no_traceback(server):
    anonymous, therapist = Browser(server.port), Browser(server.port)
    answers: list[tuple[str, str, int]] = []

    def note(who: str, what: str, response: Response) -> Response:
        answers.append((who, what, response.status))
        return response

    assert therapist.sign_in().status == 302
    for who, browser in (("anonymous", anonymous), ("signed in", therapist)):
        for path in FORMS:
            body, content_type = multipart_with_a_file(browser.token())
            response = note(who, path, browser.send("POST", path, body, content_type))
            assert response.status == 400 and "Files cannot be sent" in response.body, path
        for pattern in ID_PATHS:
            for number in BIG:
                path = pattern.format(number)
                assert note(who, path, browser.send("GET", path)).status == 404, path
        note(who, "favicon", browser.send("GET", "/favicon.ico"))
    for number in BIG:
        queue = note("signed in", "page", therapist.send("GET", f"/review/?page={number}"))
        assert queue.status == 200
        assert note("signed in", "audit page",
                    therapist.send("GET", f"/review/audit?page={number}")).status == 200
    for target in ("/review/\nX", "/review/\r\nSet-Cookie: a=b", "/review/é"):
        again = note("signed in", "next", therapist.send(
            "GET", f"/review/sign-in?next={quote(target)}"))
        assert again.status == 302
    assert therapist.post("/review/sign-out", {"csrf_token": therapist.token()}).status == 302
    after = note("anonymous", "sign-in next", therapist.sign_in("/review/\nX"))
    assert after.status == 302 and after.headers["Location"] == "/review/"
    log = server.log_text()
    assert [answer for answer in answers if answer[2] >= 500] == []
    assert "Traceback" not in log and "Error handling request" not in log, log
