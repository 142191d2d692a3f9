"""Forms of the review area."""

from __future__ import annotations

import re

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from ..clinic import clinic_today
from ..fields import FlexibleDateField
from ..models import DECISION_KINDS

NOTE_LENGTH = 2000
EMAIL_LENGTH = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def looks_like_email(text: str) -> bool:
    """Something@somewhere.tld of at most 254 characters: what an account's email can be."""
    return len(text) <= EMAIL_LENGTH and _EMAIL.match(text) is not None


class SignInForm(FlaskForm):
    email = EmailField(lazy_gettext("Email address"), validators=[
        InputRequired(lazy_gettext("Enter your email address")),
        Length(max=254, message=lazy_gettext("Enter an email address of 254 characters or "
                                             "fewer"))])
    password = PasswordField(lazy_gettext("Password"), validators=[
        InputRequired(lazy_gettext("Enter your password")),
        Length(max=256, message=lazy_gettext("Enter a password of 256 characters or fewer"))])
    next = HiddenField()


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST so another site cannot do it for you."""


class DecisionForm(FlaskForm):
    kind = RadioField(
        lazy_gettext("Decision"),
        choices=[SelectChoice(kind, label) for kind, label in DECISION_KINDS.items()],
        validators=[InputRequired(lazy_gettext("Select a decision"))])
    note = TextAreaField(lazy_gettext("Note (optional)"), validators=[
        Length(max=NOTE_LENGTH, message=lazy_gettext(
            "Keep the note to %(count)s characters or fewer", count=NOTE_LENGTH))])
    cleared_on = FlexibleDateField(
        lazy_gettext("Date of the doctor's clearance"),
        invalid_message=lazy_gettext("Enter the date of the clearance as a real date, for "
                                     "example 2026-11-20"))
    cleared_by = StringField(lazy_gettext("Who cleared the client (name and role)"), validators=[
        Length(max=200, message=lazy_gettext("Keep this to 200 characters or fewer"))])

    def validate_cleared_on(self, field) -> None:
        if self.kind.data == "cleared_by_doctor" and field.data is None:
            raise ValidationError(gettext("Enter the date the doctor cleared the client"))
        if field.data is not None and field.data > clinic_today():
            raise ValidationError(gettext("The date of the clearance must be today or in the "
                                          "past"))

    def validate_cleared_by(self, field) -> None:
        if self.kind.data == "cleared_by_doctor" and not (field.data or "").strip():
            raise ValidationError(gettext("Enter who cleared the client, for example Dr A "
                                          "Patel, GP"))
