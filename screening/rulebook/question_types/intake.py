"""The two kinds of answer the intake details add: body areas with a score each
(`body_areas_scored`: where it hurts, 0 to 10), and a person's contact details (`contact`:
the client's doctor, an emergency contact)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from flask_babel import gettext, lazy_gettext
from wtforms import SelectChoice

from ...fields import CheckboxesAnswerField
from ..yamlio import text_field
from .base import REGION_CODES, AnswerError, Option, QuestionType, register
from .builtin import CODED_OPERATORS, MAX_VALUE, MIN_VALUE

if TYPE_CHECKING:
    from ..types import Question

SCORES = range(0, 11)
#: The parts a contact question can ask for: (label, longest answer).
PARTS = {"name": ("Name", 100), "practice": ("Practice or surgery", 100),
         "relationship": ("Relationship to you", 50), "phone": ("Phone number", 25),
         "email": ("Email address", 254)}
#: The parts' labels on the page, in its language (PARTS: the FHIR Questionnaire's, English).
PART_LABELS = {"name": lazy_gettext("Name"), "practice": lazy_gettext("Practice or surgery"),
               "relationship": lazy_gettext("Relationship to you"),
               "phone": lazy_gettext("Phone number"), "email": lazy_gettext("Email address")}
#: What each part is called in a message ("Enter the phone number of your doctor").
PART_WORDS = {"name": lazy_gettext("name"), "practice": lazy_gettext("practice"),
              "relationship": lazy_gettext("relationship to you"),
              "phone": lazy_gettext("phone number"), "email": lazy_gettext("email address")}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[\d\s().-]{7,25}$")


@register
class BodyAreasScored(QuestionType):
    """Body areas, each with an optional score from 0 to 10. Posted as the areas' ids (the
    checkboxes) and `area:score` (each area's score list); stored as {area: score or None}
    in the order of the rule book's regions."""

    name, macro = "body_areas_scored", "scored_areas_question"
    fields = frozenset({"score_label"})
    operators = CODED_OPERATORS
    coded = grouped = gives_areas = fhir_nested = True
    missing = lazy_gettext("Select at least one body area for %(short)s")
    fhir_type, fhir_value, fhir_reads = "choice", "valueCoding", ("valueCoding",)

    def definition(self, item, regions, problems, file, where):
        if not regions:
            problems.add(file, where, "rulebook.yaml has no body_regions to offer")
        return {"options": tuple(Option(region.id, region.label) for region in regions),
                "multiple": True,
                "score_label": text_field(item, "score_label", problems, file, where,
                                          required=False) or "Score"}

    def read(self, question: Question, values: list[str]) -> Any:
        areas = [value for value in values if value and ":" not in value]
        scores: dict[str, Any] = {}
        for value in values:
            area, _, score = value.partition(":")
            if _ and score.strip():
                scores[area] = self._score(question, area, score.strip())
        if not areas:
            return None
        return {area: scores.get(area) for area in areas}

    def _score(self, question: Question, area: str, text: str) -> int:
        try:
            score = int(text)
        except ValueError:
            score = -1
        if score not in SCORES:
            raise AnswerError(gettext("Choose a %(score)s from 0 to 10 for %(area)s",
                                      score=question.score_label.lower(),
                                      area=question.label_for(area)))
        return score

    def check(self, question: Question, value: Any, today: date) -> dict[str, int | None]:
        if isinstance(value, list):  # areas alone, as a body-area question stores them
            value = dict.fromkeys(value)
        allowed = [choice for choice, _label in question.choices]
        if not isinstance(value, dict) or not value:
            raise AnswerError(self.missing_message(question))
        unknown = [area for area in value if area not in allowed]
        if unknown:
            raise AnswerError(f"{', '.join(map(repr, unknown))} is not a body area (choose "
                              f"from: {', '.join(allowed)})")
        for area, score in value.items():
            if score is not None and (isinstance(score, bool) or score not in SCORES):
                self._score(question, area, str(score) if isinstance(score, int) else "x")
        return {area: value[area] for area in allowed if area in value}

    def shown(self, question: Question, data: Any, raw: list[str] | None
              ) -> tuple[list[str], dict[str, str]]:
        """(areas ticked, {area: score as text}) for the form to show: from the answer read,
        or as posted when it could not be read (a score out of range), so nothing is lost."""
        if isinstance(data, dict):
            return list(data), {area: str(score) for area, score in data.items()
                                if score is not None}
        posted = raw or []
        return ([value for value in posted if ":" not in value],
                dict(value.split(":", 1) for value in posted if ":" in value))

    def posted(self, question: Question, value: Any) -> list[str]:
        return [*value, *(f"{area}:{score}" for area, score in value.items()
                          if score is not None)]

    def export(self, question: Question, value: Any) -> Any:
        return [area if score is None else f"{area}:{score}" for area, score in value.items()]

    def display(self, question: Question, value: Any) -> str:
        return ", ".join(question.label_for(area) + (
            "" if score is None else f" ({self.score_text(question, score)})")
            for area, score in value.items())

    @staticmethod
    def score_text(question: Question, score: int) -> str:
        """"pain score 6 of 10", in the page's language (the answer, the chart's legend)."""
        return gettext("%(label)s %(score)s of 10", label=question.score_label.lower(),
                       score=score)

    def field(self, question: Question):
        choices = [SelectChoice(value, label) for value, label in question.choices]
        return CheckboxesAnswerField(question.text, question=question, choices=choices,
                                     validate_choice=False)

    def code_system(self, question: Question) -> str:
        return REGION_CODES

    # FHIR: each area a valueCoding answer, its score an integer item nested in the answer.

    def score_link(self, question: Question) -> str:
        return f"{question.id}-score"

    def fhir_item(self, question: Question) -> dict[str, Any]:
        return {"item": [{
            "extension": [{"url": MIN_VALUE, "valueInteger": 0},
                          {"url": MAX_VALUE, "valueInteger": 10}],
            "linkId": self.score_link(question), "text": f"{question.score_label} (0 to 10)",
            "type": "integer", "required": False}]}

    def fhir_response(self, question: Question, value: Any, coding) -> dict[str, Any]:
        answers = []
        for area, score in value.items():
            answer: dict[str, Any] = {"valueCoding": coding(question, area)}
            if score is not None:
                answer["item"] = [{"linkId": self.score_link(question),
                                   "text": f"{question.score_label} (0 to 10)",
                                   "answer": [{"valueInteger": score}]}]
            answers.append(answer)
        return {"answer": answers}

    def from_fhir(self, question: Question, item: dict[str, Any], code) -> Any:
        found: dict[str, Any] = {}
        for answer in item.get("answer", []):
            area = code(question, answer)
            found[area] = None
            for child in answer.get("item", []) if isinstance(answer, dict) else ():
                if not isinstance(child, dict) or child.get("linkId") != self.score_link(
                        question):
                    raise ValueError(f"expected only {self.score_link(question)} items in "
                                     "an answer")
                scores = [entry.get("valueInteger") for entry in child.get("answer", [])
                          if isinstance(entry, dict)]
                found[area] = scores[0] if scores else None
        return found or None


@register
class Contact(QuestionType):
    """A person's contact details: the parts the rule book lists (`parts`), each one text
    input posted under the question's id in that order; stored as {part: text} of the parts
    given. `needs` lists the parts a contact given must have, `a or b` for either."""

    name, macro = "contact", "contact_question"
    fields = frozenset({"parts", "needs"})
    free_text = fhir_nested = several_values = True
    fhir_type = "group"

    def definition(self, item, regions, problems, file, where):
        parts = item.get("parts")
        if not isinstance(parts, list) or not parts or any(part not in PARTS for part in parts):
            problems.add(file, f"{where}, field 'parts'", f"expected a list of parts from: "
                         f"{', '.join(PARTS)}")
            parts = []
        needs = []
        for entry in item.get("needs", []) if isinstance(item.get("needs", []), list) else [1]:
            either = tuple(str(entry).split(" or ")) if isinstance(entry, str) else ()
            if not either or any(part not in parts for part in either):
                problems.add(file, f"{where}, field 'needs'", f"{entry!r} is not one of the "
                             "question's parts (or 'a or b' of them)")
                continue
            needs.append(either)
        return {"parts": tuple(parts), "needs": tuple(needs)}

    def read(self, question: Question, values: list[str]) -> Any:
        if not values:
            return None
        if len(values) != len(question.parts):
            raise AnswerError(gettext("Enter %(short)s again: part of it was missing",
                                      short=question.short))
        given = {part: text.strip() for part, text in zip(question.parts, values, strict=True)
                 if text.strip()}
        return given or None

    def check(self, question: Question, value: Any, today: date) -> dict[str, str]:
        if not isinstance(value, dict) or not value \
                or not all(isinstance(text, str) for text in value.values()):
            raise AnswerError(gettext("Enter %(short)s as text", short=question.short))
        unknown = [part for part in value if part not in question.parts]
        if unknown:
            raise AnswerError(f"{', '.join(map(repr, unknown))} is not part of "
                              f"{question.short} (expected: {', '.join(question.parts)})")
        value = {part: value[part].strip() for part in question.parts
                 if value.get(part, "").strip()}
        for part, text in value.items():
            if len(text) > PARTS[part][1]:
                raise AnswerError(gettext(
                    "Keep the %(part)s of %(short)s to %(most)s characters or fewer",
                    part=PART_WORDS[part], short=question.short, most=PARTS[part][1]))
        if "phone" in value and not PHONE.match(value["phone"]):
            raise AnswerError(gettext("Enter the phone number of %(short)s like 07700 900 982 "
                                      "or +44 7700 900982", short=question.short))
        if "email" in value and not EMAIL.match(value["email"]):
            raise AnswerError(gettext("Enter the email address of %(short)s in the correct "
                                      "format, like name@example.com", short=question.short))
        for either in question.needs:
            if not any(part in value for part in either):
                raise AnswerError(gettext("Enter the %(part)s of %(short)s",
                                          part=_either(either), short=question.short))
        return value

    def anchor(self, question: Question) -> str:
        return f"{question.id}-{question.parts[0]}"

    def posted(self, question: Question, value: Any) -> list[str]:
        return [value.get(part, "") for part in question.parts]

    def export(self, question: Question, value: Any) -> Any:
        return [f"{part}: {text}" for part, text in value.items()]

    def display(self, question: Question, value: Any) -> str:
        return ", ".join(value.values())

    def labels(self, question: Question) -> list[tuple[str, str]]:
        """(part, label) for each part it asks."""
        return [(part, str(PART_LABELS[part])) for part in question.parts]

    # FHIR: a group, each part a string item in it.

    def fhir_item(self, question: Question) -> dict[str, Any]:
        return {"item": [{"linkId": f"{question.id}-{part}", "text": label, "type": "string",
                          "required": False, "maxLength": PARTS[part][1]}
                         for part, label in self.labels(question)]}

    def fhir_response(self, question: Question, value: Any, coding) -> dict[str, Any]:
        return {"item": [{"linkId": f"{question.id}-{part}", "text": PARTS[part][0],
                          "answer": [{"valueString": text}]} for part, text in value.items()]}

    def from_fhir(self, question: Question, item: dict[str, Any], code) -> Any:
        links = {f"{question.id}-{part}": part for part in question.parts}
        found = {}
        for child in item.get("item", []):
            part = links.get(child.get("linkId")) if isinstance(child, dict) else None
            if part is None:
                raise ValueError(f"expected items {', '.join(links)}")
            texts = [entry.get("valueString") for entry in child.get("answer", [])
                     if isinstance(entry, dict)]
            if texts:
                found[part] = texts[0]
        return found or None


def _either(parts: tuple[str, ...]) -> str:
    """Parts of a contact of which one is needed, as a message names them: "phone number or
    email address"."""
    words = [str(PART_WORDS[part]) for part in parts]
    for word in words[1:]:
        words[0] = gettext("%(one)s or %(other)s", one=words[0], other=word)
    return words[0]
