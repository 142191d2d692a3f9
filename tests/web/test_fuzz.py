"""Hostile and malformed input to every POST route: never a 500, always a page that explains.

Hypothesis generates form posts: the real field names with arbitrary values (unicode,
right-to-left text, emoji, control characters, huge strings, malformed dates), unknown
fields, repeated fields, and no CSRF token.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.factories import add_screening, add_therapist, form_data, make_app

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


def fields(names):
    """Some of the real field names, each with one or more arbitrary values, plus junk."""
    known = st.lists(st.tuples(st.sampled_from(names), TEXT), max_size=len(names) + 5)
    unknown = st.lists(st.tuples(st.text(min_size=1, max_size=20), TEXT), max_size=3)
    return st.builds(lambda a, b: MultiDict(a + b), known, unknown)


def explains(response) -> bool:
    """A page a person can act on: an error summary, a heading, or a redirect onwards."""
    if response.status_code in (302, 303):
        return True
    html = response.get_data(as_text=True)  # a string search: parsing 40 pages a test is slow
    return 'class="error-summary"' in html or "<h1" in html


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
        assert explains(response)

    post()


def test_a_mostly_valid_form_with_one_bad_value_never_fails(client, rulebook):
    names = list(rulebook.questions)

    @FUZZ
    @given(name=st.sampled_from(names + ["client_name", "date_of_birth", "appointment_date",
                                         "email", "phone", "submission_key"]), value=TEXT)
    def post(name, value):
        data = form_data(rulebook, {"varicose_veins": "yes"})
        data.setlist(name, [value])
        for path in ("/questionnaire", "/submit"):
            response = client.post(path, data=data)
            assert response.status_code < 500, (name, value)
            assert explains(response)

    post()


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
        assert response.status_code < 500 and explains(response)
        client.post("/review/sign-in", data={"email": "kim@example.com",
                                             "password": "correct horse battery"})
        response = client.post("/review/screenings/1/decision", data=decision)
        assert response.status_code < 500 and explains(response)
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
        response = client.post(route, data=form_data(rulebook))
        assert response.status_code in (200, 302, 400), route
        assert explains(response), route
