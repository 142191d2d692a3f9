"""`flask invite`, `flask reminders send` and `flask outbox ...`: inviting clients from the
command line or a booking system's CSV export, and sending mail from cron."""

from __future__ import annotations

import os
import sys
from dataclasses import replace

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import clients
from ..database import db
from ..mail import writes_files
from ..outbox import KINDS, OutboxMessage, undelivered_query
from ..sender import deliver_due
from . import service
from .csv_import import MAX_BYTES, known_clients, read_bookings
from .reminders import queue_due_reminders
from .validation import check, check_language, split_appointment

EXIT_INVALID = 2


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(EXIT_INVALID)


def _how_it_is_sent() -> str:
    where = (f"writes it to {current_app.config['OUTBOX_FOLDER']} (no mail server is set up)"
             if writes_files() else "sends it")
    return (f"The running app {where} within a minute; to do it now, run "
            "`flask --app screening outbox send`.")


@click.command("invite")
@click.argument("email", required=False)
@click.option("--name", help="The client's name.")
@click.option("--appointment", help='Date and time, e.g. "2026-12-04 14:30".')
@click.option("--phone", default="", help="The client's phone number (optional).")
@click.option("--therapist", default="", help="Who the appointment is with (optional).")
@click.option("--note", default="", help="A note for the clinic, never emailed (optional).")
@click.option("--client", "client_id", type=click.IntRange(min=1),
              help="The client's record (its number), for a client we already know.")
@click.option("--new-client", is_flag=True,
              help="A new client: make a new record (needed when records are suggested).")
@click.option("--language", default="",
              help="The language of the client's emails and questionnaire, e.g. es "
                   "(default: the clinic's, SCREENING_LANGUAGE).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False),
              help="Invite every client in a CSV file instead (see the README).")
@with_appcontext
def invite(email, name, appointment, phone, therapist, note, client_id, new_client,
           language, csv_file) -> None:
    """Invite a client (EMAIL) to answer the questionnaire before their appointment."""
    if csv_file:
        if email or name or appointment or client_id or new_client or language:
            _fail(["Give either --csv FILE or one client's EMAIL, --name and --appointment."])
        _import(csv_file)
        return
    day, at = split_appointment(appointment or "")
    details, errors = check({"client_name": name, "email": email, "phone": phone,
                             "appointment_date": day, "appointment_time": at,
                             "therapist": therapist, "note": note}, service.clinic_now())
    if errors:
        options = {"client_name": "--name", "email": "EMAIL", "phone": "--phone",
                   "appointment_date": "--appointment", "appointment_time": "--appointment",
                   "therapist": "--therapist", "note": "--note"}
        _fail([f"{options[name]}: {message}" for name, message in errors.items()])
    language, problem = check_language(language, current_app.config["LANGUAGES"])
    if problem:
        _fail([f"--language: {problem}"])
    details = replace(details, language=language)
    earlier = service.duplicates([details]).get(service.key(details))
    if earlier is not None:
        click.echo(f"{earlier.client_name} is already invited for this appointment "
                   f"(invitation {earlier.id}); nothing done.")
        return
    invitation = service.create(details, client=_chosen_client(details, client_id, new_client))
    db.session.commit()
    click.echo(f"Invited {invitation.client_name} for "
               f"{service.appointment_text(details.appointment_date, details.appointment_time)}"
               f" (invitation {invitation.id}).\nTheir link: {service.link_url(invitation)}")
    if invitation.email:
        click.echo(_how_it_is_sent())


def _chosen_client(details, client_id: int | None, new_client: bool):
    """The record given with --client, or None for --new-client; records that the name or
    email suggest are listed, for the clinic to choose, never chosen for it."""
    if client_id and new_client:
        _fail(["Give --client ID or --new-client, not both."])
    if client_id:
        chosen = clients.find(client_id)
        if chosen is None:
            _fail([f"--client: there is no client record {client_id}."])
        return chosen
    suggested = clients.suggestions(details.client_name, details.email)
    if suggested and not new_client:
        _fail(["We already have records that may be this client's. Give --client with "
               "the client's record, or --new-client if none is them:",
               *(f"  client {item.id}: {item.name}"
                 + (f", born {item.date_of_birth}" if item.date_of_birth else "")
                 + (f", {item.email}" if item.email else "") for item in suggested)])
    return None


def _import(path: str) -> None:
    try:
        if os.path.getsize(path) > MAX_BYTES:
            _fail([f"{path}: the file is over {MAX_BYTES // 2**20} MB: import at most that "
                   "much at a time (split it into smaller files). Nothing was imported."])
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        _fail([f"{path}: cannot read the file ({error.strerror})."])
    bookings = read_bookings(data, service.clinic_now(), known_clients,
                             current_app.config["LANGUAGES"])
    if bookings.problems:
        _fail([*(f"{path}: {problem}" for problem in bookings.problems),
               f"{len(bookings.problems)} problem(s): nothing was imported. Correct them and "
               "import the file again."])
    earlier = service.duplicates([details for _line, details in bookings.rows])
    skipped = [(line, details) for line, details in bookings.rows
               if service.key(details) in earlier]
    created, emails = service.create_many([details for _line, details in bookings.rows
                                           if service.key(details) not in earlier])
    db.session.commit()
    click.echo(f"Imported {created:,} invitation(s) from {path}; {emails:,} email(s) queued.")
    for line, details in skipped:
        click.echo(f"  line {line}: {details.client_name} is already invited for this "
                   "appointment: skipped")
    if bookings.ignored_columns:
        click.echo(f"Columns not used: {', '.join(bookings.ignored_columns)}.")
    if emails:
        click.echo(_how_it_is_sent())


@click.group("reminders")
def reminders_group() -> None:
    """Reminders to clients who have not answered yet."""


@reminders_group.command("send")
@with_appcontext
def send_reminders() -> None:
    """Queue due reminders and send every due email (safe to run from cron)."""
    queued = queue_due_reminders()
    click.echo(f"{queued} reminder(s) queued.")
    _report(deliver_due())


@click.group("outbox")
def outbox_group() -> None:
    """The emails the app sends: invitations, reminders, alerts."""


@outbox_group.command("send")
@with_appcontext
def send_outbox() -> None:
    """Send every email that is due now (safe to run from cron)."""
    _report(deliver_due())


@outbox_group.command("list")
@with_appcontext
def list_undelivered() -> None:
    """List the emails that could not be delivered, and why."""
    messages = db.session.scalars(undelivered_query()).all()
    pending = db.session.scalar(select(db.func.count()).where(OutboxMessage.status == "pending"))
    click.echo(f"{pending} email(s) waiting to be sent; {len(messages)} not delivered"
               + (":" if messages else "."))
    for message in messages:
        click.echo(f"  #{message.id} {KINDS[message.kind]} to {message.recipient}, "
                   f"{message.status}, {message.attempts} tries: {message.last_error}")


def _report(outcomes) -> None:
    click.echo(f"{outcomes['sent']} sent, {outcomes['retry'] + outcomes['unreachable']} to "
               f"try again later, {outcomes['failed']} not delivered, "
               f"{outcomes['cancelled']} not needed any more.")
    if outcomes["unreachable"]:
        click.echo("The mail server could not be reached: see `flask --app screening outbox "
                   "list`.", err=True)


COMMANDS = (invite, reminders_group, outbox_group)
