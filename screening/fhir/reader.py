"""Reading a FHIR QuestionnaireResponse back into answers in the contract's encoding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..rulebook import Question, Rulebook
from .codes import QUESTIONNAIRE_URL, answer_system, section_link_id

# --- reading a QuestionnaireResponse back ----------------------------------------------------


def answers_from_response(rulebook: Rulebook, data: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """(answers keyed by question id in the contract's encoding, {where: problem}).

    The answers still need `answers.normalise`, exactly like answers read from plain JSON.
    Items may be grouped by section, flat, or nested under their parent's answer.
    """
    problems: dict[str, str] = {}
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        kind = data.get("resourceType") if isinstance(data, dict) else None
        problems["resourceType"] = (f"expected a FHIR QuestionnaireResponse, not "
                                    f"{kind!r}" if kind else "expected a FHIR "
                                    "QuestionnaireResponse (a JSON object with \"resourceType\": "
                                    "\"QuestionnaireResponse\")")
        return {}, problems
    canonical = data.get("questionnaire")
    if canonical is not None and (not isinstance(canonical, str)
                                  or canonical.split("|")[0] != QUESTIONNAIRE_URL):
        problems["questionnaire"] = (f"{canonical!r} is not this questionnaire "
                                     f"({QUESTIONNAIRE_URL})")
    raw: dict[str, Any] = {}
    groups = {section_link_id(section.id) for section in rulebook.sections}
    _read_items(rulebook, data.get("item", []), "item", groups, raw, problems)
    return raw, problems


def _read_items(rulebook: Rulebook, items: Any, where: str, groups: set[str],
                raw: dict[str, Any], problems: dict[str, str]) -> None:
    if not isinstance(items, list):
        problems[where] = "expected a list of items"
        return
    for index, item in enumerate(items):
        link = item.get("linkId") if isinstance(item, dict) else None
        if not isinstance(link, str):
            problems[f"{where}[{index}]"] = "expected an item with a linkId"
            continue
        question = rulebook.questions.get(link)
        if question is None and link not in groups:
            problems[link] = "unknown question id (linkId)"
            continue
        answers = item.get("answer", [])
        if not isinstance(answers, list):
            problems[link] = "expected a list of answers"
            continue
        if question is not None and question.kind.fhir_nested:
            _read_nested(question, item, raw, problems)
            continue
        if question is not None:
            _read_answers(question, answers, raw, problems)
        for answer in answers:
            if isinstance(answer, dict) and "item" in answer:
                _read_items(rulebook, answer["item"], f"{link}.answer.item", groups, raw,
                            problems)
        if "item" in item:
            _read_items(rulebook, item["item"], f"{link}.item", groups, raw, problems)


def _read_answers(question: Question, answers: list, raw: dict[str, Any],
                  problems: dict[str, str]) -> None:
    if question.id in raw or question.id in problems:
        problems[question.id] = "answered more than once"
        raw.pop(question.id, None)
        return
    values = []
    for answer in answers:
        try:
            values.append(_read_value(question, answer))
        except ValueError as error:
            problems[question.id] = str(error)
            return
    if question.multiple:
        raw[question.id] = values
    elif len(values) > 1:
        problems[question.id] = f"one answer expected about {question.short}, not {len(values)}"
    elif values:
        raw[question.id] = values[0]


def _read_nested(question: Question, item: dict, raw: dict[str, Any],
                 problems: dict[str, str]) -> None:
    """An answer its type reads itself, nested items and all (a contact's parts, areas with
    their scores)."""
    if question.id in raw or question.id in problems:
        problems[question.id] = "answered more than once"
        raw.pop(question.id, None)
        return
    try:
        value = question.kind.from_fhir(question, item, _read_value)
    except (ValueError, AttributeError, TypeError) as error:
        problems[question.id] = str(error) if isinstance(error, ValueError) else \
            "expected the answer's items as JSON objects"
        return
    if value is not None:
        raw[question.id] = value


def _read_value(question: Question, answer: Any) -> Any:
    if not isinstance(answer, dict):
        raise ValueError("expected each answer as a JSON object such as {\"valueString\": ...}")
    if question.kind.coded:
        value = answer.get("valueCoding")
        if not isinstance(value, dict) or not isinstance(value.get("code"), str):
            raise ValueError("expected valueCoding answers with a code")
        system = value.get("system", answer_system(question))
        if system != answer_system(question):
            raise ValueError(f"code system {system!r} is not {answer_system(question)!r}")
        return value["code"]
    keys = question.kind.fhir_reads
    found = [key for key in keys if key in answer]
    if not found:
        raise ValueError(f"expected {' or '.join(keys)} answers")
    return answer[found[0]]


def linkids(resource: Mapping[str, Any]) -> Iterable[str]:
    """Every linkId in a Questionnaire or QuestionnaireResponse, nested ones included."""
    for item in resource.get("item", []):
        yield item["linkId"]
        yield from linkids(item)
        for answer in item.get("answer", []):
            yield from linkids(answer)
