"""Plain functions that build answers and form posts the way a client fills them in."""

from datetime import date
from pathlib import Path

from werkzeug.datastructures import MultiDict

from screening import create_app

SECRET = "test-secret-key-0123456789abcdef"

DETAILS = {"client_name": "Ann Example", "date_of_birth": "1980-03-27",
           "phone": "07700 900982", "email": "ann@example.com", "appointment_date": ""}


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
    return create_app({"TESTING": True, "SECRET_KEY": SECRET,
                       "DATABASE_URL": f"sqlite:///{db_path}", "WTF_CSRF_ENABLED": False,
                       "CLINIC_NAME": "Riverside Massage", **config})
