"""Reading a CSV of bookings (one row a client) into invitations: every problem found, with
its line and column, before anything is stored.

The columns (in any order, names in any case): `name`, `email` and/or `phone`, the
appointment as `date` and `time` (or one `appointment` column, "2026-12-04 14:30"), and
optionally `therapist`, `note`, `client_number` (the client's record, for a client the
clinic already knows: empty for a new client, who gets a new record) and `language` (of
the client's emails and questionnaire, "es"; empty for the clinic's). Other columns are
ignored. Commas, semicolons or tabs between values; UTF-8 text (what spreadsheets call "CSV UTF-8").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from .validation import InvitationDetails, check, check_language, key, split_appointment

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
#: Column names as written in booking systems' exports -> the invitation's field.
COLUMNS = {
    "name": "client_name", "client": "client_name", "client_name": "client_name",
    "full_name": "client_name", "email": "email", "email_address": "email", "e_mail": "email",
    "phone": "phone", "phone_number": "phone", "mobile": "phone", "telephone": "phone",
    "date": "appointment_date", "appointment_date": "appointment_date",
    "time": "appointment_time", "appointment_time": "appointment_time", "start_time":
    "appointment_time", "appointment": "appointment", "therapist": "therapist",
    "note": "note", "notes": "note", "client_number": "client_id", "client_record": "client_id",
    "client_id": "client_id", "language": "language",
}
SAVE_AS_UTF8 = 'save it from your spreadsheet as "CSV UTF-8" and import it again'


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(part for part in (f"line {self.line}" if self.line else "",
                                            self.column or "") if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class Bookings:
    """What a file holds: each row's details with its line number, or the problems."""

    rows: list[tuple[int, InvitationDetails]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def known_clients(ids: set[int]) -> dict[int, int]:
    """Of the client record numbers a file gives, those that exist, as the record each is
    part of now (merged records count as the one they were merged into)."""
    from ..clients import find

    found = {number: find(number) for number in ids}
    return {number: client.id for number, client in found.items() if client is not None}


def read_bookings(data: bytes, now: datetime, clients=None,
                  languages: Sequence[str] = ("en",)) -> Bookings:
    """Every row checked as the review area's form checks an invitation. `clients` maps
    the record numbers given (a set) to the records that exist (known_clients);
    `languages` are those a `language` cell may give."""
    found = Bookings()
    if len(data) > MAX_BYTES:
        found.problems.append(Problem(None, None, f"The file is {len(data) / 2**20:.1f} MB: "
                                      f"import at most {MAX_BYTES // 2**20} MB at a time "
                                      "(split it into smaller files)"))
        return found
    text = _text(data, found.problems)
    if text is None:
        return found
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows = _numbered(reader, found)
    header = next(rows, (1, None))[1]
    columns = _columns(header, found)
    if columns is not None:
        _read_rows(rows, header, columns, now, found, clients or (lambda ids: {}), languages)
    return found


def _numbered(reader, found: Bookings):
    """(line the row starts on, row) for each row; a row that cannot be read ends it."""
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            found.problems.append(Problem(line, None, f"cannot be read as CSV ({error}): "
                                          "check the quotes from this line on"))
            return
        yield line, row


def _text(data: bytes, problems: list[Problem]) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(Problem(None, None, f"The file is UTF-16 text: {SAVE_AS_UTF8}"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = line[error.start:error.start + 1].hex().upper()
            problems.append(Problem(number, None, f"is not UTF-8 text (byte 0x{byte}; the file "
                                    f"is probably in a Windows or Mac encoding): {SAVE_AS_UTF8}"))
    return None


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def _columns(header: list[str] | None, found: Bookings) -> dict[int, str] | None:
    """Column index -> field, or None (with the problems) if the header will not do."""
    if not header or not any(cell.strip() for cell in header):
        found.problems.append(Problem(1, None, "The first line must name the columns: name, "
                                      "email, phone, date, time, therapist, note"))
        return None
    columns: dict[int, str] = {}
    for index, cell in enumerate(header):
        name = re.sub(r"[\s-]+", "_", cell.strip().lower())
        if name not in COLUMNS:
            if cell.strip():
                found.ignored_columns.append(cell.strip())
            continue
        if COLUMNS[name] in columns.values():
            found.problems.append(Problem(1, cell.strip(), "is a second column for "
                                          f"{COLUMNS[name].replace('_', ' ')}: keep one"))
        columns[index] = COLUMNS[name]
    have = set(columns.values())
    missing = [text for text, needed in (
        ("a name column", "client_name" in have),
        ("an email or phone column", have & {"email", "phone"}),
        ("the appointment's date and time columns (or one appointment column)",
         "appointment" in have or "appointment_date" in have)) if not needed]
    if missing:
        found.problems.append(Problem(1, None, f"The file needs {', and '.join(missing)}"))
    return None if found.problems else columns


def _read_rows(rows, header: list[str], columns: dict[int, str], now: datetime,
               found: Bookings, clients, languages: Sequence[str]) -> None:
    names = {fieldname: header[index].strip() for index, fieldname in columns.items()}
    if "appointment" in names:
        names.setdefault("appointment_date", names["appointment"])
        names.setdefault("appointment_time", names["appointment"])
    first_line: dict[tuple, int] = {}
    count = 0
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        if count > MAX_ROWS:
            found.problems.append(Problem(None, None, f"The file has more than {MAX_ROWS:,} "
                                          f"rows: import at most {MAX_ROWS:,} at a time"))
            return
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            found.problems.append(Problem(line, None, f"has {len(row)} values but the first "
                                          f"line names {len(header)} columns (a value with a "
                                          "comma in it needs quotes around it)"))
            continue
        raw = {fieldname: row[index] if index < len(row) else ""
               for index, fieldname in columns.items()}
        if "appointment" in raw:
            raw["appointment_date"], raw["appointment_time"] = \
                split_appointment(raw.pop("appointment"))
        number = raw.pop("client_id", "").strip()
        language, wrong_language = check_language(raw.pop("language", ""), languages)
        details, errors = check(raw, now)
        found.problems.extend(Problem(line, names.get(name, name), message)
                              for name, message in errors.items())
        if wrong_language:
            found.problems.append(Problem(line, names["language"], wrong_language))
            continue
        details = replace(details, language=language) if details and language else details
        if number and not number.isdigit():
            found.problems.append(Problem(line, names["client_id"], f"{number!r} is not a "
                                          "client record's number: leave it empty for a new "
                                          "client"))
        elif details is not None:
            _add(found, first_line, line,
                 replace(details, client_id=int(number)) if number else details, names)
    _check_clients(found, names, clients)


def _check_clients(found: Bookings, names: dict[str, str], clients) -> None:
    """Every record number given is a record we have (one query for the whole file)."""
    given = {details.client_id for _line, details in found.rows if details.client_id}
    known = clients(given) if given else {}
    rows = []
    for line, details in found.rows:
        if details.client_id and details.client_id not in known:
            found.problems.append(Problem(line, names["client_id"], f"there is no client "
                                          f"record {details.client_id}: leave it empty for a "
                                          "new client"))
        elif details.client_id:
            details = replace(details, client_id=known[details.client_id])
        rows.append((line, details))
    found.rows = rows


def _add(found: Bookings, first_line: dict, line: int, details: InvitationDetails,
         names: dict[str, str]) -> None:
    row_key = key(details)
    if row_key in first_line:
        found.problems.append(Problem(line, names["client_name"], "the same client and "
                                      f"appointment as line {first_line[row_key]}"))
        return
    first_line[row_key] = line
    found.rows.append((line, details))
