"""Form fields that forgive the way people type, and keep what they typed on error.

`parse_date`, `parse_number` and `parse_blood_pressure` read what people type; the answer
fields read a question's post through its question type (`question.kind.read`), as
`posted_answers` does.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext
from wtforms import RadioField, SelectMultipleField, StringField

_BLOOD_PRESSURE = re.compile(r"^\s*(\d{2,3})\s*/\s*(\d{2,3})\s*$")
#: A date field's message when what was typed is not a date (unless it has its own).
INVALID_DATE = lazy_gettext("Enter a real date, for example 2026-03-27")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d %B %Y",
                 "%d %b %Y")


def parse_date(text: str) -> date | None:
    """Read a date written as 2026-03-27, 27/3/2026, 27.03.2026, 27 3 2026 or 27 March 2026."""
    cleaned = re.sub(r"\s+", " ", text.strip())
    if not cleaned:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


def parse_number(text: str) -> int | float | None:
    """'12', '12.5' or '12,5' -> a number; blank -> None; anything else -> ValueError."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    number = float(cleaned)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is not a finite number")
    return int(number) if number.is_integer() else number


def parse_blood_pressure(text: Any) -> tuple[int, int] | None:
    """'135/85' -> (135, 85); anything else -> None."""
    match = _BLOOD_PRESSURE.match(text) if isinstance(text, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


class FlexibleDateField(StringField):
    """A date typed or picked in any common form; shown back as typed when it is wrong."""

    def __init__(self, *args, invalid_message: Any = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or INVALID_DATE

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else ""
        if not self.raw_text.strip():
            self.data = None
            return
        self.data = parse_date(self.raw_text)
        if self.data is None:
            raise ValueError(str(self.invalid_message))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""


class _ReadByQuestionType:
    """A question's form field: what was posted is read by its question type's `read`, the
    same code `posted_answers` uses, so the two read every post alike."""

    def __init__(self, label=None, validators=None, *, question, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.question = question

    def process_formdata(self, valuelist):
        self.data = None
        self.data = self.question.kind.read(self.question, valuelist)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class AnswerField(_ReadByQuestionType, StringField):
    """A typed answer: text, a date, a number, a reading; shown back as typed."""


class RadioAnswerField(_ReadByQuestionType, RadioField):
    """One answer picked from the question's choices."""


class CheckboxesAnswerField(_ReadByQuestionType, SelectMultipleField):
    """Any number of answers picked from the question's choices."""
