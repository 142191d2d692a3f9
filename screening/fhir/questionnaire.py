"""The rule book's questions as a FHIR R4 Questionnaire, follow-ups with `enableWhen`."""

from __future__ import annotations

from typing import Any

from ..rulebook import Question, Rulebook
from ..rulebook.flat_tests import FlatError, Test, follow_up_tests
from .codes import (
    ITEM_CONTROL,
    ITEM_CONTROL_SYSTEM,
    QUESTIONNAIRE_URL,
    FhirError,
    coding,
    section_link_id,
)

# --- Questionnaire ---------------------------------------------------------------------------


def questionnaire(rulebook: Rulebook, publisher: str | None = None) -> dict[str, Any]:
    """The rule book's questions as a FHIR R4 Questionnaire, sections as groups."""
    items = []
    for section in rulebook.sections:
        children: list[dict[str, Any]] = []
        if section.intro:
            children.append({"linkId": f"{section_link_id(section.id)}-intro", "type": "display",
                             "text": section.intro})
        children.extend(_question_item(rulebook, rulebook.questions[qid])
                        for qid in section.questions)
        items.append({"linkId": section_link_id(section.id), "type": "group",
                      "text": section.title, "item": children})
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire", "id": "massage-screening", "url": QUESTIONNAIRE_URL,
        "version": rulebook.version, "name": "MassageScreening", "title": rulebook.title,
        "status": "active", "subjectType": ["Patient"]}
    if publisher:
        resource["publisher"] = publisher
    resource["item"] = items
    return resource


def _question_item(rulebook: Rulebook, question: Question) -> dict[str, Any]:
    kind = question.kind
    item: dict[str, Any] = {"linkId": question.id, "text": question.text,
                            "type": kind.fhir_type}
    extensions = kind.fhir_extensions(question)
    if extensions:
        item = {"extension": extensions, **item}
    if question.parent is not None:
        conditions, behaviour = enable_when(rulebook, question)
        item["enableWhen"] = conditions
        if behaviour:
            item["enableBehavior"] = behaviour
    item["required"] = question.required
    if question.multiple:
        item["repeats"] = True
    item.update(kind.fhir_item(question))
    if kind.coded:
        item["answerOption"] = [{"valueCoding": coding(question, value)}
                                for value, _label in question.choices]
    if question.hint:
        item["item"] = [{
            "extension": [{"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [
                {"system": ITEM_CONTROL_SYSTEM, "code": "help", "display": "Help-Button"}]}}],
            "linkId": f"{question.id}-hint", "text": question.hint, "type": "display"},
            *item.get("item", ())]
    return item


# --- enableWhen ------------------------------------------------------------------------------


def enable_when(rulebook: Rulebook, question: Question) -> tuple[list[dict], str | None]:
    """(enableWhen conditions, enableBehavior or None) for a follow-up question: its gate
    and ask_when as flat tests (rulebook/flat_tests.py), each coded as FHIR says it."""
    try:
        tests, behaviour = follow_up_tests(rulebook.questions, question)
    except FlatError as error:  # only for a rule book that did not come from the loader
        raise FhirError(f"question '{question.id}': its ask_when: {error}") from None
    return [_condition(rulebook.questions[test.question], test) for test in tests], behaviour


def _condition(question: Question, test: Test) -> dict[str, Any]:
    if test.operator == "exists":
        return {"question": question.id, "operator": "exists", "answerBoolean": test.value}
    return {"question": question.id, "operator": test.operator,
            "answerCoding": coding(question, test.value)}
