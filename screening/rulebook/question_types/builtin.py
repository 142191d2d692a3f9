"""The question types a rule book can use: yes_no, choice, body_location, date, number, text
and blood_pressure, each registered under its name."""

from __future__ import annotations

from datetime import date
from math import isfinite
from typing import TYPE_CHECKING, Any

from flask_babel import gettext, lazy_gettext
from wtforms import SelectChoice

from ...fields import (
    CheckboxesAnswerField,
    RadioAnswerField,
    parse_blood_pressure,
    parse_date,
    parse_number,
)
from ...i18n import long_date
from ..yamlio import Problems, check_id, check_mapping, flag, text_field
from .base import (
    DEFAULT_TEXT_LENGTH,
    OPTION_CODES,
    REGION_CODES,
    YES_NO_CODES,
    AnswerError,
    Option,
    QuestionType,
    register,
)

if TYPE_CHECKING:
    from ..types import Question

MAX_TEXT_LENGTH = 2000
EARLIEST_DATE = date(1900, 1, 1)
#: The codes' labels in the FHIR Questionnaire, the CLI and exports: always English.
YES_NO_LABELS = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
#: The same labels as the pages say them, in the page's language.
YES_NO_WORDS = {"yes": lazy_gettext("Yes"), "no": lazy_gettext("No"),
                "not_sure": lazy_gettext("Not sure")}
#: Operators that test a coded answer: `is`/`in` for one answer, `includes` for several.
CODED_OPERATORS = frozenset({"is", "in", "includes", "answered"})
# FHIR R4 Questionnaire extensions (http://hl7.org/fhir/R4/extensibility-registry.html).
ENTRY_FORMAT = "http://hl7.org/fhir/StructureDefinition/entryFormat"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"


# --- the types --------------------------------------------------------------------------------


class _Coded(QuestionType):
    """Answers picked from the question's choices: one, or several when `multiple`."""

    operators = CODED_OPERATORS
    coded = grouped = True
    missing = lazy_gettext("Select an answer about %(short)s")
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
        choices = [SelectChoice(value, label) for value, label in self.shown_choices(question)]
        field = CheckboxesAnswerField if question.multiple else RadioAnswerField
        return field(question.text, question=question, choices=choices, validate_choice=False)


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
        return str(YES_NO_WORDS[value]) if value in YES_NO_WORDS else value

    def shown_choices(self, question: Question) -> list[tuple[str, Any]]:
        return [(value, YES_NO_WORDS[value]) for value, _label in question.choices]

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
    missing = lazy_gettext("Select at least one body area for %(short)s")

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
    missing = lazy_gettext("Enter the date of %(short)s")
    unreadable = lazy_gettext("Enter the date of %(short)s as a real date, for example "
                              "2026-03-27")
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
            raise AnswerError(gettext("The date of %(short)s must be today or in the past",
                                      short=question.short))
        if when < EARLIEST_DATE:
            raise AnswerError(gettext("The date of %(short)s must be after 1900",
                                      short=question.short))
        return when.isoformat()

    def display(self, question: Question, value: Any) -> str:
        return long_date(value)


@register
class Number(QuestionType):
    name, macro = "number", "number_question"
    fields = frozenset({"min", "max", "unit"})
    operators = frozenset({"answered", "at_least", "below"})
    missing = unreadable = lazy_gettext("Enter %(short)s as a number")
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
            raise AnswerError(gettext("Enter %(short)s as a number from %(low)s to %(high)s",
                                      short=question.short, low=_plain(low),
                                      high=_plain(high)))
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
            raise AnswerError(gettext("Enter %(short)s as text", short=question.short))
        value = value.strip()
        if len(value) > question.max_length:
            raise AnswerError(gettext("Keep %(short)s to %(most)s characters or fewer (you "
                                      "have %(count)s)", short=question.short,
                                      most=question.max_length, count=len(value)))
        return value

    def fhir_item(self, question: Question) -> dict[str, Any]:
        return {"maxLength": question.max_length}


@register
class BloodPressure(QuestionType):
    """A reading such as 135/85, stored as written that way."""

    name, macro = "blood_pressure", "blood_pressure_question"
    operators = frozenset({"answered", "bp_at_least"})
    missing = lazy_gettext("Enter %(short)s, for example 135/85")
    unreadable = lazy_gettext("Enter %(short)s as two numbers, for example 135/85")

    def check(self, question: Question, value: Any, today: date) -> str:
        reading = parse_blood_pressure(value)
        if reading is None or not (60 <= reading[0] <= 300 and 30 <= reading[1] <= 200):
            raise AnswerError(self.unreadable_message(question))
        return f"{reading[0]}/{reading[1]}"

    def fhir_extensions(self, question: Question) -> list[dict[str, Any]]:
        return [{"url": ENTRY_FORMAT, "valueString": "135/85"}]


# --- helpers ---------------------------------------------------------------------------------




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
