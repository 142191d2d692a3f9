"""`flask purge`: remove or anonymise screenings past the clinic's retention period."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import delete, func, select
from sqlalchemy.orm import load_only

from .audit import record
from .clinic import current_rulebook
from .database import db
from .invitations.retention import old_invitations, remove_invitations
from .models import Decision, Screening
from .rulebook import Question, RulebookError

ANONYMISED = "Anonymised"
#: Screenings removed or anonymised per transaction: each batch commits on its own, so a
#: purge of a year of a large chain never holds the database's write lock (SQLite) or
#: long row locks (PostgreSQL) for more than a moment, and its memory stays small.
BATCH = 1000


def _old(before: datetime):
    return Screening.submitted_at < before


def count_old(before: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Screening).where(_old(before)))


def old_batches(before: datetime):
    """The screenings submitted before `before`, BATCH at a time in id order; each batch is
    read after the previous one has been dealt with (and committed)."""
    after = 0
    while True:
        batch = list(db.session.scalars(select(Screening).where(
            _old(before), Screening.id > after).order_by(Screening.id).limit(BATCH)))
        if not batch:
            return
        after = batch[-1].id
        yield batch


def anonymise_screening(screening: Screening, questions: Mapping[str, Question]) -> None:
    """Keep what the clinic may count (outcome, coded answers, birth year); drop who it was.

    `questions` is the rule book's. An answer is kept only when its question's type keeps
    it (`kept_when_anonymised`: a valid coded value, number, date or reading, never free
    text). Any answer to a question the rule book no longer has goes, since it may have
    been free text.
    """
    screening.client_name = screening.signature = ANONYMISED
    screening.email = screening.phone = None
    screening.date_of_birth = date(screening.date_of_birth.year, 1, 1)
    screening.answers = {qid: value for qid, value in screening.answers.items()
                         if qid in questions
                         and questions[qid].kind.kept_when_anonymised(questions[qid], value)}
    screening.result_token_hash = secrets.token_hex(32)  # the client's link stops working
    for decision in screening.decisions:
        decision.note = ""
        decision.cleared_by = None


def remove_screenings(screenings: list[Screening]) -> None:
    ids = [screening.id for screening in screenings]
    db.session.execute(delete(Decision).where(Decision.screening_id.in_(ids)))
    db.session.execute(delete(Screening).where(Screening.id.in_(ids)))


@click.command("purge")
@click.option("--older-than", "days", type=click.IntRange(min=1), required=True,
              help="Remove screenings submitted more than DAYS days ago.")
@click.option("--anonymise", is_flag=True,
              help="Keep the screenings for statistics but remove who they were about.")
@click.option("--dry-run", is_flag=True, help="Only print what would be removed.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def purge_command(days: int, anonymise: bool, dry_run: bool, yes: bool) -> None:
    """Remove (or anonymise) screenings past the clinic's retention period."""
    before = datetime.now(UTC) - timedelta(days=days)
    count = count_old(before)
    verb = "anonymise" if anonymise else "remove"
    click.echo(f"{count} screening(s) submitted before {before:%Y-%m-%d} to {verb}"
               + (" (dry run: nothing changed)" if dry_run else "") + ".")
    _list_old(before)
    invitations = old_invitations(before)
    if invitations:
        click.echo(f"{len(invitations)} invitation(s) for appointments before "
                   f"{before:%Y-%m-%d} to remove, with their emails.")
    if dry_run or not (count or invitations):
        return
    also = f" and {len(invitations)} invitation(s)" if invitations else ""
    if not yes and not click.confirm(f"{verb.capitalize()} these {count}{also}?"):
        click.echo("Nothing changed.")
        return
    remove_invitations(invitations, before)
    db.session.commit()
    questions = _questions() if anonymise else {}
    done = 0
    for batch in old_batches(before):
        _purge_screenings(batch, questions if anonymise else None, before)
        db.session.commit()
        db.session.expunge_all()
        done += len(batch)
    click.echo(f"Done: {done} screening(s) {verb}d"
               + (f", {len(invitations)} invitation(s) removed" if invitations else "") + ".")


def _list_old(before: datetime) -> None:
    """One line per screening to purge, read a batch at a time."""
    query = (select(Screening).options(load_only(Screening.submitted_at, Screening.outcome))
             .where(_old(before)).order_by(Screening.id).execution_options(yield_per=BATCH))
    for screening in db.session.scalars(query):
        click.echo(f"  #{screening.id} submitted {screening.submitted_at:%Y-%m-%d}, "
                   f"outcome {screening.outcome}")
    db.session.expunge_all()


def _questions() -> Mapping[str, Question]:
    try:
        return current_rulebook().questions
    except RulebookError as error:
        raise click.ClickException(f"The rule book has problems: {error}") from None


def _purge_screenings(screenings: list[Screening], questions: Mapping[str, Question] | None,
                      before: datetime) -> None:
    """Anonymise (with the rule book's `questions`) or, without them, remove one batch of
    screenings, and say so in the audit trail (caller commits)."""
    anonymise = questions is not None
    if anonymise:
        for screening in screenings:
            anonymise_screening(screening, questions)
    else:
        remove_screenings(screenings)
    record("anonymise" if anonymise else "purge", subject="command line",
           detail=f"{len(screenings)} screening(s) submitted before {before:%Y-%m-%d}: "
                  f"#{', #'.join(str(screening.id) for screening in screenings)}")


def init_app(app: Flask) -> None:
    app.cli.add_command(purge_command)
