"""Question types: one object per type of answer, owning everything that differs by type.

A question's `type` in the rule book (`yes_no`, `choice`, `body_location`, `date`, `number`,
`text`, `blood_pressure`) names one object here. It says which rule-book fields such a
question may have, which predicate operators test its answers, how a posted answer is read
and checked and stored (the contract's encoding, shared/clinical/README.md), what the
client is told when it is missing or wrong, which form field and which macro show it, how
it reads on check-your-answers and the record, how FHIR R4 writes and reads it, and whether
an anonymised screening keeps it. The loader, the predicates, the questionnaire form and
`posted_answers`, the pages, FHIR and retention all ask `question.kind`; a new type is one
`QuestionType` subclass passed to `register` and one macro. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from math import isfinite
from typing import TYPE_CHECKING, Any, ClassVar

from wtforms import SelectChoice

from ..fields import (
    AnswerField,
    CheckboxesAnswerField,
    RadioAnswerField,
    parse_blood_pressure,
    parse_date,
    parse_number,
)
from .yamlio import Problems, check_id, check_mapping, flag, text_field

if TYPE_CHECKING:
    from .types import Question, Region

DEFAULT_TEXT_LENGTH = 500
MAX_TEXT_LENGTH = 2000
EARLIEST_DATE = date(1900, 1, 1)
YES_NO_LABELS = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
#: Where coded answers' codes are defined: FHIR code systems `urn:massage-screening:<this>`.
YES_NO_CODES, REGION_CODES, OPTION_CODES = "answer", "body-region", "option"
#: Operators that test a coded answer: `is`/`in` for one answer, `includes` for several.
CODED_OPERATORS = frozenset({"is", "in", "includes", "answered"})
# FHIR R4 Questionnaire extensions (http://hl7.org/fhir/R4/extensibility-registry.html).
ENTRY_FORMAT = "http://hl7.org/fhir/StructureDefinition/entryFormat"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"


class AnswerError(ValueError):
    """One answer that cannot be used; the message says what to do."""


@dataclass(frozen=True)
class Option:
    id: str
    label: str


class QuestionType:
    """What every question of one type does. Subclass it, set `name` and `macro`, override
    what differs, and `register` it."""

    name: ClassVar[str]
    #: Rule-book fields a question of this type may have besides the common ones.
    fields: ClassVar[frozenset[str]] = frozenset()
    #: Predicate operators that can test its answers (screening/rulebook/predicates.py).
    operators: ClassVar[frozenset[str]] = frozenset({"answered"})
    #: Its answers are codes from its choices (FHIR `valueCoding`; `is`, `in`, `includes`).
    coded: ClassVar[bool] = False
    #: Its answers are body-region ids, so a rule may take its areas from them.
    gives_areas: ClassVar[bool] = False
    #: Its answers are the client's own words: shown as written, dropped when anonymising.
    free_text: ClassVar[bool] = False
    #: The form shows it as a group of radios or checkboxes: links go to the first one.
    grouped: ClassVar[bool] = False
    #: The macro that renders it, called as (field, q, disabled, region_groups), and the
    #: template it is in.
    macro: ClassVar[str]
    template: ClassVar[str] = "_macros.html"
    #: What the client is told when a required answer is missing, or cannot be read.
    missing: ClassVar[str] = "Enter {short}"
    unreadable: ClassVar[str] = "Enter {short}"
    #: FHIR R4: the Questionnaire item type, the answer value written, the values read back.
    fhir_type: ClassVar[str] = "string"
    fhir_value: ClassVar[str] = "valueString"
    fhir_reads: ClassVar[tuple[str, ...]] = ("valueString",)

    # --- the rule book ---------------------------------------------------------------------

    def definition(self, item: dict, regions: tuple[Region, ...], problems: Problems,
                   file: str, where: str) -> dict[str, Any]:
        """The Question attributes its own `fields` give, read from its rule-book entry."""
        return {}

    def choices(self, question: Question) -> list[tuple[str, str]]:
        """(value, label) for each answer a coded question can have."""
        return [(option.id, option.label) for option in question.options]

    def label_for(self, question: Question, value: str) -> str:
        return dict(self.choices(question)).get(value, value)

    # --- answers ---------------------------------------------------------------------------

    def read(self, question: Question, values: list[str]) -> Any:
        """A posted answer (every value sent under its name) in the contract's encoding, or
        None when blank; AnswerError when it cannot be read. The form's field and
        `posted_answers` both read through this."""
        if question.multiple:
            return list(values)
        text = values[0].strip() if values else ""
        return self.parse(question, text) if text else None

    def parse(self, question: Question, text: str) -> Any:
        """One non-blank posted value in the contract's encoding."""
        return text

    def check(self, question: Question, value: Any, today: date) -> Any:
        """`value` in its stored form, or AnswerError saying what is wrong."""
        raise NotImplementedError(f"{type(self).__name__} does not check answers")

    def missing_message(self, question: Question) -> str:
        return self.missing.format(short=question.short)

    def unreadable_message(self, question: Question) -> str:
        return self.unreadable.format(short=question.short)

    # --- the form and the pages ------------------------------------------------------------

    def field(self, question: Question):
        """The (unbound) WTForms field for the questionnaire form."""
        return AnswerField(question.text, question=question)

    def anchor(self, question: Question) -> str:
        """The id of the control an error or a 'Change' link points at."""
        return f"{question.id}-0" if self.grouped else question.id

    def display(self, question: Question, value: Any) -> str:
        """A (non-empty) answer as the client would say it."""
        if isinstance(value, list):
            return ", ".join(self.label_for(question, item) for item in value)
        return self.label_for(question, value) if self.coded else str(value)

    def kept_when_anonymised(self, question: Question, value: Any) -> bool:
        """Whether an anonymised screening keeps this stored answer: only when it is one of
        the question's coded values, never free text (nor anything else it cannot check)."""
        if self.free_text:
            return False
        try:
            self.check(question, value, today=date.max)  # a stored date was in the past
        except AnswerError:
            return False
        return True

    # --- FHIR R4 ---------------------------------------------------------------------------

    def code_system(self, question: Question) -> str:
        """Where its coded answers' codes are defined (one of the *_CODES above)."""
        raise NotImplementedError(f"{self.name} answers are not coded")

    def fhir_extensions(self, question: Question) -> list[dict[str, Any]]:
        return []

    def fhir_item(self, question: Question) -> dict[str, Any]:
        """Questionnaire item fields beyond the common ones."""
        return {}


TYPES: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Make `cls.name` a question type the rule book can use (a class decorator)."""
    TYPES[cls.name] = cls()
    return cls


def unregister(name: str) -> None:
    del TYPES[name]


def question_type(name: str) -> QuestionType:
    return TYPES[name]


def _choice_field(question: Question):
    choices = [SelectChoice(value, label) for value, label in question.choices]
    field = CheckboxesAnswerField if question.multiple else RadioAnswerField
    return field(question.text, question=question, choices=choices, validate_choice=False)


# --- the types --------------------------------------------------------------------------------


class _Coded(QuestionType):
    """Answers picked from the question's choices: one, or several when `multiple`."""

    operators = CODED_OPERATORS
    coded = grouped = True
    missing = "Select an answer about {short}"
    fhir_type, fhir_value, fhir_reads = "choice", "valueCoding", ("valueCoding",)

    def check(self, question: Question, value: Any, today: date) -> Any:
        allowed = [choice for choice, _label in question.choices]
        if question.multiple:
            values = value if isinstance(value, list) else [value]
            unknown = [item for item in values if item not in allowed]
            if unknown or not values:
                raise AnswerError(f"{_quote(unknown or values)} is not an option for "
                                  f"{question.short} (choose from: {', '.join(allowed)})")
            return [item for item in allowed if item in values]
        if value not in allowed:
            raise AnswerError(f"{_quote(value)} is not an answer about {question.short} "
                              f"(choose one of: {', '.join(allowed)})")
        return value

    def field(self, question: Question):
        return _choice_field(question)


@register
class YesNo(_Coded):
    name, macro = "yes_no", "yes_no_question"
    fields = frozenset({"not_sure"})

    def definition(self, item, regions, problems, file, where):
        return {"not_sure": flag(item, "not_sure", problems, file, where)}

    def choices(self, question: Question) -> list[tuple[str, str]]:
        values = ("yes", "no", "not_sure") if question.not_sure else ("yes", "no")
        return [(value, YES_NO_LABELS[value]) for value in values]

    def label_for(self, question: Question, value: str) -> str:
        return YES_NO_LABELS.get(value, value)

    def code_system(self, question: Question) -> str:
        return YES_NO_CODES  # yes / no / not_sure


@register
class Choice(_Coded):
    name, macro = "choice", "choice_question"
    fields = frozenset({"options", "multiple"})

    def definition(self, item, regions, problems, file, where):
        return {"options": _options(item.get("options"), problems, file, where),
                "multiple": flag(item, "multiple", problems, file, where)}

    def code_system(self, question: Question) -> str:
        return f"{OPTION_CODES}:{question.id}"


@register
class BodyLocation(_Coded):
    """Body areas, from the rule book's body_regions."""

    name, macro = "body_location", "body_location_question"
    gives_areas = True
    missing = "Select at least one body area for {short}"

    def definition(self, item, regions, problems, file, where):
        if not regions:
            problems.add(file, where, "rulebook.yaml has no body_regions for a body_location "
                         "question to offer")
        return {"options": tuple(Option(region.id, region.label) for region in regions),
                "multiple": True}

    def code_system(self, question: Question) -> str:
        return REGION_CODES


@register
class Date(QuestionType):
    name, macro = "date", "date_question"
    operators = frozenset({"answered", "within", "older_than"})
    missing = "Enter the date of {short}"
    unreadable = "Enter the date of {short} as a real date, for example 2026-03-27"
    fhir_type, fhir_value, fhir_reads = "date", "valueDate", ("valueDate",)

    def parse(self, question: Question, text: str) -> str:
        when = parse_date(text)
        if when is None:
            raise AnswerError(self.unreadable_message(question))
        return when.isoformat()

    def check(self, question: Question, value: Any, today: date) -> str:
        if isinstance(value, date):  # a YAML file may hold real dates
            value = value.isoformat()
        try:
            when = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            when = None
        if when is None or len(value) != 10:
            raise AnswerError(self.unreadable_message(question))
        if when > today:
            raise AnswerError(f"The date of {question.short} must be today or in the past")
        if when < EARLIEST_DATE:
            raise AnswerError(f"The date of {question.short} must be after 1900")
        return when.isoformat()

    def display(self, question: Question, value: Any) -> str:
        return long_date(value)


@register
class Number(QuestionType):
    name, macro = "number", "number_question"
    fields = frozenset({"min", "max", "unit"})
    operators = frozenset({"answered", "at_least", "below"})
    missing = unreadable = "Enter {short} as a number"
    fhir_type, fhir_value, fhir_reads = "decimal", "valueDecimal", ("valueDecimal",
                                                                    "valueInteger")

    def definition(self, item, regions, problems, file, where):
        low, high = (_number(item, key, problems, file, where) for key in ("min", "max"))
        if low is not None and high is not None and low > high:
            problems.add(file, f"{where}, field 'min'", f"{low:g} is above the max, {high:g}: "
                         "no answer could be given")
        return {"minimum": low, "maximum": high, "unit": str(item.get("unit", ""))}

    def parse(self, question: Question, text: str) -> int | float:
        try:
            return parse_number(text)
        except ValueError:
            raise AnswerError(self.unreadable_message(question)) from None

    def check(self, question: Question, value: Any, today: date) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise AnswerError(self.unreadable_message(question))
        low, high = question.minimum, question.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            raise AnswerError(f"Enter {question.short} as a number from {_plain(low)} to "
                              f"{_plain(high)}")
        if not _finite(value):
            raise AnswerError(self.unreadable_message(question))
        return value if isinstance(value, int) or not value.is_integer() else int(value)

    def display(self, question: Question, value: Any) -> str:
        return f"{value:g} {question.unit}".strip()

    def fhir_extensions(self, question: Question) -> list[dict[str, Any]]:
        extensions: list[dict[str, Any]] = [
            {"url": url, "valueDecimal": limit}
            for url, limit in ((MIN_VALUE, question.minimum), (MAX_VALUE, question.maximum))
            if limit is not None]
        if question.unit:
            extensions.append({"url": UNIT, "valueCoding": {"display": question.unit}})
        return extensions


@register
class Text(QuestionType):
    name, macro = "text", "text_question"
    fields = frozenset({"max_length"})
    free_text = True
    fhir_type = "text"

    def definition(self, item, regions, problems, file, where):
        value = item.get("max_length", DEFAULT_TEXT_LENGTH)
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 1 <= value <= MAX_TEXT_LENGTH:
            problems.add(file, f"{where}, field 'max_length'", f"expected a whole number from 1 "
                         f"to {MAX_TEXT_LENGTH}, not {value!r}")
            value = DEFAULT_TEXT_LENGTH
        return {"max_length": value}

    def check(self, question: Question, value: Any, today: date) -> str:
        if not isinstance(value, str):
            raise AnswerError(f"Enter {question.short} as text")
        value = value.strip()
        if len(value) > question.max_length:
            raise AnswerError(f"Keep {question.short} to {question.max_length} characters or "
                              f"fewer (you have {len(value)})")
        return value

    def fhir_item(self, question: Question) -> dict[str, Any]:
        return {"maxLength": question.max_length}


@register
class BloodPressure(QuestionType):
    """A reading such as 135/85, stored as written that way."""

    name, macro = "blood_pressure", "blood_pressure_question"
    operators = frozenset({"answered", "bp_at_least"})
    missing = "Enter {short}, for example 135/85"
    unreadable = "Enter {short} as two numbers, for example 135/85"

    def check(self, question: Question, value: Any, today: date) -> str:
        reading = parse_blood_pressure(value)
        if reading is None or not (60 <= reading[0] <= 300 and 30 <= reading[1] <= 200):
            raise AnswerError(self.unreadable_message(question))
        return f"{reading[0]}/{reading[1]}"

    def fhir_extensions(self, question: Question) -> list[dict[str, Any]]:
        return [{"url": ENTRY_FORMAT, "valueString": "135/85"}]


# --- helpers ---------------------------------------------------------------------------------


def long_date(value: date | str | None) -> str:
    """27 March 2026."""
    if not value:
        return ""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{when.day} {when:%B %Y}"


def _options(data: Any, problems: Problems, file: str, where: str) -> tuple[Option, ...]:
    if not isinstance(data, list) or len(data) < 2:
        problems.add(file, f"{where}, field 'options'", "a choice needs a list of at least two "
                     "options, each {id: ..., label: ...}")
        return ()
    options: list[Option] = []
    for option in data:
        spot = f"{where}, option {option.get('id') if isinstance(option, dict) else option!r}"
        if not check_mapping(option, {"id", "label"}, {"id", "label"}, problems, file, spot):
            continue
        if check_id(option["id"], problems, file, spot):
            if any(existing.id == option["id"] for existing in options):
                problems.add(file, spot, "duplicate option id")
            options.append(Option(option["id"], text_field(option, "label", problems, file,
                                                           spot)))
    return tuple(options)


def _number(item: dict, key: str, problems: Problems, file: str, where: str) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(file, f"{where}, field '{key}'", f"expected a number, not {value!r}")
        return None
    return value


def _finite(value: int | float) -> bool:
    try:
        return isfinite(value)
    except OverflowError:  # an int too large to be any real answer
        return False


def _quote(value: Any) -> str:
    return ", ".join(map(repr, value)) if isinstance(value, list) else repr(value)


def _plain(number: float | None) -> str:
    return "any" if number is None else f"{number:g}"
