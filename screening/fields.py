"""Form fields that forgive the way people type, and keep what they typed on error."""

from __future__ import annotations

import re
from datetime import date, datetime

from wtforms import StringField

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


class FlexibleDateField(StringField):
    """A date typed or picked in any common form; shown back as typed when it is wrong."""

    def __init__(self, *args, invalid_message: str = "Enter a real date, for example "
                 "2026-03-27", **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else ""
        if not self.raw_text.strip():
            self.data = None
            return
        self.data = parse_date(self.raw_text)
        if self.data is None:
            raise ValueError(self.invalid_message)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""


class NumberField(StringField):
    """A number typed as text (so a mistake is shown back as typed)."""

    def __init__(self, *args, invalid_message: str = "Enter a number", **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        try:
            self.data = parse_number(valuelist[0] if valuelist else "")
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)
