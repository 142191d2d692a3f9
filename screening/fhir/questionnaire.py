"""The rule book's questions as a FHIR R4 Questionnaire, follow-ups with `enableWhen`."""

from __future__ import annotations

from typing import Any

from ..rulebook import Question, Rulebook
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
        for cid in section.conditions:
            children.extend(_question_item(rulebook, rulebook.questions[qid])
                            for qid in rulebook.conditions[cid].questions)
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
            "linkId": f"{question.id}-hint", "text": question.hint, "type": "display"}]
    return item


# --- enableWhen ------------------------------------------------------------------------------
# A follow-up is asked when its main question is Yes or Not sure and its ask_when holds. FHIR
# has one flat list of conditions joined by all or any, so each tree is written as a
# conjunction (joined by all) or a disjunction (joined by any) of FHIR conditions, if it can be.


def _equals(question: Question, value: str, operator: str = "=") -> dict[str, Any]:
    return {"question": question.id, "operator": operator,
            "answerCoding": coding(question, value)}


def _exists(question: Question, answered: bool = True) -> dict[str, Any]:
    return {"question": question.id, "operator": "exists", "answerBoolean": answered}


def enable_when(rulebook: Rulebook, question: Question) -> tuple[list[dict], str | None]:
    """(enableWhen conditions, enableBehavior or None) for a follow-up question."""
    parent = rulebook.questions[question.parent]
    if parent.not_sure:
        gate_all = [_exists(parent), _equals(parent, "no", "!=")]
        gate_any = [_equals(parent, "yes"), _equals(parent, "not_sure")]
    else:
        gate_all = gate_any = [_equals(parent, "yes")]
    if question.ask_when_data is None:
        return gate_any, "any" if len(gate_any) > 1 else None
    conjunction, disjunction = _forms(rulebook, question.ask_when_data)
    if conjunction is not None:
        conditions = _unique([*gate_all, *conjunction])
        return conditions, "all" if len(conditions) > 1 else None
    if disjunction is not None and all(_implies_gate(rulebook, parent, condition)
                                       for condition in disjunction):
        return disjunction, "any" if len(disjunction) > 1 else None
    raise FhirError(f"question '{question.id}': its ask_when cannot be written as FHIR "
                    "enableWhen (use a single test, or tests joined by all, or by any)")


def _implies_gate(rulebook: Rulebook, parent: Question, condition: dict) -> bool:
    """An answer to one of the parent's follow-ups exists only when the parent's gate holds."""
    asked = rulebook.questions[condition["question"]]
    positive = condition["operator"] == "=" or condition == _exists(asked)
    return positive and asked.parent == parent.id


def _forms(rulebook: Rulebook, tree: Any) -> tuple[list | None, list | None]:
    """(conditions all of which hold, conditions any of which holds), None where impossible.

    FHIR R4 operators: `=` holds when some answer equals the value, `!=` when no answer does
    (so also when unanswered), `exists` when the question is answered (or not).
    """
    if "all" in tree or "any" in tree:
        key = "all" if "all" in tree else "any"
        parts = [_forms(rulebook, part) for part in tree[key]]
        if len(parts) == 1:
            return parts[0]
        index = 0 if key == "all" else 1
        if any(part[index] is None for part in parts):
            return None, None
        joined = [condition for part in parts for condition in part[index]]
        return (joined, None) if key == "all" else (None, joined)
    if "not" in tree:
        return _negated(rulebook, tree["not"])
    question = rulebook.questions[tree["q"]]
    if "answered" in tree:
        return [_exists(question, tree["answered"])], [_exists(question, tree["answered"])]
    values = _tested_values(tree)
    anyof = [_equals(question, value) for value in values]
    if len(anyof) == 1:
        return anyof, anyof
    if question.multiple:  # includes several: any of them
        return None, anyof
    others = [value for value, _label in question.choices if value not in values]
    return [_exists(question), *(_equals(question, value, "!=") for value in others)], anyof


def _negated(rulebook: Rulebook, tree: Any) -> tuple[list | None, list | None]:
    if "all" in tree or "any" in tree:  # De Morgan
        key = "any" if "all" in tree else "all"
        return _forms(rulebook, {key: [{"not": part} for part in next(iter(tree.values()))]})
    if "not" in tree:
        return _forms(rulebook, tree["not"])
    question = rulebook.questions[tree["q"]]
    if "answered" in tree:
        return _forms(rulebook, {"q": question.id, "answered": not tree["answered"]})
    values = _tested_values(tree)
    noneof = [_equals(question, value, "!=") for value in values]
    if len(noneof) == 1:
        return noneof, noneof
    if question.multiple:
        return noneof, None
    others = [value for value, _label in question.choices if value not in values]
    return noneof, [_exists(question, False), *(_equals(question, value) for value in others)]


def _tested_values(tree: dict) -> list[str]:
    values = tree.get("is", tree.get("in", tree.get("includes")))
    return values if isinstance(values, list) else [values]


def _unique(conditions: list[dict]) -> list[dict]:
    result: list[dict] = []
    for condition in conditions:
        if condition not in result:
            result.append(condition)
    return result
