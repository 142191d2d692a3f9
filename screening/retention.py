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

from .audit import COMMAND_LINE, record
from .clients import (
    group_ids,
    invitations_of,
    remove_everything,
    remove_unused,
    root,
    screenings_of,
)
from .clients import record as record_of
from .clinic import current_rulebook
from .database import db
from .intake.drafts import count_expired, delete_expired, saved_days
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
    screening.client = None  # the record (a name, contact details) goes with `remove_unused`
    for decision in screening.decisions:
        decision.note = ""
        decision.cleared_by = None


def remove_screenings(screenings: list[Screening]) -> None:
    ids = [screening.id for screening in screenings]
    db.session.execute(delete(Decision).where(Decision.screening_id.in_(ids)))
    db.session.execute(delete(Screening).where(Screening.id.in_(ids)))


@click.command("purge")
@click.option("--older-than", "days", type=click.IntRange(min=1),
              help="Remove screenings submitted more than DAYS days ago.")
@click.option("--client", "client_id", type=click.IntRange(min=1),
              help="Instead: remove everything about one client (their record's number), "
                   "for a client who asks: screenings, decisions, invitations, emails.")
@click.option("--anonymise", is_flag=True,
              help="Keep the screenings for statistics but remove who they were about.")
@click.option("--dry-run", is_flag=True, help="Only print what would be removed.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def purge_command(days: int | None, client_id: int | None, anonymise: bool, dry_run: bool,
                  yes: bool) -> None:
    """Remove (or anonymise) screenings past the clinic's retention period, or everything
    about one client."""
    if (days is None) == (client_id is None):
        raise click.UsageError("Give --older-than DAYS, or --client NUMBER (not both).")
    if client_id is not None:
        if anonymise:
            raise click.UsageError("--client removes everything: it cannot --anonymise.")
        _purge_client(client_id, dry_run, yes)
        return
    _delete_expired_drafts(dry_run)
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
    remove_unused()  # client records left with no screening or invitation
    db.session.commit()
    click.echo(f"Done: {done} screening(s) {verb}d"
               + (f", {len(invitations)} invitation(s) removed" if invitations else "") + ".")


def _delete_expired_drafts(dry_run: bool) -> None:
    """Answers saved but never sent, past SCREENING_DRAFT_DAYS: deleted without asking, as
    the app does when it starts (they are not kept any longer whatever the cut-off)."""
    if dry_run:
        expired = count_expired()
        if expired:
            click.echo(f"{expired} saved draft(s) past their {saved_days()} days to delete.")
        return
    expired = delete_expired()
    db.session.commit()
    if expired:
        click.echo(f"Deleted {expired} saved draft(s) past their {saved_days()} days.")


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


def _purge_client(client_id: int, dry_run: bool, yes: bool) -> None:
    """Everything about one client (and the records merged into theirs), in one audited
    transaction. The audit trail keeps that it was done, and the numbers, never the name."""
    client = record_of(client_id)
    if client is None:
        raise click.ClickException(f"There is no client record {client_id}.")
    whole = root(client)
    screenings, invitations = screenings_of(whole), invitations_of(whole)
    records = group_ids(whole)
    click.echo(f"Client {whole.id} ({whole.name}): {len(screenings)} screening(s), "
               f"{len(invitations)} invitation(s), {len(records)} client record(s) to remove"
               + (" (dry run: nothing changed)" if dry_run else "") + ".")
    if whole.id != client.id:
        click.echo(f"  Record {client.id} is merged into record {whole.id}: both go.")
    if dry_run:
        return
    if not yes and not click.confirm("Remove everything about this client? This cannot be "
                                     "undone."):
        click.echo("Nothing changed.")
        return
    counts = remove_everything(whole)
    record("purge_client", subject=COMMAND_LINE,
           detail=f"client {whole.id}: {counts['screenings']} screening(s) "
                  f"#{', #'.join(str(item.id) for item in screenings) or '-'}, "
                  f"{counts['invitations']} invitation(s), {counts['records']} client "
                  f"record(s) ({', '.join(map(str, records))})")
    db.session.commit()
    click.echo(f"Done: {counts['screenings']} screening(s), {counts['invitations']} "
               f"invitation(s) and {counts['records']} client record(s) removed.")


def init_app(app: Flask) -> None:
    app.cli.add_command(purge_command)
