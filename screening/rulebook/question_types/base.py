"""What a question type is (`QuestionType`), and the registry of types by name (see
__init__.py); the seven types the rule book offers are in builtin.py."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import lazy_gettext

from ...fields import AnswerField
from ..yamlio import Problems

if TYPE_CHECKING:
    from ..types import Question, Region

DEFAULT_TEXT_LENGTH = 500
#: Where coded answers' codes are defined: FHIR code systems `urn:massage-screening:<this>`.
YES_NO_CODES, REGION_CODES, OPTION_CODES = "answer", "body-region", "option"


class AnswerError(ValueError):
    """One answer that cannot be used; the message says what to do."""


@dataclass(frozen=True)
class Option:
    id: str
    label: str


class QuestionType(ABC):
    """What every question of one type does. Subclass it, set `name` and `macro`, write
    `check`, override what else differs, and `register` it."""

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
    #: One answer posted as several values under its name (a contact's parts, in order).
    several_values: ClassVar[bool] = False
    #: The form shows it as a group of radios or checkboxes: links go to the first one.
    grouped: ClassVar[bool] = False
    #: The macro that renders it, called as (field, q, disabled, region_groups), and the
    #: template it is in.
    macro: ClassVar[str]
    template: ClassVar[str] = "_macros.html"
    #: What the client is told when a required answer is missing, or cannot be read.
    #: The messages for a required answer not given, and one that cannot be read: words
    #: to translate (`lazy_gettext`, with `%(short)s` for the question's short name), or a
    #: plain string with `{short}`.
    missing: ClassVar[Any] = lazy_gettext("Enter %(short)s")
    unreadable: ClassVar[Any] = lazy_gettext("Enter %(short)s")
    #: FHIR R4: the Questionnaire item type, the answer value written, the values read back.
    #: Its FHIR answers carry nested items (or it is a group of items) that it writes in
    #: `fhir_response` and reads back in `from_fhir` itself.
    fhir_nested: ClassVar[bool] = False
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

    def shown_choices(self, question: Question) -> list[tuple[str, Any]]:
        """(value, label) as the form shows them: the rule book's labels (the page's
        language, once the rule book is translated); built-in words through gettext."""
        return list(question.choices)

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

    @abstractmethod
    def check(self, question: Question, value: Any, today: date) -> Any:
        """`value` in its stored form, or AnswerError saying what is wrong."""

    def posted(self, question: Question, value: Any) -> list[str]:
        """A stored answer as the values a form posts for it (hidden fields carry these)."""
        return [str(item) for item in value] if isinstance(value, list) else [str(value)]

    def export(self, question: Question, value: Any) -> Any:
        """A stored answer as its CSV cell holds it (a list is joined with `;`)."""
        return value

    def missing_message(self, question: Question) -> str:
        return _with_short(self.missing, question)

    def unreadable_message(self, question: Question) -> str:
        return _with_short(self.unreadable, question)

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

    def fhir_response(self, question: Question, value: Any, coding) -> dict[str, Any]:
        """A stored answer as its QuestionnaireResponse item's `answer` (or `item`);
        `coding(question, value)` codes a coded value."""
        values = value if isinstance(value, list) else [value]
        if self.coded:
            return {"answer": [{self.fhir_value: coding(question, item)} for item in values]}
        return {"answer": [{self.fhir_value: item} for item in values]}

    def from_fhir(self, question: Question, item: dict[str, Any], code) -> Any:
        """The answer a QuestionnaireResponse item gives, for a `fhir_nested` type;
        `code(question, answer)` reads a valueCoding's code. ValueError when it cannot."""
        raise NotImplementedError(f"{self.name} answers are read by the generic reader")


TYPES: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Make `cls.name` a question type the rule book can use (a class decorator)."""
    TYPES[cls.name] = cls()
    return cls


def unregister(name: str) -> None:
    del TYPES[name]


def question_type(name: str) -> QuestionType:
    return TYPES[name]


def _with_short(message: Any, question: Question) -> str:
    """A type's message in the page's language, with the question's short name in it."""
    text = str(message)
    if "%(short)s" in text:
        return text % {"short": question.short}
    return text.format(short=question.short)
