"""Commands for clinic owners: check a rule book, list the questions, screen a file of answers."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from datetime import date
from typing import TextIO

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .answers import missing, normalise
from .audit import record
from .clinic import current_rulebook
from .database import db
from .engine import evaluate
from .export import count_text, csv_chunks
from .fhir import FhirError, answers_from_response, questionnaire
from .models import Screening
from .rulebook import Rulebook, RulebookError, load_rulebook
from .rulebook.translations import skeleton

EXIT_INVALID = 2
EXIT_WARNINGS = 1  # `rules check --strict` with translation warnings
#: A language as Babel names it, and its translation file is named: fr, pt_BR.
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:_[A-Z]{2})?$")


@click.group("rules")
def rules_group() -> None:
    """Work with rule books."""


@rules_group.command("check")
@with_appcontext
@click.argument("path", required=False, type=click.Path())
@click.option("--strict", is_flag=True,
              help="Fail (exit 1) when a translation is missing, stale or extra too.")
def check_rules(path: str | None, strict: bool) -> None:
    """Validate the rule book in PATH (default: the app's rule book) and its translations."""
    own = path is None
    path = path or current_app.config["RULEBOOK"]
    rulebook = _loaded(path)
    warnings = [warning for translation in rulebook.translations.values()
                for warning in translation.warnings]
    if own:  # the app's rule book: is every language it offers translated?
        warnings.extend(
            f"SCREENING_LANGUAGES offers {code!r}, but {path}/translations/{code}.yaml does "
            "not exist: the rule book is shown in English on its pages"
            for code in current_app.config["LANGUAGES"]
            if code != "en" and code not in rulebook.translations)
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    languages = ", ".join(f"{code} ({len(t.texts)} of {len(rulebook.english)} texts)"
                          for code, t in rulebook.translations.items())
    click.echo(f"OK {path}: rule book {rulebook.version}, {len(rulebook.conditions)} "
               f"conditions, {len(rulebook.questions)} questions, {len(rulebook.rules)} rules"
               + (f"; translated: {languages}" if languages else ""))
    if strict and warnings:
        click.echo(f"{len(warnings)} translation warning(s), and --strict.", err=True)
        sys.exit(EXIT_WARNINGS)


@rules_group.command("translation")
@with_appcontext
@click.argument("language")
@click.option("--name", default=None, help="The language's own name (new languages only).")
@click.option("--only-to-do", is_flag=True,
              help="Only the missing and stale texts, to paste into the language's file.")
def translation_file(language: str, name: str | None, only_to_do: bool) -> None:
    """Print a translation file for LANGUAGE (a code such as fr): the file as it is, with
    every missing or stale text added with its current English and an empty translation."""
    if not LANGUAGE_CODE.match(language):
        _fail([f"{language!r} is not a language code (such as fr, or pt_BR)"])
    rulebook = _loaded(current_app.config["RULEBOOK"])
    existing = rulebook.translations.get(language)
    click.echo(skeleton(language, name or (existing.name if existing else language),
                        rulebook.english, existing, only_to_do), nl=False)


def _loaded(path: str) -> Rulebook:
    """The rule book at `path`, or exit 2 listing its problems."""
    try:
        return load_rulebook(path)
    except RulebookError as error:
        click.echo(f"{path}: {len(error.problems)} problem(s) found:", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(EXIT_INVALID)


@click.command("questions")
@with_appcontext
def list_questions() -> None:
    """Print the questionnaire's questions as JSON."""
    items = []
    for question in _rulebook().questions.values():
        item = {"id": question.id, "type": question.type, "text": question.text,
                "condition": question.condition, "follow_up_of": question.parent,
                "required": question.required}
        if question.intake:  # an intake detail: in a section of intake.yaml, not a condition
            item["intake_section"] = question.section
        if question.hint:
            item["hint"] = question.hint
        if question.choices:
            item["multiple"] = question.multiple
            item["options"] = [value for value, _label in question.choices]
            item["option_labels"] = dict(question.choices)
        items.append(item)
    click.echo(json.dumps(items, indent=2, ensure_ascii=False))


@click.command("screen")
@with_appcontext
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date to screen on, YYYY-MM-DD (the appointment date; default: today).")
@click.option("--fhir", "fhir_input", is_flag=True,
              help="FILE is a FHIR R4 QuestionnaireResponse (JSON) instead of plain answers.")
def screen(file, on, fhir_input) -> None:
    """Screen a JSON object of answers keyed by question id (FILE, or - for stdin)."""
    try:
        raw = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        _fail([f"{file.name}: not valid JSON in UTF-8 ({error})"])
    if not isinstance(raw, dict) and not fhir_input:
        _fail([f"{file.name}: expected a JSON object of answers keyed by question id"])
    rulebook = _rulebook()
    unread: dict[str, str] = {}
    if fhir_input:
        raw, unread = answers_from_response(rulebook, raw)
    answers, problems = normalise(rulebook, raw, today=date.today())
    problems = {**unread, **problems}
    if problems:
        _fail([f"{qid}: {message}" for qid, message in problems.items()])
    unasked = missing(rulebook, answers)
    if unasked:
        # Screened all the same (clinics test partial files), but not as the form would:
        # it asks these first, and their answers can change the outcome.
        click.echo(f"Warning: incomplete answers, screened as they are: the form would "
                   f"first ask {len(unasked)} more required question(s): "
                   f"{', '.join(question.id for question in unasked)}", err=True)
    result = evaluate(rulebook, answers, on.date() if on else date.today())
    click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))


@click.group("fhir")
def fhir_group() -> None:
    """HL7 FHIR R4 for other systems: the questionnaire as a FHIR Questionnaire."""


@fhir_group.command("questionnaire")
@with_appcontext
def fhir_questionnaire() -> None:
    """Print the rule book's questions as a FHIR R4 Questionnaire (JSON)."""
    try:
        resource = questionnaire(_rulebook(), publisher=current_app.config["CLINIC_NAME"])
    except FhirError as error:
        _fail([str(error)])
    click.echo(json.dumps(resource, indent=2, ensure_ascii=False))


@click.command("export")
@with_appcontext
@click.option("--format", "export_format", type=click.Choice(["csv"]), default="csv",
              show_default=True, help="File format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output).")
def export_screenings(export_format, output) -> None:
    """Export every screening (one row each, one column per question) for the clinic's records."""
    rulebook = _rulebook()
    query = select(Screening).order_by(Screening.id)
    count = db.session.scalar(select(func.count()).select_from(Screening))
    if output is None:
        sys.stdout.writelines(csv_chunks(rulebook, query))
    else:
        with private_file(output) as stream:
            stream.writelines(csv_chunks(rulebook, query))
    record("export_csv", subject="command line", detail=count_text(count), commit=True)
    click.echo(f"Exported {count_text(count)}.", err=True)


def private_file(path: str) -> TextIO:
    """`path` opened for writing text, readable and writable by its owner alone (0600):
    it holds health data. Created so from the start (never briefly readable by others), and
    a regular file that was already there is made private before anything is written."""
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):  # not /dev/stdout or a pipe
            os.fchmod(descriptor, 0o600)
        return open(descriptor, "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(descriptor)
        raise


def _rulebook():
    """The app's rule book, or exit 2 listing its problems (no traceback)."""
    try:
        return current_rulebook()
    except RulebookError as error:
        _fail([f"The rule book {current_app.config['RULEBOOK']} has problems:",
               *error.problems])


def _fail(messages: list[str]) -> None:
    for message in messages:
        click.echo(message, err=True)
    sys.exit(EXIT_INVALID)


def init_app(app: Flask) -> None:
    app.cli.add_command(rules_group)
    app.cli.add_command(list_questions)
    app.cli.add_command(screen)
    app.cli.add_command(fhir_group)
    app.cli.add_command(export_screenings)
