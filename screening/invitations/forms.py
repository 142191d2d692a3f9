"""The review area's invitation forms; their rules are validation.py's, shared with the CLI."""

from __future__ import annotations

from dataclasses import replace

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..clients import find, suggestions
from ..models import Client
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
    #: Which client record: "new", or the id of one the therapist picks from `suggested`.
    client = RadioField("Which client is this?", choices=[], validate_choice=False)

    details: InvitationDetails | None = None
    #: The chosen record (None for a new client), once validated.
    chosen: Client | None = None
    suggested: list[Client] = []

    def suggest(self, preselected: Client | None = None) -> None:
        """Records to choose from: the one chosen beforehand (from a client's page), and
        any with the name typed or the same email. Suggested only: the therapist picks."""
        found = suggestions(self.client_name.data or "", self.email.data)
        if preselected is not None and preselected not in found:
            found.insert(0, preselected)
        self.suggested = found
        self.client.choices = [SelectChoice(str(item.id), str(item.id)) for item in found] \
            + [SelectChoice("new", "A new client")]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.details, errors = check({name: self[name].data for name in FIELDS}, clinic_now())
        for name, message in errors.items():
            self[name].errors = [message]
        return self._check_client() and valid and not errors

    def _check_client(self) -> bool:
        choice = self.client.data or ""
        if choice == "new" or (not choice and not self.suggested):
            self.chosen = None
            return True
        self.chosen = find(int(choice)) if choice.isdigit() else None
        if self.chosen is None:
            self.client.errors = [
                "We already have records that may be this client's: choose one, or "
                "choose a new client" if not choice else
                "That client record is no longer there: choose another, or a new client"]
            return False
        if self.details is not None:
            self.details = replace(self.details, client_id=self.chosen.id)
        return True

    def error_items(self) -> list[tuple[str, str]]:
        """(field id, message) in the order of the form, for the error summary."""
        items = [(name, self[name].errors[0]) for name in FIELDS if self[name].errors]
        if self.client.errors:
            items.append(("client-0", self.client.errors[0]))
        return items


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
