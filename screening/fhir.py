"""HL7 FHIR R4: the rule book's questions as a Questionnaire, screenings as QuestionnaireResponses.

- `questionnaire(rulebook)`: one `group` item per section, one item per question (linkId =
  question id), answer options coded in stable `urn:massage-screening:...` systems, follow-ups
  shown with `enableWhen` exactly when the form asks them (see `answers.asked`).
- `questionnaire_response(rulebook, screening)`: the answers (linkIds matching), with the
  outcome and each finding as contained Observations that point back at the response.
- `answers_from_response(rulebook, data)`: a QuestionnaireResponse read back into answers in
  the contract's encoding, ready for `answers.normalise`, so it screens like the plain JSON.

Plain dictionaries in, plain dictionaries out (ready for `json.dumps`); no Flask here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from .models import as_utc
from .presenters import OUTCOME_LABELS
from .rulebook import Question, Rulebook

SYSTEM = "urn:massage-screening"
QUESTIONNAIRE_URL = f"{SYSTEM}:questionnaire"
ANSWER_SYSTEM = f"{SYSTEM}:answer"  # yes / no / not_sure
REGION_SYSTEM = f"{SYSTEM}:body-region"
OPTION_SYSTEM = f"{SYSTEM}:option"  # + ":<question id>": a choice question's options
OUTCOME_SYSTEM = f"{SYSTEM}:outcome"
CONDITION_SYSTEM = f"{SYSTEM}:condition"
RULE_SYSTEM = f"{SYSTEM}:rule"
RULEBOOK_SYSTEM = f"{SYSTEM}:rulebook"  # codes are rule book versions
OBSERVATION_SYSTEM = f"{SYSTEM}:observation"
SCREENING_SYSTEM = f"{SYSTEM}:screening"  # identifier values are screening ids
CATEGORY_SURVEY = {"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                   "code": "survey", "display": "Survey"}
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
ENTRY_FORMAT = "http://hl7.org/fhir/StructureDefinition/entryFormat"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
JSON_MEDIA_TYPE = "application/fhir+json; charset=utf-8"

#: Question type -> FHIR R4 item type.
ITEM_TYPES = {"yes_no": "choice", "choice": "choice", "body_location": "choice",
              "date": "date", "number": "decimal", "text": "text", "blood_pressure": "string"}
#: Observation component codes (in OBSERVATION_SYSTEM).
OBSERVATION_CODES = {
    "screening-outcome": "Pre-massage screening outcome",
    "urgent": "Urgent: get medical help now",
    "body-area": "Body area to avoid or handle specially",
    "rule": "Rule that matched",
    "client-message": "What the client was told",
    "therapist-action": "What the therapist does",
}
CODED_TYPES = frozenset({"yes_no", "choice", "body_location"})


class FhirError(ValueError):
    """The rule book cannot be written as a FHIR Questionnaire; the message says where."""


def section_link_id(section_id: str) -> str:
    """Group linkIds have a hyphen, which question ids never have, so they cannot clash."""
    return f"section-{section_id}"


def answer_system(question: Question) -> str:
    if question.type == "yes_no":
        return ANSWER_SYSTEM
    if question.type == "body_location":
        return REGION_SYSTEM
    return f"{OPTION_SYSTEM}:{question.id}"


def coding(question: Question, value: str) -> dict[str, str]:
    return {"system": answer_system(question), "code": value,
            "display": question.label_for(value)}


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
    item: dict[str, Any] = {"linkId": question.id, "text": question.text,
                            "type": ITEM_TYPES[question.type]}
    extensions = _extensions(question)
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
    if question.type == "text":
        item["maxLength"] = question.max_length
    if question.type in CODED_TYPES:
        item["answerOption"] = [{"valueCoding": coding(question, value)}
                                for value, _label in question.choices]
    if question.hint:
        item["item"] = [{
            "extension": [{"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [
                {"system": ITEM_CONTROL_SYSTEM, "code": "help", "display": "Help-Button"}]}}],
            "linkId": f"{question.id}-hint", "text": question.hint, "type": "display"}]
    return item


def _extensions(question: Question) -> list[dict[str, Any]]:
    extensions: list[dict[str, Any]] = []
    if question.type == "blood_pressure":
        extensions.append({"url": ENTRY_FORMAT, "valueString": "135/85"})
    if question.type == "number":
        for url, limit in ((MIN_VALUE, question.minimum), (MAX_VALUE, question.maximum)):
            if limit is not None:
                extensions.append({"url": url, "valueDecimal": limit})
        if question.unit:
            extensions.append({"url": UNIT, "valueCoding": {"display": question.unit}})
    return extensions


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


# --- QuestionnaireResponse -------------------------------------------------------------------


def questionnaire_response(rulebook: Rulebook, screening: Any) -> dict[str, Any]:
    """A stored screening (a `models.Screening`, or anything with its attributes) as a FHIR R4
    QuestionnaireResponse, with its outcome and findings as contained Observations."""
    subject = {"display": screening.client_name}
    observations = _observations(screening, subject)
    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    if screening.id is not None:
        resource["id"] = f"screening-{screening.id}"
    resource["contained"] = observations
    if screening.id is not None:
        resource["identifier"] = {"system": SCREENING_SYSTEM, "value": str(screening.id)}
    resource.update({
        "questionnaire": f"{QUESTIONNAIRE_URL}|{screening.rulebook_version}",
        "status": "completed", "subject": subject,
        "authored": _instant(screening.submitted_at),
        "item": response_items(rulebook, screening.answers)})
    return resource


def response_items(rulebook: Rulebook, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answered questions as QuestionnaireResponse items, grouped as in the Questionnaire.

    Answers to questions the rule book no longer has are kept (typed from their value) after
    the sections, so an export never loses an answer.
    """
    items = []
    for section in rulebook.sections:
        children = [
            {"linkId": qid, "text": rulebook.questions[qid].text,
             "answer": _answers(rulebook.questions[qid], answers[qid])}
            for cid in section.conditions for qid in rulebook.conditions[cid].questions
            if not _empty(answers.get(qid))]
        if children:
            items.append({"linkId": section_link_id(section.id), "text": section.title,
                          "item": children})
    for qid, value in answers.items():
        if qid not in rulebook.questions and not _empty(value):
            values = value if isinstance(value, list) else [value]
            items.append({"linkId": qid, "answer": [_untyped(item) for item in values]})
    return items


def _answers(question: Question, value: Any) -> list[dict[str, Any]]:
    values = value if isinstance(value, list) else [value]
    if question.type in CODED_TYPES:
        return [{"valueCoding": coding(question, item)} for item in values]
    key = {"date": "valueDate", "number": "valueDecimal"}.get(question.type, "valueString")
    return [{key: item} for item in values]


def _untyped(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int | float):
        return {"valueDecimal": value}
    return {"valueString": str(value)}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _instant(moment: datetime) -> str:
    return as_utc(moment).isoformat(timespec="seconds")


def _observation_code(code: str) -> dict[str, Any]:
    return {"coding": [{"system": OBSERVATION_SYSTEM, "code": code,
                        "display": OBSERVATION_CODES[code]}]}


def _outcome(outcome: str) -> dict[str, Any]:
    label = OUTCOME_LABELS.get(outcome, outcome)
    return {"coding": [{"system": OUTCOME_SYSTEM, "code": outcome, "display": label}],
            "text": label}


def _area(area: str) -> dict[str, Any]:
    return {"code": _observation_code("body-area"),
            "valueCodeableConcept": {"coding": [{"system": REGION_SYSTEM, "code": area}]}}


def _observations(screening: Any, subject: dict[str, str]) -> list[dict[str, Any]]:
    """The outcome, then one Observation per finding; each derived from the response ('#')."""
    screened_on = _date(screening.screened_on)
    common = {"status": "final", "category": [{"coding": [CATEGORY_SURVEY]}]}
    findings = []
    for number, finding in enumerate(screening.findings, start=1):
        name = finding.get("condition_name") or finding["condition"]
        components = [
            {"code": _observation_code("rule"), "valueCodeableConcept": {"coding": [
                {"system": RULE_SYSTEM, "code": finding["rule"]}]}},
            {"code": _observation_code("urgent"), "valueBoolean": bool(finding["urgent"])},
            {"code": _observation_code("client-message"),
             "valueString": finding["client_message"]},
            {"code": _observation_code("therapist-action"),
             "valueString": finding["therapist_action"]},
            *(_area(area) for area in finding.get("body_areas") or ())]
        findings.append({
            "resourceType": "Observation", "id": f"finding-{number}", **common,
            "code": {"coding": [{"system": CONDITION_SYSTEM, "code": finding["condition"],
                                 "display": name}], "text": name},
            "subject": subject, "effectiveDateTime": screened_on,
            "valueCodeableConcept": _outcome(finding["outcome"]),
            "derivedFrom": [{"reference": "#"}], "component": components})
    outcome = {
        "resourceType": "Observation", "id": "outcome", **common,
        "code": {**_observation_code("screening-outcome"), "text": "Screening outcome"},
        "subject": subject, "effectiveDateTime": screened_on,
        "valueCodeableConcept": _outcome(screening.outcome),
        "method": {"coding": [{"system": RULEBOOK_SYSTEM, "code": screening.rulebook_version}],
                   "text": f"Rule book {screening.rulebook_version}"},
        "derivedFrom": [{"reference": "#"}],
        "component": [{"code": _observation_code("urgent"), "valueBoolean": bool(screening.urgent)},
                      *(_area(area) for area in screening.body_areas or ())]}
    if findings:
        outcome["hasMember"] = [{"reference": f"#{finding['id']}"} for finding in findings]
    return [outcome, *findings]


def _date(value: date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


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


def _read_value(question: Question, answer: Any) -> Any:
    if not isinstance(answer, dict):
        raise ValueError("expected each answer as a JSON object such as {\"valueString\": ...}")
    if question.type in CODED_TYPES:
        value = answer.get("valueCoding")
        if not isinstance(value, dict) or not isinstance(value.get("code"), str):
            raise ValueError("expected valueCoding answers with a code")
        system = value.get("system", answer_system(question))
        if system != answer_system(question):
            raise ValueError(f"code system {system!r} is not {answer_system(question)!r}")
        return value["code"]
    keys = {"date": ("valueDate",), "number": ("valueDecimal", "valueInteger")}.get(
        question.type, ("valueString",))
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

