"""Checking an invitation's details: one set of rules, with the messages shown to the clinic,
for the review area's form, `flask invite` and the CSV import. No Flask here.

`check(raw, now)` takes text as typed (or read from a CSV cell) and gives either the
details or a message per field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..fields import parse_date

FIELDS = ("client_name", "email", "phone", "appointment_date", "appointment_time",
          "therapist", "note")
LENGTHS = {"client_name": 100, "email": 254, "phone": 25, "therapist": 100, "note": 500}
#: How far ahead an appointment can be.
MAX_AHEAD = timedelta(days=366)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,25}$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(?::(\d{2}))?\s*([ap])?\.?m?\.?$", re.I)
#: What a spreadsheet runs as a formula when a cell starts with it (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

def N_(message: str) -> str:
    """A message for the catalogue (`make translations` finds it), kept in English here: the
    review area's form shows it in the clinic's language (forms.py), the CLI as it is."""
    return message


class Problem(str):
    """A message with values, in English (as `flask invite` and the CSV import say it), that
    keeps its catalogue message and values for the review area's form to translate."""

    msgid: str
    values: dict

    def __new__(cls, msgid: str, **values) -> Problem:
        problem = super().__new__(cls, msgid % values)
        problem.msgid, problem.values = msgid, values
        return problem


MESSAGES = {
    "client_name": N_("Enter the client's name"),
    "contact": N_("Enter the client's email address (or a phone number), so the invitation "
               "can reach them"),
    "email": N_("Enter the email address in the correct format, like name@example.com"),
    "phone": N_("Enter a phone number, like 07700 900 982 or +44 7700 900982"),
    "date_missing": N_("Enter the appointment date"),
    "date_without_time": N_("Enter the appointment date as well as the time"),
    "date_format": N_("Enter the appointment date as a real date, for example 2026-12-04"),
    "date_past": N_("The appointment date is in the past: enter today's date or a later one"),
    "date_far": N_("The appointment must be within the next year"),
    "time_missing": N_("Enter the appointment time, for example 14:30"),
    "time_format": N_("Enter the appointment time as hours and minutes, for example 14:30"),
    "time_past": N_("That time today has passed: check the appointment date and time"),
}
LENGTH_MESSAGES = {
    "client_name": N_("Keep the client's name to %(count)s characters or fewer"),
    "email": N_("Keep the email address to %(count)s characters or fewer"),
    "phone": N_("Keep the phone number to %(count)s characters or fewer"),
    "therapist": N_("Keep the therapist's name to %(count)s characters or fewer"),
    "note": N_("Keep the note to %(count)s characters or fewer")}
FORMULA_MESSAGES = {
    "\t": N_("Remove the tab at the start: a spreadsheet would run this as a formula"),
    "\r": N_("Remove the line break at the start: a spreadsheet would run this as a formula")}


@dataclass(frozen=True)
class InvitationDetails:
    client_name: str
    email: str | None
    phone: str | None
    appointment_date: date
    appointment_time: time
    therapist: str
    note: str
    #: The client record the therapist chose; None for a new client.
    client_id: int | None = None
    #: The language of the client's emails and questionnaire; None: the clinic's.
    language: str | None = None


def key(item) -> tuple:
    """What makes two invitations the same: the client (email, else phone digits) and the
    appointment's date and time. Takes InvitationDetails or an Invitation."""
    contact = (item.email or "").lower() or re.sub(r"\D", "", item.phone or "")
    return contact, item.appointment_date, item.appointment_time


def parse_time(text: str) -> time | None:
    """'14:30', '14.30', '9:05', '14:30:00', '2:30 pm', '2pm' -> a time; else None."""
    match = _TIME.match(text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[4]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[4].lower() == "p" else 0)
    elif match[2] is None:
        return None  # a bare number is not a time
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def split_appointment(text: str) -> tuple[str, str]:
    """'2026-12-04 14:30' -> ('2026-12-04', '14:30'); a time alone -> ('', '14:30')."""
    words = re.sub(r"^(\d{4}-\d\d-\d\d)T", r"\1 ", text.strip()).split()
    for size in (1, 2):  # '14:30', or '2:30 pm'
        if len(words) >= size and parse_time(" ".join(words[-size:])) is not None:
            return " ".join(words[:-size]), " ".join(words[-size:])
    return " ".join(words), ""


def formula_problem(name: str, value: str) -> str | None:
    """A message when a value would run as a spreadsheet formula (a phone number may start
    with +)."""
    if not value or not value.startswith(FORMULA_STARTS):
        return None
    if name == "phone" and value.startswith("+") and _PHONE.match(value):
        return None
    if value[0] in FORMULA_MESSAGES:
        return FORMULA_MESSAGES[value[0]]
    return Problem(N_("Remove the %(character)s at the start: a spreadsheet would run this as "
                      "a formula"), character=value[0])


def field_problem(name: str, value: str) -> str | None:
    """What is wrong with one field's (stripped) text on its own, if anything."""
    problem = formula_problem(name, value)
    if problem:
        return problem
    if name in LENGTHS and len(value) > LENGTHS[name]:
        return Problem(LENGTH_MESSAGES[name], count=LENGTHS[name])
    if name == "client_name" and not value:
        return MESSAGES["client_name"]
    if name == "email" and value and not _EMAIL.match(value):
        return MESSAGES["email"]
    if name == "phone" and value and not _PHONE.match(value):
        return MESSAGES["phone"]
    return None


def check_language(text: str | None, offered: Sequence[str]) -> tuple[str | None, str | None]:
    """A language code as typed ('es', ' ES ') -> (code, None); nothing -> (None, None), the
    clinic's language; a language not offered -> (None, a message naming those offered)."""
    code = (text or "").strip().lower()
    if not code:
        return None, None
    if code in offered:
        return code, None
    return None, Problem(N_("%(code)s is not a language the questionnaire is offered in: use "
                            "%(offered)s"), code=repr(code), offered=" or ".join(offered))


def check(raw: Mapping[str, str | None], now: datetime
          ) -> tuple[InvitationDetails | None, dict[str, str]]:
    """The details, or None and a message per field. `now` is the clinic's local time."""
    text = {name: (raw.get(name) or "").strip() for name in FIELDS}
    errors = {name: problem for name, value in text.items()
              if (problem := field_problem(name, value))}
    if not text["email"] and not text["phone"]:
        errors.setdefault("email", MESSAGES["contact"])
    when = _check_appointment(text, now, errors)
    if errors:
        return None, errors
    return InvitationDetails(
        client_name=text["client_name"], email=text["email"] or None,
        phone=text["phone"] or None, appointment_date=when[0], appointment_time=when[1],
        therapist=text["therapist"], note=text["note"]), {}


def _check_appointment(text: dict[str, str], now: datetime, errors: dict[str, str]):
    if "appointment_date" in errors or "appointment_time" in errors:
        return None
    day_text, time_text = text["appointment_date"], text["appointment_time"]
    if not day_text:
        errors["appointment_date"] = MESSAGES["date_without_time" if time_text
                                              else "date_missing"]
    day = parse_date(day_text) if day_text else None
    if day_text and day is None:
        errors["appointment_date"] = MESSAGES["date_format"]
    elif day is not None and day < now.date():
        errors["appointment_date"] = MESSAGES["date_past"]
    elif day is not None and day > now.date() + MAX_AHEAD:
        errors["appointment_date"] = MESSAGES["date_far"]
    at = parse_time(time_text) if time_text else None
    if not time_text:
        errors["appointment_time"] = MESSAGES["time_missing"]
    elif at is None:
        errors["appointment_time"] = MESSAGES["time_format"]
    elif day == now.date() and at <= now.time():
        errors["appointment_time"] = MESSAGES["time_past"]
    if "appointment_date" in errors or "appointment_time" in errors:
        return None
    return day, at
