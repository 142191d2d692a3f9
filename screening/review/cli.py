"""`flask therapist ...`: the clinic owner manages therapist accounts from the command line."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..audit import COMMAND_LINE, record
from ..database import db
from ..models import Therapist
from .forms import looks_like_email

MIN_PASSWORD_LENGTH = 12


@click.group("therapist")
def therapist_group() -> None:
    """Manage therapist accounts."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat it",
                                err=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        _fail(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    return password


def _account(email: str) -> Therapist:
    therapist = db.session.scalar(select(Therapist).where(Therapist.email == email.lower()))
    if therapist is None:
        _fail(f"There is no therapist account for {email}. "
              "See `flask --app screening therapist list`.")
    return therapist


def _record(action: str, therapist: Therapist, more: str = "") -> None:
    """An account change, done from the command line, not by the account: the audit page
    shows the command line as who did it, and the detail starts with the account's email
    (all of it, for a password reset: sign-in's throttle counts failures from there)."""
    record(action, subject=COMMAND_LINE, detail=therapist.email + more)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(2)


@therapist_group.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The therapist's name, as shown in the app.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def add(email: str, name: str, password_stdin: bool) -> None:
    """Create an account that can sign in to the review area."""
    email = email.strip().lower()
    if not looks_like_email(email):
        _fail(f"{email!r} is not an email address.")
    if not name.strip() or len(name) > 100:
        _fail("Give a name of 1 to 100 characters with --name.")
    if db.session.scalar(select(Therapist).where(Therapist.email == email)) is not None:
        _fail(f"A therapist account for {email} already exists.")
    therapist = Therapist(email=email, name=name.strip(), active=True,
                          password_hash=generate_password_hash(_password(password_stdin)),
                          created_at=datetime.now(UTC))
    db.session.add(therapist)
    db.session.flush()
    _record("account_added", therapist, f", name: {therapist.name}")
    db.session.commit()
    click.echo(f"Added {therapist.name} <{email}>. They can sign in at /review/sign-in.")


@therapist_group.command("list")
@with_appcontext
def list_accounts() -> None:
    """List therapist accounts."""
    therapists = db.session.scalars(select(Therapist).order_by(Therapist.email)).all()
    if not therapists:
        click.echo("No therapist accounts yet. Add one with "
                   "`flask --app screening therapist add EMAIL --name NAME`.")
    for therapist in therapists:
        state = "active" if therapist.active else "disabled"
        click.echo(f"{therapist.email}\t{therapist.name}\t{state}\t"
                   f"added {therapist.created_at:%Y-%m-%d}")


@therapist_group.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def reset_password(email: str, password_stdin: bool) -> None:
    """Set a new password for an account."""
    therapist = _account(email)
    therapist.password_hash = generate_password_hash(_password(password_stdin))
    # The new password hash ends every session signed in with the old one (review/sessions.py),
    # and the reset's audit event restarts the count of failed sign-ins for the account.
    _record("password_reset", therapist)
    db.session.commit()
    click.echo(f"New password set for {therapist.email}. Anyone signed in to that account "
               "with the old password is signed out, and earlier failed sign-ins no longer "
               "lock it.")


@therapist_group.command("disable")
@click.argument("email")
@with_appcontext
def disable(email: str) -> None:
    """Stop an account from signing in (its history stays)."""
    therapist = _account(email)
    therapist.active = False
    _record("account_disabled", therapist)
    db.session.commit()
    click.echo(f"Disabled {therapist.email}: it can no longer sign in, and anyone signed in "
               "to it is signed out.")
