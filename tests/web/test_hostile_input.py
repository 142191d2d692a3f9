"""Hostile requests to every route, anonymous and signed in: files posted in forms, line
breaks in `next`, numbers too large for the database, and hypothesis fuzzing all of them
(with multipart bodies) fails on any 5xx or anything the app logs as an error."""

import io
import logging
import re
import struct
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from screening.database import MAX_ROW_ID, db
from screening.models import AuditEvent, Decision, Screening
from tests.factories import add_screening, consent, form_data, sign_in

VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "small_flat",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}
#: Numbers a path or ?page= can hold that no row or page has: up to far past 64 bits.
OUT_OF_RANGE = [MAX_ROW_ID + 1, 2**63 - 1, 2**63, 2**64, 10**30]
FILE_REFUSED = "Files cannot be sent with this form"


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def post_forms(rulebook) -> dict[str, MultiDict]:
    """Every form the app takes, by the path it is posted to, filled in as a person would."""
    signed = consent(form_data(rulebook, VEINS))
    return {
        "/questionnaire": signed, "/submit": signed, "/save": signed,
        "/review/sign-in": MultiDict({"email": "kim@example.com",
                                      "password": "correct horse battery", "next": "/review/"}),
        "/review/screenings/<int:screening_id>/decision": MultiDict(
            {"kind": "cleared_by_doctor", "note": "Fine", "cleared_on": "2026-01-05",
             "cleared_by": "Dr A Patel, GP"}),
        "/review/sign-out": MultiDict({"csrf_token": "x"}),
        "/review/sessions/sign-out-others": MultiDict({"csrf_token": "x"}),
        "/review/invitations/new": MultiDict(
            {"client_name": "Ana Diaz", "email": "ana@example.com", "appointment_date":
             "2026-12-04", "appointment_time": "14:30", "therapist": "Kim", "note": ""}),
        "/review/invitations/<int:invitation_id>/resend": MultiDict({"email": "ana@example.com"}),
        "/review/invitations/<int:invitation_id>/cancel": MultiDict({"csrf_token": "x"}),
        "/review/emails/<int:message_id>/retry": MultiDict({"csrf_token": "x"}),
        "/review/clients/<int:client_id>/merge": MultiDict({"other": "2"}),
        "/start/<token>": signed,
        "/review/clients/<int:client_id>/unmerge": MultiDict({"csrf_token": "x"}),
    }


def test_every_form_the_app_takes_is_checked_here(app, rulebook):
    posted = {rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posted == set(post_forms(rulebook))


def with_a_file_for(data: MultiDict, name: str) -> dict:
    """The form as multipart, with a file sent in place of the field `name`."""
    return {**{key: data.getlist(key) for key in data if key != name},
            name: (io.BytesIO(b"%PDF-1.4 not text"), "scan.pdf", "application/pdf")}


@pytest.mark.parametrize("who", ["anonymous", "signed in"])
def test_a_file_in_place_of_any_field_of_any_form_is_refused_with_a_page(app, client,
                                                                         therapist, rulebook,
                                                                         who):
    with app.app_context():
        add_screening(rulebook)
    if who == "signed in":
        sign_in(client)
    recorded = audit_events(app)
    for route, data in post_forms(rulebook).items():
        path = re.sub(r"<int:\w+>", "1", route)
        for name in data:
            response = client.post(path, data=with_a_file_for(data, name))
            assert response.status_code == 400, (path, name)
            assert page(response).h1.get_text() == FILE_REFUSED, (path, name)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Screening)) == 1
        assert db.session.scalar(select(Decision)) is None
    assert audit_events(app) == recorded  # no sign-in, sign-out or decision either


def audit_events(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_forms_sent_as_multipart_without_files_still_work(client, therapist, rulebook):
    check = client.post("/questionnaire", data=consent(form_data(rulebook, VEINS)),
                        content_type="multipart/form-data", follow_redirects=True)
    assert page(check).h1.get_text() == "Check your answers before sending them"
    signed = client.post("/review/sign-in", content_type="multipart/form-data",
                         data={"email": "kim@example.com", "password": "correct horse battery"})
    assert signed.headers["Location"] == "/review/"


@pytest.mark.parametrize("target", ["/review/\nX", "/review/audit\r\nSet-Cookie: a=b",
                                    "/review/\rX", "/review/\x00", "/review/\u2028X",
                                    "/review/\tX"])
def test_a_next_with_a_line_break_or_control_character_is_not_used(client, therapist, target):
    after = sign_in(client, next_=target)
    assert after.status_code == 302 and after.headers["Location"] == "/review/"
    again = client.get("/review/sign-in", query_string={"next": target})  # already signed in
    assert again.status_code == 302 and again.headers["Location"] == "/review/"


def id_routes(app) -> list[tuple[str, str]]:
    """(method, rule) of every route with a number in its path."""
    return [(method, rule.rule) for rule in app.url_map.iter_rules() if "<int:" in rule.rule
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def test_ids_too_large_for_the_database_are_not_found(app, signed_in, rulebook):
    with app.app_context():
        add_screening(rulebook, VEINS)
    routes = id_routes(app)
    assert len(routes) >= 7  # the screening, its decision, record, letter, PDFs, FHIR, CSS
    for method, rule in routes:
        for number in [0, MAX_ROW_ID, *OUT_OF_RANGE]:
            path = re.sub(r"<int:\w+>", str(number), rule)
            response = signed_in.open(path, method=method, data={"kind": "go_ahead"})
            assert response.status_code == 404, path
            assert page(response).h1.get_text() == "Page not found"


@pytest.mark.parametrize("asked", [str(number) for number in OUT_OF_RANGE] + ["3", "99"])
def test_a_page_past_the_end_is_the_last_page(app, signed_in, rulebook, asked):
    with app.app_context():
        for _ in range(30):
            add_screening(rulebook)
        for number in range(60):  # with the account's and sign-in's: two pages of 50
            db.session.add(AuditEvent(at=datetime.now(UTC), action="view_screening",
                                      subject=f"event {number}"))
        db.session.commit()
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    queue = page(signed_in.get(f"/review/?page={asked}"))
    assert "Page 2 of 2" in queue.get_text()
    assert len(queue.select("table.queue tbody tr")) == 5
    audit = page(signed_in.get(f"/review/audit?page={asked}&x=1"))
    assert "Page 2 of 2" in audit.get_text()
    assert len(audit.select("table.queue tbody tr")) == events - 50


@pytest.mark.parametrize("asked", ["0", "-1", "-99999999999999999999", "two", ""])
def test_a_page_before_the_first_or_not_a_number_is_the_first_page(app, signed_in, rulebook,
                                                                   asked):
    with app.app_context():
        for _ in range(30):
            add_screening(rulebook)
    assert "Page 1 of 2" in page(signed_in.get(f"/review/?page={asked}")).get_text()


def test_the_favicon_is_our_own_small_icon(client):
    with client.get("/favicon.ico") as response:
        icon = response.data
    assert response.status_code == 200
    assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert "no-store" not in response.headers.get("Cache-Control", "")  # browsers may keep it
    reserved, kind, count = struct.unpack("<HHH", icon[:6])
    assert (reserved, kind) == (0, 1) and len(icon) < 4096
    sizes = []
    for number in range(count):
        width, height, *_, length, offset = struct.unpack(
            "<BBBBHHII", icon[6 + 16 * number:22 + 16 * number])
        image = icon[offset:offset + length]
        assert image.startswith(b"\x89PNG\r\n\x1a\n")
        assert struct.unpack(">II", image[16:24]) == (width, height)
        sizes.append(width)
    assert {16, 32} <= set(sizes)


# --- hypothesis: every route, anonymous and signed in ----------------------------------------

FUZZ = settings(max_examples=12, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "yes", "go_ahead", "2026-02-30", "/review/\nX", "%0A", "\x00",
                     "../../etc/passwd", "-1", "1e309", "٣", "Zoë 🌸", "\u202e"]),
    st.sampled_from([0, 1, *OUT_OF_RANGE]).map(str),
)
NUMBER = st.one_of(st.sampled_from([0, 1, 2, MAX_ROW_ID, *OUT_OF_RANGE]).map(str),
                   st.integers(min_value=0, max_value=10**40).map(str),
                   st.sampled_from(["-1", "1.5", "٣", "１"]))
NAMES = st.one_of(st.sampled_from(["email", "password", "next", "kind", "note", "cleared_on",
                                   "cleared_by", "client_name", "date_of_birth", "signature",
                                   "confirm", "submission_key", "varicose_veins", "csrf_token",
                                   "page", "q", "outcome", "state", "from", "to"]),
                  st.text(min_size=1, max_size=12))
FIELDS = st.lists(st.tuples(NAMES, TEXT), max_size=8).map(MultiDict)
FILES = st.lists(st.tuples(NAMES, st.binary(max_size=200), st.text(max_size=20),
                           st.sampled_from(["text/plain", "application/octet-stream",
                                            "image/png", "text/html; charset=utf-8"])),
                 min_size=1, max_size=3)
#: (keyword arguments for the test client's open) for a body of each kind.
BODIES = st.one_of(
    st.just({}),
    FIELDS.map(lambda fields: {"data": fields}),
    FIELDS.map(lambda fields: {"data": fields, "content_type": "multipart/form-data"}),
    st.tuples(FIELDS, FILES).map(lambda parts: {"data": {
        **{key: parts[0].getlist(key) for key in parts[0]},
        **{name: (io.BytesIO(content), filename, kind)
           for name, content, filename, kind in parts[1]}}}),
    st.binary(max_size=300).map(lambda raw: {
        "data": raw, "content_type": "multipart/form-data; boundary=xyz"}),
)
_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def paths(rule, real_rows: bool):
    """The rule's path with each part of it drawn: numbers for <int:...> (the real rows'
    ids too, unless `real_rows` is False), text for the rest."""
    parts = [(converter or "default", name) for converter, name in _PART.findall(rule.rule)]
    numbers = NUMBER if real_rows else NUMBER.filter(lambda text: text not in ("1", "2"))
    drawn = [numbers if converter == "int" else TEXT.map(
        lambda text, converter=converter: quote(text, safe="/" if converter == "path" else ""))
        for converter, _ in parts]

    def fill(values):
        values = iter(values)
        return _PART.sub(lambda _: next(values), rule.rule)

    return st.tuples(*drawn).map(fill)


def requests(rule):
    """A request to `rule`: its methods and POST, a path, a query string and a body."""
    # A PDF is only made for a real row; tests/web/test_printing.py makes those, slowly.
    real_rows = not rule.endpoint.endswith("_pdf")
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"} | {"POST"})
    return st.tuples(st.sampled_from(methods), paths(rule, real_rows),
                     st.lists(st.tuples(NAMES, TEXT), max_size=4), BODIES)


@pytest.mark.parametrize("who", ["anonymous", "signed in"])
def test_every_route_answers_hostile_requests_without_a_server_error(app, client, therapist,
                                                                     rulebook, caplog, who):
    app.config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"] = 10_000
    app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 10_000
    with app.app_context():
        add_screening(rulebook, VEINS)
        add_screening(rulebook)
    rules = list(app.url_map.iter_rules())
    assert len(rules) >= 25

    def hostile(request):
        method, path, query, body = request
        if who == "signed in":
            with client.session_transaction() as session:
                signed_out = "_user_id" not in session  # by a fuzzed sign-out
            if signed_out:
                assert sign_in(client).status_code == 302
        caplog.clear()
        with caplog.at_level(logging.WARNING), \
                client.open(path, method=method, query_string=MultiDict(query), **body) as response:
            pass  # closed at once: a static file's stays open otherwise
        assert response.status_code < 500, (method, path, response.status_code)
        logged = [record for record in caplog.records if record.levelno >= logging.ERROR]
        assert logged == [] and "Traceback" not in caplog.text, caplog.text

    for rule in rules:  # each route gets its own examples
        FUZZ(given(request=requests(rule))(hostile))()
