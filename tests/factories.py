"""Plain functions that build answers and form posts the way a client fills them in."""

from datetime import date
from pathlib import Path

from werkzeug.datastructures import MultiDict

from screening import create_app

SECRET = "test-secret-key-0123456789abcdef"

DETAILS = {"client_name": "Ann Example", "date_of_birth": "1980-03-27",
           "phone": "07700 900982", "email": "ann@example.com", "appointment_date": ""}
#: Avoid some areas: large raised varicose veins in the left calf, no symptoms now.
VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "large_raised",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}


def all_no(rulebook):
    """A healthy client: No to every main question."""
    return {cid: "no" for cid in rulebook.conditions}


def form_data(rulebook, answers=None, submission_key="k" * 32, **details):
    """What the questionnaire posts: details, then each answer (lists as repeated fields)."""
    merged = {**all_no(rulebook), **(answers or {})}
    data = MultiDict({**DETAILS, **details, "submission_key": submission_key})
    for qid, value in merged.items():
        for item in value if isinstance(value, list) else [value]:
            data.add(qid, str(item))
    return data


def consent(data, signature="Ann Example", signed_on=None):
    """The check page's post: the carried answers plus the declaration."""
    data = MultiDict(data)
    data["confirm"] = "y"
    data["signature"] = signature
    data["signed_on"] = (signed_on or date.today()).isoformat()
    return data


def make_app(db_path: Path, **config):
    """The app in testing mode on the SQLite file `db_path` (CSRF off unless asked for)."""
    return make_app_on(f"sqlite:///{db_path}", **config)


def make_app_on(database_url: str, **config):
    """The app in testing mode on any database (a SQLAlchemy URL), CSRF off unless asked for."""
    return create_app({"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": database_url,
                       "WTF_CSRF_ENABLED": False, "CLINIC_NAME": "Riverside Massage", **config})


def add_screening(rulebook, answers=None, *, on=None, key=None, **fields):
    """Store a screening directly (in an app context), screened by the real engine."""
    from datetime import UTC, datetime

    from screening.answers import normalise
    from screening.database import db
    from screening.engine import evaluate
    from screening.intake.submission import stored_result
    from screening.models import Screening

    on = on or date.today()
    checked, problems = normalise(rulebook, {**all_no(rulebook), **(answers or {})}, today=on)
    assert problems == {}, problems
    result = evaluate(rulebook, checked, fields.get("appointment_date") or on)
    count = db.session.query(Screening).count()
    values = {
        "submission_key": key or f"key{count:029d}", "result_token_hash": f"{count:064d}",
        "client_name": f"Client {count}", "date_of_birth": date(1980, 3, 27),
        "email": "client@example.com", "phone": None, "appointment_date": None,
        "answers": checked, **stored_result(rulebook, result), "submitted_at": datetime.now(UTC),
        "signature": "Client", "signed_on": on, **fields}
    screening = Screening(**values)
    db.session.add(screening)
    db.session.commit()
    return screening


def add_therapist(app, email="kim@example.com", name="Kim Lee",
                  password="correct horse battery"):
    """Create an account through the CLI, as a clinic owner would."""
    result = app.test_cli_runner().invoke(
        args=["therapist", "add", email, "--name", name, "--password-stdin"],
        input=password + "\n")
    assert result.exit_code == 0, result.output
    return password


def sign_in(client, email="kim@example.com", password="correct horse battery", next_="",
            **request):
    """Post the sign-in form (`request`: headers, environ_base... for the test client)."""
    return client.post("/review/sign-in", data={"email": email, "password": password,
                                                "next": next_}, **request)


def copy_of(app, client):
    """Another browser holding a copy of this one's session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_in_therapist(app):
    """A test client of a therapist (a new account, see add_therapist) signed in."""
    password = add_therapist(app)
    client = app.test_client()
    response = client.post("/review/sign-in", data={"email": "kim@example.com",
                                                    "password": password})
    assert response.status_code == 302, response.status_code
    return client
