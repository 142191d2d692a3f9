"""The review area's invitation forms; their rules are validation.py's, shared with the CLI."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField

from .service import clinic_now
from .validation import FIELDS, InvitationDetails, check, field_problem


class InvitationForm(FlaskForm):
    client_name = StringField("Client's name")
    email = EmailField("Email address")
    phone = StringField("Phone number")
    appointment_date = StringField("Appointment date")
    appointment_time = StringField("Time")
    therapist = StringField("Therapist (optional)")
    note = TextAreaField("Note for the clinic (optional)")

    details: InvitationDetails | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.details, errors = check({name: self[name].data for name in FIELDS}, clinic_now())
        for name, message in errors.items():
            self[name].errors = [message]
        return valid and not errors

    def error_items(self) -> list[tuple[str, str]]:
        """(field id, message) in the order of the form, for the error summary."""
        return [(name, self[name].errors[0]) for name in FIELDS if self[name].errors]


class ResendForm(FlaskForm):
    """Send the invitation again, to the address given (corrected, if it was wrong)."""

    email = EmailField("Email address")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        email = (self.email.data or "").strip()
        problem = field_problem("email", email) if email else \
            "Enter the email address to send the invitation to"
        if problem:
            self.email.errors = [problem]
        return valid and problem is None
