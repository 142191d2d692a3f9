"""Hostile and malformed input to every POST route: never a 500, always a page that explains.

Hypothesis generates form posts: the real field names with arbitrary values (unicode,
right-to-left text, emoji, control characters, huge strings, malformed dates), unknown
fields, repeated fields, and no CSRF token. "Explains" is strict: a redirect only to where
that form leads (a stored screening's result, for /submit), else a page with the error
summary or a field's error, the 'page expired' message, or the page the form leads to.
"""

from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from screening.database import db
from screening.intake.forms import CONSENT_FIELDS, DETAIL_FIELDS
from screening.models import Screening
from tests.factories import add_screening, add_therapist, consent, form_data, make_app

FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])
TEXT = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["", " ", "yes", "no", "not_sure", "2026-02-30", "31/12/1899", "1e309",
                     "-1", "NaN", "٣٠/١١/٢٠٢٦", "مرحبا بالعالم", "שלום", "Zoë 🌸💆‍♀️", "\u202eevil",
                     "\x00", "<script>alert(1)</script>", "' OR 1=1 --", "left_calf",
                     "%s%s%n", "../../etc/passwd"]),
    st.text(min_size=1000, max_size=5000),
)


#: Complete answers for varicose veins: with the details and consent, a form that is stored.
VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "small_flat",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}


def fields(names):
    """Some of the real field names, each with one or more arbitrary values, plus junk."""
    known = st.lists(st.tuples(st.sampled_from(names), TEXT), max_size=len(names) + 5)
    unknown = st.lists(st.tuples(st.text(min_size=1, max_size=20), TEXT), max_size=3)
    return st.builds(lambda a, b: MultiDict(a + b), known, unknown)


#: What a page a person can act on says: an error summary (or a field's own error), the
#: 'page expired' message (of a form's error summary, or of the page for a refused token).
ERRORS = ('class="error-summary"', 'class="field-error"', "This page expired",
          "This page has expired")
QUESTIONNAIRE = 'action="/questionnaire" novalidate data-questionnaire'
TOO_LARGE = "<h1>That was too much information to send</h1>"


def explains(response, *, onwards=(), pages=()) -> bool:
    """A response a person can act on: a redirect to one of the `onwards` places, given as
    (status, path prefix); or a page saying what is wrong (see ERRORS), or one of `pages`
    (text found only on that page); or, for a post too large, the page that says so."""
    if response.status_code in (301, 302, 303, 307, 308):
        path = urlsplit(response.headers["Location"]).path
        return any(response.status_code == status and path.startswith(prefix)
                   for status, prefix in onwards)
    html = response.get_data(as_text=True)  # a string search: parsing 40 pages a test is slow
    if response.status_code == 413:
        return TOO_LARGE in html
    return any(mark in html for mark in (*ERRORS, *pages))


def explains_intake(path, data, response) -> bool:
    """/questionnaire sends the client on to the check page (303), or shows the form again
    to change (when asked to) or with what is wrong; /submit stores the screening and sends
    the client on to its result (303), or shows what is wrong."""
    if path == "/submit":
        return explains(response, onwards=[(303, "/result/")])
    return explains(response, onwards=[(303, "/check/")],
                    pages=[QUESTIONNAIRE] if "change" in data else [])


@pytest.fixture
def intake_names(rulebook):
    base = form_data(rulebook)
    return [*base.keys(), "confirm", "signature", "signed_on", "change", "csrf_token"]


@pytest.mark.parametrize("path", ["/questionnaire", "/submit"])
def test_intake_posts_never_fail(client, intake_names, path):
    @FUZZ
    @given(data=fields(intake_names))
    def post(data):
        response = client.post(path, data=data)
        assert response.status_code < 500
        assert explains_intake(path, data, response), response.status_code

    post()


def test_a_mostly_valid_form_with_one_bad_value_never_fails(app, client, rulebook):
    """A complete, signed form with one field set to anything: the questionnaire shows the
    check page or what is wrong; sending it stores it or says what is wrong."""
    names = [*rulebook.questions, *DETAIL_FIELDS, "submission_key", *CONSENT_FIELDS]

    @FUZZ
    @example(name="email", value="")  # still valid (a phone number is given): it is stored
    @example(name="surgery_what", value="Knee; =1+1")  # not asked: dropped, and stored
    @given(name=st.sampled_from(names), value=TEXT)
    def post(name, value):
        data = consent(form_data(rulebook, VEINS))
        data.setlist(name, [value])
        for path in ("/questionnaire", "/submit"):
            response = client.post(path, data=data)
            assert response.status_code < 500, (name, value)
            assert explains_intake(path, data, response), (name, value, response.status_code)
            if response.status_code == 303:  # onwards to a result that opens
                assert client.get(response.headers["Location"]).status_code == 200

    post()
    with app.app_context():  # fuzzed values reached the storing path
        assert db.session.scalar(select(func.count()).select_from(Screening)) >= 1


def test_review_posts_never_fail(app, client, rulebook):
    with app.app_context():
        add_screening(rulebook)
    add_therapist(app)
    sign_in_names = ["email", "password", "next", "csrf_token"]
    decision_names = ["kind", "note", "cleared_on", "cleared_by", "csrf_token"]

    @FUZZ
    @given(sign_in=fields(sign_in_names), decision=fields(decision_names))
    def post(sign_in, decision):
        response = client.post("/review/sign-in", data=sign_in)
        assert response.status_code < 500 and explains(response), response.status_code
        client.post("/review/sign-in", data={"email": "kim@example.com",
                                             "password": "correct horse battery"})
        response = client.post("/review/screenings/1/decision", data=decision)
        assert response.status_code < 500
        assert explains(response, onwards=[(303, "/review/screenings/1")]), \
            response.status_code
        response = client.post("/review/sign-out", data=decision)
        assert response.status_code < 500

    app.config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"] = 10_000
    app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 10_000
    post()


def test_missing_csrf_tokens_are_refused_with_a_page(tmp_path, migrated_db, rulebook):
    path = tmp_path / "csrf.sqlite3"
    path.write_bytes(migrated_db.read_bytes())
    app = make_app(path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    for route in ("/questionnaire", "/submit", "/review/sign-in", "/review/sign-out",
                  "/review/screenings/1/decision"):
        response = client.post(route, data=consent(form_data(rulebook)))
        assert response.status_code in (200, 400), route
        assert nothing_stored(app), route
        html = response.get_data(as_text=True)
        assert "This page expired" in html or "This page has expired" in html, route


def nothing_stored(app) -> bool:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Screening)) == 0
