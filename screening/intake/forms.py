"""The questionnaire form, built from the rule book's questions.

The client's details and the consent are ordinary WTForms fields; every
screening question gets one field, named by its question id, made from the
rule book's definition. Which follow-ups are asked, which are required and
which values are valid all come from `screening.answers`, the same code the
CLI uses, so the form and `flask screen` agree.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from hashlib import sha256
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from ..answers import AnswerError, asked, check_value, is_empty, missing, normalise
from ..clinic import clinic_today
from ..date_checks import DateCheck, confirmation, dates_to_check, message, summary_line
from ..fields import FlexibleDateField
from ..i18n import long_date
from ..rulebook import Rulebook

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,25}$")
DETAIL_FIELDS = ("client_name", "date_of_birth", "phone", "email", "appointment_date")
CONSENT_FIELDS = ("guardian_name", "guardian_relationship", "confirm", "signature",
                  "signed_on")
#: How far ahead an appointment can be booked, and how old a client can be.
MAX_BOOKING_AHEAD = timedelta(days=366)
OLDEST_BIRTH_DATE = date(1900, 1, 1)


def age_on(born: date, on: date) -> int:
    """Whole years from `born` to `on` (a 29 February birthday counts from 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class DetailsForm(FlaskForm):
    """Who the client is and when they are coming."""

    client_name = StringField(lazy_gettext("Full name"), validators=[
        InputRequired(lazy_gettext("Enter your full name")),
        Length(max=100, message=lazy_gettext("Keep your name to 100 characters or fewer"))])
    date_of_birth = FlexibleDateField(
        lazy_gettext("Date of birth"),
        validators=[InputRequired(lazy_gettext("Enter your date of birth"))],
        invalid_message=lazy_gettext("Enter your date of birth as a real date, for example "
                                     "1980-03-27"))
    phone = StringField(lazy_gettext("Phone number"), validators=[
        Length(max=25, message=lazy_gettext("Keep your phone number to 25 characters or "
                                            "fewer"))])
    email = StringField(lazy_gettext("Email address"), validators=[
        Length(max=254, message=lazy_gettext("Keep your email address to 254 characters or "
                                             "fewer"))])
    appointment_date = FlexibleDateField(
        lazy_gettext("Appointment date (optional)"),
        invalid_message=lazy_gettext("Enter your appointment date as a real date, for example "
                                     "2026-12-01"))
    submission_key = HiddenField()
    #: "1" on a questionnaire opened from saved answers (intake/drafts.py): once another
    #: window has sent them, sending them again is refused rather than stored twice.
    from_draft = HiddenField()

    today: date

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or clinic_today()

    @property
    def expired(self) -> bool:
        """The CSRF token was missing or stale: the page was open too long (or forged)."""
        return bool(self.meta.csrf and self.csrf_token.errors)

    def validate_date_of_birth(self, field: Field) -> None:
        if field.data and field.data >= self.today:
            raise ValidationError(_("Your date of birth must be in the past"))
        if field.data and field.data < OLDEST_BIRTH_DATE:
            raise ValidationError(_("Your date of birth must be after 1900"))

    def validate_appointment_date(self, field: Field) -> None:
        if field.data and field.data < self.today:
            raise ValidationError(_("Your appointment date must be today or in the future"))
        if field.data and field.data > self.today + MAX_BOOKING_AHEAD:
            raise ValidationError(_("Your appointment date must be within the next year"))

    def validate_email(self, field: Field) -> None:
        if field.data and not _EMAIL.match(field.data.strip()):
            raise ValidationError(_("Enter an email address in the correct format, "
                                    "like name@example.com"))

    def validate_phone(self, field: Field) -> None:
        if field.data and not _PHONE.match(field.data.strip()):
            raise ValidationError(_("Enter a phone number, like 07700 900 982 or +44 7700 "
                                    "900982"))
        if not (field.data or "").strip() and not (self.email.data or "").strip():
            raise ValidationError(_("Enter a phone number or an email address, so we can "
                                    "contact you about your appointment"))

    @property
    def is_minor(self) -> bool:
        """Under SCREENING_MINIMUM_AGE today: a parent or guardian consents and signs."""
        born = self.date_of_birth.data
        return bool(born) and age_on(born, self.today) < current_app.config["MINIMUM_AGE"]

    def details(self) -> dict[str, Any]:
        return {
            "client_name": self.client_name.data.strip(),
            "date_of_birth": self.date_of_birth.data,
            "phone": (self.phone.data or "").strip() or None,
            "email": (self.email.data or "").strip() or None,
            "appointment_date": self.appointment_date.data,
        }


class ValuesField(Field):
    """Every value posted under one name (boxes the client ticked), as a list."""

    def process_formdata(self, valuelist):
        self.data = [value for value in valuelist if value][:20]

    def _value(self):
        return ""


class QuestionnaireBase(DetailsForm):
    """Details plus one field per rule-book question (added by `build_forms`)."""

    rulebook: Rulebook
    #: The dates outside their question's window the client has said are right
    #: (`date_checks.confirmation` of each).
    dates_checked = ValuesField()

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        self._check_answers()
        return not any(field.errors for field in self)

    def _check_answers(self) -> None:
        raw = self._raw_answers()
        shown = {question.id for question in asked(self.rulebook, raw)}
        for question in self.rulebook.questions.values():
            field = self[question.id]
            if question.id not in shown:
                field.errors = []
                continue
            if field.errors:
                continue
            value = raw.get(question.id)
            if is_empty(value):
                if question.required:
                    field.errors = [question.kind.missing_message(question)]
                continue
            try:
                check_value(question, value, self.today)
            except AnswerError as error:
                field.errors = [str(error)]

    def _raw_answers(self) -> dict[str, Any]:
        """Every answer that could be read, as given: asked or not, checked or not. Each
        field read its post with its question type's `read`, as `posted_answers` does."""
        raw = {}
        for question in self.rulebook.questions.values():
            field = self[question.id]
            if not field.process_errors and not is_empty(field.data):
                raw[question.id] = field.data
        return raw

    def answers(self) -> dict[str, Any]:
        """The valid answers to the questions that are asked, in the contract's encoding,
        through `normalise`: the same code the CLI and `posted_answers` use, so each
        stores the same answers for the same post."""
        return normalise(self.rulebook, self._raw_answers(), self.today)[0]

    def carried_fields(self) -> list[tuple[str, str]]:
        """Every answer as (field name, text) pairs, for hidden fields on the next page."""
        pairs = [(name, value.isoformat() if isinstance(value, date) else value)
                 for name, value in self.details().items() if value is not None]
        pairs.append(("submission_key", self.submission_key.data or ""))
        pairs += [("dates_checked", value) for value in self.dates_checked.data or ()]
        if self.from_draft.data:
            pairs.append(("from_draft", "1"))
        questions = self.rulebook.questions
        for question_id, value in self.answers().items():
            question = questions[question_id]
            pairs += [(question_id, item) for item in question.kind.posted(question, value)]
        return pairs

    def dates_to_check(self) -> list[DateCheck]:
        """Dates outside the window their question asks about, as of the date the screening
        uses (the appointment, else today), that the client has not yet said are right."""
        return dates_to_check(self.rulebook, self.answers(), self.screened_on,
                              frozenset(self.dates_checked.data or ()))

    @property
    def screened_on(self) -> date:
        return self.appointment_date.data or self.today

    def date_notes(self) -> dict[str, tuple[str, str, bool]]:
        """Date question id -> (what the page says beside it, its box's value, whether the
        box is ticked), for each date outside the window its question asks about."""
        answers, rulebook = self.answers(), self.rulebook
        ticked = set(self.dates_checked.data or ())
        notes = {}
        for check in dates_to_check(rulebook, answers, self.screened_on):
            value = confirmation(check.question, answers[check.question])
            notes[check.question] = (
                message(rulebook, check, self.appointment_date.data is not None), value,
                value in ticked)
        return notes

    def date_summary(self) -> list[tuple[str, str]]:
        """(anchor id, line) for the summary: each date still to check."""
        return [(f"{check.question}-checked", summary_line(self.rulebook, check))
                for check in self.dates_to_check()]

    def only_follow_ups_to_answer(self) -> bool:
        """Whether every problem is a follow-up not answered yet: without JavaScript, the
        ones the server has just asked for, shown under a calm heading, not as an error."""
        questions = self.rulebook.questions

        def unanswered_follow_up(field: Field) -> bool:
            question = questions.get(field.name)
            return (question is not None and question.parent is not None
                    and field.errors == [question.kind.missing_message(question)])

        wrong = [field for field in self if field.errors]
        return bool(wrong) and all(map(unanswered_follow_up, wrong))

    def shown_questions(self) -> set[str]:
        return {question.id for question in asked(self.rulebook, self._raw_answers())}


class ConsentForm(FlaskForm):
    """The declaration, typed signature and date; mixed into the submit form with the details."""

    today: date

    confirm = BooleanField(
        lazy_gettext("I confirm my answers are true to the best of my knowledge, and I agree "
                     "to the clinic keeping them to plan my massage safely."),
        validators=[InputRequired(lazy_gettext("Confirm that your answers are true and that "
                                               "you agree to the clinic keeping them"))])
    signature = StringField(lazy_gettext("Type your full name to sign"), validators=[
        InputRequired(lazy_gettext("Type your full name to sign the form")),
        Length(max=100, message=lazy_gettext("Keep your signature to 100 characters or fewer"))])
    signed_on = FlexibleDateField(
        lazy_gettext("Date"), validators=[InputRequired(lazy_gettext("Enter today's date"))],
        invalid_message=lazy_gettext("Enter today's date, for example 2026-11-26"))

    guardian_name = StringField(lazy_gettext("Parent or guardian's full name"), validators=[
        Length(max=100, message=lazy_gettext("Keep the name to 100 characters or fewer"))])
    guardian_relationship = StringField(lazy_gettext("Their relationship to you"), validators=[
        Length(max=50, message=lazy_gettext("Keep the relationship to 50 characters or fewer"))])

    def validate_guardian_name(self, field: Field) -> None:
        if self.is_minor and not (field.data or "").strip():
            raise ValidationError(_("Enter the full name of your parent or guardian"))

    def validate_guardian_relationship(self, field: Field) -> None:
        if self.is_minor and not (field.data or "").strip():
            raise ValidationError(_("Enter how your parent or guardian is related to you, "
                                    "for example mother"))

    def declaration(self) -> dict[str, Any]:
        """What was signed, as stored with the screening: the wording's version (a hash of
        the declaration's text, so it changes whenever the words do) and, for a minor, who
        consented."""
        signed: dict[str, Any] = {"version": declaration_version()}
        if self.is_minor:
            signed["guardian"] = {"name": self.guardian_name.data.strip(),
                                  "relationship": self.guardian_relationship.data.strip()}
        return signed

    def validate_signed_on(self, field: Field) -> None:
        # One day either side, for clients in another time zone than the server.
        if field.data and abs((field.data - self.today).days) > 1:
            raise ValidationError(_("Enter today's date (%(today)s)",
                                    today=long_date(self.today)))


def declaration_version() -> str:
    """The declaration wording's version: the first 10 hex digits of its text's SHA-256, in
    the language it was signed in (the page's), so a change to either wording shows."""
    text = str(ConsentForm.confirm.args[0])
    return sha256(text.encode()).hexdigest()[:10]


class SubmitDetailsForm(DetailsForm, ConsentForm):
    """What the submit page posts besides the answers: details, key and consent."""


def posted_answers(rulebook: Rulebook, formdata, today: date) -> dict[str, Any] | None:
    """The answers read straight from a posted form when all of them are in order, else None.

    A complete, valid submission needs no field objects: each answer is read by its
    question type's `read`, as its form field reads it, then `normalise` and `missing`
    check it as the full form does. Anything out of order (a value that cannot be read, a
    problem, a required answer missing, a second value for a one-answer question) gives
    None, and the full form then says what is wrong. The tests check that whenever this
    gives answers, the full form accepts the same post with the same answers.
    """
    raw: dict[str, Any] = {}
    for question in rulebook.questions.values():
        values = formdata.getlist(question.id)
        if len(values) > 1 and not (question.multiple or question.kind.several_values):
            return None
        try:
            value = question.kind.read(question, values)
        except AnswerError:
            return None
        if not is_empty(value):
            raw[question.id] = value
    answers, problems = normalise(rulebook, raw, today)
    if problems or missing(rulebook, answers):
        return None
    return answers


def draft_fields(rulebook: Rulebook, formdata) -> list[tuple[str, str]]:
    """What "Save and come back later" keeps of a post: the questionnaire's own fields, as
    typed (incomplete or wrong ones too: they are put back as they were), in their order."""
    names = [*DETAIL_FIELDS, *rulebook.questions]
    return [(name, str(value)) for name in names for value in formdata.getlist(name)]


def error_summary(form: QuestionnaireBase) -> list[tuple[str, str]]:
    """(anchor id, message) for each field with an error, in the order of the pages."""
    questions = form.rulebook.questions
    items = []
    for name in [*DETAIL_FIELDS, *questions, *CONSENT_FIELDS]:
        field = form._fields.get(name)
        if field is not None and field.errors:
            question = questions.get(name)
            anchor = question.kind.anchor(question) if question else name
            items.append((anchor, field.errors[0]))
    return items


def build_forms(rulebook: Rulebook) -> tuple[type[QuestionnaireBase], type[QuestionnaireBase]]:
    """The questionnaire form class and the submit form class (questionnaire + consent).

    No question id clashes with a name of these forms: the loader refuses those ids
    (rulebook/load_conditions.py, RESERVED_IDS)."""
    fields = {qid: question.kind.field(question) for qid, question in rulebook.questions.items()}
    questionnaire = type("QuestionnaireForm", (QuestionnaireBase,),
                         {"rulebook": rulebook, **fields})
    submit = type("SubmitForm", (questionnaire, ConsentForm), {})
    return questionnaire, submit
