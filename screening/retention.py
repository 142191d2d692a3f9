"""`flask purge`: remove or anonymise screenings past the clinic's retention period."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import delete, select

from .audit import COMMAND_LINE, record
from .clients import (
    group_ids,
    invitations_of,
    remove_everything,
    remove_unused,
    root,
    screenings_of,
)
from .clinic import current_rulebook
from .database import db
from .intake.drafts import count_expired, delete_expired, saved_days
from .invitations.retention import old_invitations, remove_invitations
from .models import Client, Decision, Screening
from .rulebook import Question, RulebookError

ANONYMISED = "Anonymised"


def old_screenings(before: datetime) -> list[Screening]:
    return list(db.session.scalars(select(Screening).where(Screening.submitted_at < before)
                                   .order_by(Screening.id)))


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
    screenings = old_screenings(before)
    verb = "anonymise" if anonymise else "remove"
    click.echo(f"{len(screenings)} screening(s) submitted before {before:%Y-%m-%d} to {verb}"
               + (" (dry run: nothing changed)" if dry_run else "") + ".")
    for screening in screenings:
        click.echo(f"  #{screening.id} submitted {screening.submitted_at:%Y-%m-%d}, "
                   f"outcome {screening.outcome}")
    invitations = old_invitations(before)
    if invitations:
        click.echo(f"{len(invitations)} invitation(s) for appointments before "
                   f"{before:%Y-%m-%d} to remove, with their emails.")
    if dry_run or not (screenings or invitations):
        return
    also = f" and {len(invitations)} invitation(s)" if invitations else ""
    if not yes and not click.confirm(f"{verb.capitalize()} these {len(screenings)}{also}?"):
        click.echo("Nothing changed.")
        return
    remove_invitations(invitations, before)
    if screenings:
        _purge_screenings(screenings, anonymise, before)
    remove_unused()
    db.session.commit()
    click.echo(f"Done: {len(screenings)} screening(s) {verb}d"
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


def _purge_screenings(screenings: list[Screening], anonymise: bool, before: datetime) -> None:
    """Anonymise or remove the screenings, and say so in the audit trail (caller commits)."""
    if anonymise:
        try:
            questions = current_rulebook().questions
        except RulebookError as error:
            raise click.ClickException(f"The rule book has problems: {error}") from None
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
    client = db.session.get(Client, client_id)
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
