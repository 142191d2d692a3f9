"""Forms of the review area."""

from __future__ import annotations

import re

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
    email = EmailField("Email address", validators=[
        InputRequired("Enter your email address"),
        Length(max=254, message="Enter an email address of 254 characters or fewer")])
    password = PasswordField("Password", validators=[
        InputRequired("Enter your password"),
        Length(max=256, message="Enter a password of 256 characters or fewer")])
    next = HiddenField()


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST so another site cannot do it for you."""


class DecisionForm(FlaskForm):
    kind = RadioField(
        "Decision", choices=[SelectChoice(kind, label) for kind, label in DECISION_KINDS.items()],
        validators=[InputRequired("Select a decision")])
    note = TextAreaField("Note (optional)", validators=[
        Length(max=NOTE_LENGTH, message=f"Keep the note to {NOTE_LENGTH} characters or fewer")])
    cleared_on = FlexibleDateField(
        "Date of the doctor's clearance",
        invalid_message="Enter the date of the clearance as a real date, for example 2026-11-20")
    cleared_by = StringField("Who cleared the client (name and role)", validators=[
        Length(max=200, message="Keep this to 200 characters or fewer")])

    def validate_cleared_on(self, field) -> None:
        if self.kind.data == "cleared_by_doctor" and field.data is None:
            raise ValidationError("Enter the date the doctor cleared the client")
        if field.data is not None and field.data > clinic_today():
            raise ValidationError("The date of the clearance must be today or in the past")

    def validate_cleared_by(self, field) -> None:
        if self.kind.data == "cleared_by_doctor" and not (field.data or "").strip():
            raise ValidationError("Enter who cleared the client, for example Dr A Patel, GP")
