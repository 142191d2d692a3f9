"""Commands for clinic owners: check a rule book, list the questions, screen a file of answers."""

from __future__ import annotations

import json
import sys
from datetime import date

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .answers import normalise
from .engine import evaluate
from .rulebook import RulebookError, load_rulebook
from .settings import current_rulebook

EXIT_INVALID = 2


@click.group("rules")
def rules_group() -> None:
    """Work with rule books."""


@rules_group.command("check")
@with_appcontext
@click.argument("path", required=False, type=click.Path())
def check_rules(path: str | None) -> None:
    """Validate the rule book in PATH (default: the app's rule book)."""
    path = path or current_app.config["RULEBOOK"]
    try:
        rulebook = load_rulebook(path)
    except RulebookError as error:
        click.echo(f"{path}: {len(error.problems)} problem(s) found:", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"OK {path}: rule book {rulebook.version}, {len(rulebook.conditions)} "
               f"conditions, {len(rulebook.questions)} questions, {len(rulebook.rules)} rules")


@click.command("questions")
@with_appcontext
def list_questions() -> None:
    """Print the questionnaire's questions as JSON."""
    items = []
    for question in _rulebook().questions.values():
        item = {"id": question.id, "type": question.type, "text": question.text,
                "condition": question.condition, "follow_up_of": question.parent,
                "required": question.required}
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
def screen(file, on) -> None:
    """Screen a JSON object of answers keyed by question id (FILE, or - for stdin)."""
    try:
        raw = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        _fail([f"{file.name}: not valid JSON in UTF-8 ({error})"])
    if not isinstance(raw, dict):
        _fail([f"{file.name}: expected a JSON object of answers keyed by question id"])
    rulebook = _rulebook()
    answers, problems = normalise(rulebook, raw, today=date.today())
    if problems:
        _fail([f"{qid}: {message}" for qid, message in problems.items()])
    result = evaluate(rulebook, answers, on.date() if on else date.today())
    click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))


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
