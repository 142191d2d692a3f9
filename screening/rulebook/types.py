"""What a loaded rule book is made of: frozen dataclasses, no behaviour beyond lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .predicates import Predicate

#: Outcomes from least to most restrictive (shared/clinical/README.md).
OUTCOMES = ("clear", "caution", "local", "medical_clearance", "postpone")
RANK = {name: rank for rank, name in enumerate(OUTCOMES)}
QUESTION_TYPES = ("yes_no", "choice", "body_location", "date", "number", "text",
                  "blood_pressure")
YES_NO_LABELS = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
DEFAULT_TEXT_LENGTH = 500


class RulebookError(Exception):
    """The rule book cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    condition: str
    text: str
    short: str
    type: str
    hint: str = ""
    options: tuple[Option, ...] = ()
    not_sure: bool = False
    multiple: bool = False
    required: bool = True
    parent: str | None = None
    ask_when: Predicate | None = field(default=None, compare=False, repr=False)
    ask_when_data: Any = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    max_length: int = DEFAULT_TEXT_LENGTH

    def label_for(self, value: str) -> str:
        """The wording of one answer value (an option, yes/no, or a body region)."""
        if self.type == "yes_no":
            return YES_NO_LABELS.get(value, value)
        return next((option.label for option in self.options if option.id == value), value)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(value, label) pairs for a yes/no or choice question."""
        if self.type == "yes_no":
            values = ("yes", "no", "not_sure") if self.not_sure else ("yes", "no")
            return [(value, YES_NO_LABELS[value]) for value in values]
        return [(option.id, option.label) for option in self.options]


@dataclass(frozen=True)
class Rule:
    id: str
    condition: str
    outcome: str
    client_message: str
    therapist_action: str
    source: str
    when: Predicate = field(compare=False, repr=False)
    when_data: Any = None
    urgent: bool = False
    areas: tuple[str, ...] = ()
    areas_from: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    suggested_default: bool = False
    note: str = ""


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    seed: bool
    questions: tuple[str, ...]
    rules: tuple[Rule, ...]
    file: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class Region:
    id: str
    label: str
    group: str


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Rulebook:
    title: str
    label: str
    digest: str
    path: str
    outcomes: dict[str, dict[str, str]]
    urgent: dict[str, str]
    regions: tuple[Region, ...]
    sections: tuple[Section, ...]
    conditions: dict[str, Condition]
    questions: dict[str, Question]

    @cached_property
    def version(self) -> str:
        """The label a clinic gave this rule book plus a hash of its content."""
        return f"{self.label}+{self.digest[:12]}"

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for condition in self.conditions.values() for rule in condition.rules)

    def region_label(self, region_id: str) -> str:
        return next((region.label for region in self.regions if region.id == region_id),
                    region_id)
