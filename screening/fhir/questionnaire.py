"""The rule book's questions as a FHIR R4 Questionnaire, follow-ups with `enableWhen`, every
text with its translations (FHIR's translation extension on the text's `_text` element;
an answer option's display stays as it is, since other systems match codings whole)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..rulebook import Question, Rulebook
from ..rulebook.flat_tests import FlatError, Test, follow_up_tests
from ..rulebook.translate import is_translated, translated
from .codes import (
    ITEM_CONTROL,
    ITEM_CONTROL_SYSTEM,
    QUESTIONNAIRE_URL,
    TRANSLATION,
    FhirError,
    coding,
    section_link_id,
)

# --- Questionnaire ---------------------------------------------------------------------------


def questionnaire(rulebook: Rulebook, publisher: str | None = None) -> dict[str, Any]:
    """The rule book's questions as a FHIR R4 Questionnaire, sections as groups, each text in
    the rule book's language with its translations in the others (`_text`)."""
    others = other_languages(rulebook)
    items = []
    for section in rulebook.sections:
        children: list[dict[str, Any]] = []
        if section.intro:
            children.append({"linkId": f"{section_link_id(section.id)}-intro", "type": "display",
                             **_text(section.intro, others, lambda book, sid=section.id:
                                     _section(book, sid).intro)})
        children.extend(_question_item(rulebook, rulebook.questions[qid], others)
                        for qid in section.questions)
        items.append({"linkId": section_link_id(section.id), "type": "group",
                      **_text(section.title, others, lambda book, sid=section.id:
                              _section(book, sid).title), "item": children})
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire", "id": "massage-screening", "language": rulebook.language,
        "url": QUESTIONNAIRE_URL, "version": rulebook.version, "name": "MassageScreening",
        **_text(rulebook.title, others, lambda book: book.title, "title"),
        "status": "active", "subjectType": ["Patient"]}
    if publisher:
        resource["publisher"] = publisher
    resource["item"] = items
    return resource


def other_languages(rulebook: Rulebook) -> list[Rulebook]:
    """The rule book in each other language it has a translation file for (and English)."""
    original = rulebook.original or rulebook
    return [translated(original, language) for language in ("en", *original.translations)
            if language != rulebook.language]


def _text(text: str, others: list[Rulebook], pick: Callable[[Rulebook], str],
          name: str = "text") -> dict[str, Any]:
    """`{text: ..., _text: {extension: [...]}}`: the text and, with FHIR's standard translation
    extension, each other language's real translation of it (English kept is left out)."""
    extensions = []
    for book in others:
        words = pick(book)
        if words and is_translated(words):
            extensions.append({"url": TRANSLATION, "extension": [
                {"url": "lang", "valueCode": book.language},
                {"url": "content", "valueString": str(words)}]})
    return {name: str(text), **({f"_{name}": {"extension": extensions}} if extensions else {})}


def _section(rulebook: Rulebook, section_id: str):
    return next(section for section in rulebook.sections if section.id == section_id)


def _question_item(rulebook: Rulebook, question: Question,
                   others: list[Rulebook] = ()) -> dict[str, Any]:
    kind = question.kind
    qid = question.id
    item: dict[str, Any] = {"linkId": qid, **_text(
        question.text, others, lambda book: book.questions[qid].text), "type": kind.fhir_type}
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
            "linkId": f"{qid}-hint", **_text(question.hint, others,
                                             lambda book: book.questions[qid].hint),
            "type": "display"}, *item.get("item", ())]
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
