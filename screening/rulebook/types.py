"""What a loaded rule book is made of: frozen dataclasses, no behaviour beyond lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .parameters import Parameter
from .predicates import Predicate
from .question_types import DEFAULT_TEXT_LENGTH, Option, QuestionType, question_type
from .translations import Translation

#: Outcomes from least to most restrictive (shared/clinical/README.md).
OUTCOMES = ("clear", "caution", "local", "medical_clearance", "postpone")
RANK = {name: rank for rank, name in enumerate(OUTCOMES)}


class RulebookError(Exception):
    """The rule book cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


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
    #: About today or a short time window: a returning client is always asked it again,
    #: never shown last time's answer (and neither is the rest of its condition).
    ask_afresh: bool = False
    #: An intake detail (intake.yaml), not a screening question: no rule reads it unless the
    #: rule says `reads_intake: true`. Its `condition` is "" and `section` its section's id.
    intake: bool = False
    section: str = ""
    #: What a contact question asks (name, practice, relationship, phone, email), and which
    #: of them a contact given must have (each a tuple of parts, one of which is enough).
    parts: tuple[str, ...] = ()
    needs: tuple[tuple[str, ...], ...] = ()
    #: What an area-with-score question calls its score.
    score_label: str = ""
    #: Intake only: the body chart kind its areas are drawn as (focus, no_touch); what the
    #: printed record calls it; whether the doctor's letter is addressed to this contact.
    chart: str = ""
    record_label: str = ""
    addressee: bool = False

    @property
    def kind(self) -> QuestionType:
        """Its type's object in the registry (question_types/): everything that differs
        by type, from reading an answer to writing it in FHIR, is asked of it."""
        return question_type(self.type)

    def label_for(self, value: str) -> str:
        """The wording of one answer value (an option, yes/no, or a body region)."""
        return self.kind.label_for(self, value)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(value, label) pairs for a coded question (yes/no, choice, body location)."""
        return self.kind.choices(self)


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
    #: The rule's test is a date outside the window its question asks about: the form says
    #: so beside the date and asks the client to check it (screening/date_checks.py).
    ask_to_check: bool = False
    #: The rule tests intake details on purpose (refused by the loader without this).
    reads_intake: bool = False


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    seed: bool
    questions: tuple[str, ...]
    rules: tuple[Rule, ...]
    file: str
    #: Not one of the clinical catalogue's conditions: the clinic added it.
    added_by_clinic: bool = False


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    conditions: tuple[str, ...]
    #: Every question of the section in form order: its conditions' questions, or for an
    #: intake section (kind "intake", from intake.yaml) its own.
    questions: tuple[str, ...] = ()
    kind: str = "screening"

    @property
    def intake(self) -> bool:
        return self.kind == "intake"


@dataclass(frozen=True)
class Region:
    id: str
    label: str
    group: str


@dataclass(frozen=True)
class Shape:
    """One clickable part of a body map figure: an SVG path, and the region it stands for."""
    region: str
    d: str


@dataclass(frozen=True)
class BodyView:
    """One figure of the body map (front or back), its shapes in drawing order."""
    id: str
    title: str
    edges: tuple[str, str]  # the client's sides at the drawing's left and right edges
    shapes: tuple[Shape, ...]


@dataclass(frozen=True)
class BodyMap:
    """The figures (body_map.yaml) the form and the body chart draw the body regions on."""
    width: float
    height: float
    views: tuple[BodyView, ...]


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
    parameters: dict[str, Parameter] = field(default_factory=dict)
    body_map: BodyMap | None = None  # None: the rule book has no body_map.yaml
    #: Its translatable English as its files have it, placeholders unfilled, by key.
    english: dict[tuple[str, ...], str] = field(default_factory=dict, repr=False)
    #: Its translation files (translations/<language>.yaml), by language, checked.
    translations: dict[str, Translation] = field(default_factory=dict, repr=False)
    #: The language of its words; a translated copy (translate.py) keeps its `original`.
    language: str = "en"
    original: Rulebook | None = field(default=None, repr=False)

    @cached_property
    def version(self) -> str:
        """The label a clinic gave this rule book plus a hash of its content."""
        return f"{self.label}+{self.digest[:12]}"

    def intake_chart(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The client's own areas for the body chart, by kind ({'focus': [...], 'no_touch':
        [...]}), each area once in region order, from the intake questions that say `chart`;
        and under 'scores' each scored area's score as the legend says it."""
        chosen: dict[str, set[str]] = {"focus": set(), "no_touch": set()}
        scores: dict[str, str] = {}
        for question in self.questions.values():
            value = answers.get(question.id)
            if question.chart and value:
                chosen[question.chart].update(value)
            if question.chart and isinstance(value, dict):
                scores.update({area: question.kind.score_text(question, score)
                               for area, score in value.items() if score is not None})
        return {**{kind: [region.id for region in self.regions if region.id in areas]
                   for kind, areas in chosen.items()}, "scores": scores}

    @property
    def addressee(self) -> Question | None:
        """The intake question naming the client's doctor (the letter is addressed to them)."""
        return next((q for q in self.questions.values() if q.addressee), None)

    @cached_property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for condition in self.conditions.values() for rule in condition.rules)

    @cached_property
    def rule_by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def region_label(self, region_id: str) -> str:
        return self._region_labels.get(region_id, region_id)

    @cached_property
    def _region_labels(self) -> dict[str, str]:
        return {region.id: region.label for region in self.regions}
