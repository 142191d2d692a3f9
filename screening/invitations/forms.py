"""The review area's invitation forms; their rules are validation.py's, shared with the CLI."""

from __future__ import annotations

from dataclasses import replace

from flask import current_app
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..clients import find, suggestions
from ..languages import both_names, clinic_language
from ..models import Client
from .service import clinic_now
from .validation import (
    FIELDS,
    N_,
    InvitationDetails,
    Problem,
    check,
    check_language,
    field_problem,
)


class InvitationForm(FlaskForm):
    client_name = StringField(lazy_gettext("Client's name"))
    email = EmailField(lazy_gettext("Email address"))
    phone = StringField(lazy_gettext("Phone number"))
    appointment_date = StringField(lazy_gettext("Appointment date"))
    appointment_time = StringField(lazy_gettext("Time"))
    therapist = StringField(lazy_gettext("Therapist (optional)"))
    note = TextAreaField(lazy_gettext("Note for the clinic (optional)"))
    #: The language of the client's emails and questionnaire (the clinic's unless chosen).
    language = RadioField(lazy_gettext("The client's language"), choices=[], validate_choice=False)
    #: Which client record: "new", or the id of one the therapist picks from `suggested`.
    client = RadioField(lazy_gettext("Which client is this?"), choices=[], validate_choice=False)

    details: InvitationDetails | None = None
    #: The chosen record (None for a new client), once validated.
    chosen: Client | None = None
    suggested: list[Client] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice(code, both_names(code))
                                 for code in current_app.config["LANGUAGES"]]
        if not self.language.data:
            self.language.data = clinic_language()

    def suggest(self, preselected: Client | None = None) -> None:
        """Records to choose from: the one chosen beforehand (from a client's page), and
        any with the name typed or the same email. Suggested only: the therapist picks."""
        found = suggestions(self.client_name.data or "", self.email.data)
        if preselected is not None and preselected not in found:
            found.insert(0, preselected)
        self.suggested = found
        self.client.choices = [SelectChoice(str(item.id), str(item.id)) for item in found] \
            + [SelectChoice("new", lazy_gettext("A new client"))]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.details, errors = check({name: self[name].data for name in FIELDS}, clinic_now())
        for name, message in errors.items():
            self[name].errors = [translated(message)]
        language, problem = check_language(self.language.data,
                                           current_app.config["LANGUAGES"])
        if problem:
            self.language.errors = [translated(problem)]
        elif self.details is not None:
            self.details = replace(self.details, language=language)
        return self._check_client() and valid and not errors and not problem

    def _check_client(self) -> bool:
        choice = self.client.data or ""
        if choice == "new" or (not choice and not self.suggested):
            self.chosen = None
            return True
        self.chosen = find(int(choice)) if choice.isdigit() else None
        if self.chosen is None:
            self.client.errors = [
                lazy_gettext("We already have records that may be this client's: choose "
                             "one, or choose a new client") if not choice else
                lazy_gettext("That client record is no longer there: choose another, or a "
                             "new client")]
            return False
        if self.details is not None:
            self.details = replace(self.details, client_id=self.chosen.id)
        return True

    def error_items(self) -> list[tuple[str, str]]:
        """(field id, message) in the order of the form, for the error summary."""
        items = [(name, self[name].errors[0]) for name in FIELDS if self[name].errors]
        if self.language.errors:
            items.append(("language-0", self.language.errors[0]))
        if self.client.errors:
            items.append(("client-0", self.client.errors[0]))
        return items


class ResendForm(FlaskForm):
    """Send the invitation again, to the address given (corrected, if it was wrong)."""

    email = EmailField(lazy_gettext("Email address"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        email = (self.email.data or "").strip()
        problem = field_problem("email", email) if email else \
            N_("Enter the email address to send the invitation to")
        if problem:
            self.email.errors = [translated(problem)]
        return valid and problem is None


def translated(problem: str) -> str:
    """A message of validation.py's in the clinic's language (one with values, a Problem,
    translated before its values go in)."""
    if isinstance(problem, Problem):
        return gettext(problem.msgid, **problem.values)
    return gettext(problem)
