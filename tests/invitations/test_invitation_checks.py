"""The rules an invitation's details are checked by (validation.py: no Flask), and the
settings the mail needs."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from screening.invitations.validation import (
    check,
    formula_problem,
    key,
    parse_time,
    split_appointment,
)
from tests.factories import make_app

NOW = datetime(2026, 12, 3, 15, 0)


@pytest.mark.parametrize("text, expected", [
    ("14:30", time(14, 30)), ("9:05", time(9, 5)), ("09.05", time(9, 5)),
    ("14h30", time(14, 30)), ("14:30:00", time(14, 30)), ("2pm", time(14, 0)),
    ("2:30 PM", time(14, 30)), ("12am", time(0, 0)), ("12:15 p.m.", time(12, 15)),
    ("14", None), ("25:00", None), ("7:60", None), ("13pm", None), ("noon", None), ("", None),
])
def test_times_are_read_as_people_write_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2026-12-04 14:30", ("2026-12-04", "14:30")),
    ("2026-12-04T14:30:00", ("2026-12-04", "14:30:00")),
    ("4 December 2026 2:30 pm", ("4 December 2026", "2:30 pm")),
    ("14:30", ("", "14:30")),
    ("2026-12-04", ("2026-12-04", "")),
    ("", ("", "")),
])
def test_an_appointment_splits_into_date_and_time(text, expected):
    assert split_appointment(text) == expected


@pytest.mark.parametrize("name, value, flagged", [
    ("client_name", "=1+1", True), ("client_name", "@SUM(A1)", True),
    ("client_name", "+CMD", True), ("client_name", "-2+3", True), ("note", "\t=1", True),
    ("phone", "+44 7700 900982", False), ("phone", "+CMD|' /C calc'!A0", True),
    ("client_name", "Ann = Bo", False), ("email", "", False),
])
def test_values_a_spreadsheet_would_run_as_formulas_are_refused(name, value, flagged):
    assert (formula_problem(name, value) is not None) == flagged


def test_good_details_come_back_cleaned():
    details, errors = check({"client_name": "  Ann Example ", "email": " ann@example.com",
                             "appointment_date": "4/12/2026", "appointment_time": "4pm"}, NOW)
    assert errors == {}
    assert details.client_name == "Ann Example" and details.email == "ann@example.com"
    assert (details.appointment_date, details.appointment_time) == (date(2026, 12, 4),
                                                                   time(16, 0))
    assert details.phone is None and details.therapist == details.note == ""


def test_later_today_is_fine_earlier_today_is_not():
    base = {"client_name": "Ann", "phone": "07700 900982", "appointment_date": "2026-12-03"}
    assert check({**base, "appointment_time": "15:30"}, NOW)[1] == {}
    assert "appointment_time" in check({**base, "appointment_time": "14:59"}, NOW)[1]


def test_the_same_client_is_found_by_email_in_any_case_or_by_phone_digits():
    one, _ = check({"client_name": "A", "email": "Ann@Example.com", "appointment_date":
                    "2026-12-04", "appointment_time": "10:00"}, NOW)
    two, _ = check({"client_name": "B", "email": "ann@example.com", "appointment_date":
                    "4 December 2026", "appointment_time": "10.00"}, NOW)
    three, _ = check({"client_name": "C", "phone": "07700 900-982", "appointment_date":
                      "2026-12-04", "appointment_time": "10:00"}, NOW)
    four, _ = check({"client_name": "C", "phone": "(07700) 900982", "appointment_date":
                     "2026-12-04", "appointment_time": "10:00"}, NOW)
    assert key(one) == key(two) and key(three) == key(four) and key(one) != key(three)


@pytest.mark.parametrize("settings, message", [
    ({"MAIL_SERVER": "smtp.example.com", "BASE_URL": "https://x.example"},
     "SCREENING_MAIL_SERVER is set, so set SCREENING_MAIL_FROM too"),
    ({"MAIL_SERVER": "smtp.example.com", "MAIL_FROM": "a@example.com"},
     "SCREENING_MAIL_SERVER is set, so set SCREENING_BASE_URL too"),
    ({"BASE_URL": "forms.example.com"}, "SCREENING_BASE_URL='forms.example.com'"),
    ({"ALERT_EMAILS": "team@example.com, not-an-address"},
     "SCREENING_ALERT_EMAILS: 'not-an-address' is not an email address"),
    ({"MAIL_PORT": "587"}, "SCREENING_MAIL_PORT='587'"),
    ({"REMINDER_HOURS": 0}, "SCREENING_REMINDER_HOURS=0"),
    ({"MAIL_USE_TLS": "yes"}, "SCREENING_MAIL_USE_TLS='yes': use true or false"),
])
def test_a_wrong_mail_setting_stops_the_app_saying_what_to_change(tmp_path, settings, message):
    with pytest.raises(RuntimeError) as stopped:
        make_app(tmp_path / "s.sqlite3", **settings)
    assert message in str(stopped.value)


def test_mail_settings_from_the_environment(tmp_path, monkeypatch):
    for name, value in {"MAIL_SERVER": "smtp.example.com", "MAIL_PORT": "587",
                        "MAIL_USE_TLS": "true", "MAIL_USERNAME": "clinic",
                        "MAIL_PASSWORD": "123456", "MAIL_FROM": "Clinic <c@example.com>",
                        "BASE_URL": "https://forms.example.com/",
                        "ALERT_EMAILS": "a@example.com;b@example.com"}.items():
        monkeypatch.setenv(f"SCREENING_{name}", value)
    app = make_app(tmp_path / "s.sqlite3")
    mailman = app.extensions["mailman"]
    assert (mailman.server, mailman.port, mailman.use_tls) == ("smtp.example.com", 587, True)
    assert (mailman.username, mailman.password) == ("clinic", "123456")  # text, not a number
    assert mailman.default_sender == "Clinic <c@example.com>" and mailman.backend == "smtp"
    assert app.config["BASE_URL"] == "https://forms.example.com"
    assert app.config["ALERT_EMAILS"] == ["a@example.com", "b@example.com"]
