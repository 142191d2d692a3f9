"""Screenings as CSV: one row per screening, one column per question.

Shared by the therapists' download and `flask export --format csv`. Answers are written in
the contract's encoding (`yes`/`no`/`not_sure`, option and body-region ids, several answers
joined with `;`), so a spreadsheet or a script can read them back. Every cell that a
spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return) is
prefixed with an apostrophe, and every cell is quoted, so a client's answer can never run in
the clinic's spreadsheet: not even where the spreadsheet splits cells at `;` (the list
separator of many locales), which would otherwise make `x;=cmd...` two cells, the second a
formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

from sqlalchemy import Select
from sqlalchemy.orm import load_only

from .database import db
from .models import Screening, as_utc
from .rulebook import Rulebook

#: Columns before the questions, and after them.
LEADING = ("screening_id", "submitted_at", "client_name", "date_of_birth", "phone", "email",
           "appointment_date", "screened_on", "rulebook_version", "outcome", "urgent",
           "decision", "signature", "signed_on", "declaration_version", "consent")
TRAILING = ("findings", "body_areas")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPE = "text/csv; charset=utf-8"
#: Screenings read from the database at a time while streaming, so an export of a year of
#: a large chain takes as little memory as one of ten screenings.
BATCH = 500


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def question_columns(rulebook: Rulebook, screenings: Iterable[Screening]) -> list[str]:
    """The rule book's questions in form order, then (sorted) any question ids that older
    screenings answered but the rule book no longer has, so no answer is left out."""
    known = list(rulebook.questions)
    older = {qid for screening in screenings for qid in screening.answers} - set(known)
    return known + sorted(older)


def write_csv(rulebook: Rulebook, screenings: Sequence[Screening], stream: TextIO) -> int:
    """Write the header and one row per screening to `stream`; return the number of rows."""
    questions = question_columns(rulebook, screenings)
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
    writer.writerow(_header(questions))
    for screening in screenings:
        writer.writerow(_line(rulebook, screening, questions))
    return len(screenings)


def streamed(query: Select) -> Iterator[Screening]:
    """The screenings `query` selects, read BATCH at a time (a server-side cursor on
    PostgreSQL), each let go once written."""
    for screening in db.session.scalars(query.execution_options(yield_per=BATCH)):
        yield screening
        db.session.expunge(screening)


def csv_chunks(rulebook: Rulebook, query: Select) -> Iterator[str]:
    """The CSV of the screenings `query` selects, BATCH rows at a time, in constant memory:
    a first pass reads only the answers, for the question ids the rule book no longer has;
    the second writes the rows."""
    answered = (screening for screening in streamed(query.options(load_only(
        Screening.answers))))
    questions = question_columns(rulebook, answered)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(_header(questions))
    for number, screening in enumerate(streamed(query), start=1):
        writer.writerow(_line(rulebook, screening, questions))
        if number % BATCH == 0:
            yield _taken(buffer)
    yield _taken(buffer)


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _header(questions: list[str]) -> list[str]:
    return [neutralise(name) for name in (*LEADING, *questions, *TRAILING)]


def _line(rulebook: Rulebook, screening: Screening, questions: list[str]) -> list[str]:
    return [neutralise(_cell(value)) for value in _row(rulebook, screening, questions)]


def count_text(count: int) -> str:
    """How the audit trail says how many screenings were exported."""
    return f"{count} screening{'' if count == 1 else 's'}"


def csv_text(rulebook: Rulebook, screenings: Sequence[Screening]) -> str:
    buffer = io.StringIO()
    write_csv(rulebook, screenings, buffer)
    return buffer.getvalue()


def _row(rulebook: Rulebook, screening: Screening, questions: list[str]) -> list[Any]:
    answers = screening.answers or {}
    return [
        screening.id, as_utc(screening.submitted_at).isoformat(timespec="seconds"),
        screening.client_name, screening.date_of_birth, screening.phone, screening.email,
        screening.appointment_date, screening.screened_on, screening.rulebook_version,
        screening.outcome, "yes" if screening.urgent else "no", screening.decision,
        screening.signed_as, screening.signed_on,
        (screening.declaration or {}).get("version"), screening.guardian_consent,
        *(_answer(rulebook, qid, answers.get(qid)) for qid in questions),
        [finding["rule"] for finding in screening.findings or ()],
        screening.body_areas or []]


def _answer(rulebook: Rulebook, qid: str, value: Any) -> Any:
    """An answer as its type writes it in CSV (areas with scores as `area:score`, a
    contact's parts as `part: text`); as stored for a question the rule book no longer has."""
    question = rulebook.questions.get(qid)
    return value if question is None or value is None else question.kind.export(question,
                                                                                value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(_cell(item) for item in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
