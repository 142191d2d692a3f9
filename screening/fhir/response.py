"""A stored screening as a FHIR R4 QuestionnaireResponse, with the outcome and findings as
contained Observations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ..models import as_utc
from ..presenters import OUTCOME_LABELS
from ..rulebook import Question, Rulebook
from .codes import (
    CATEGORY_SURVEY,
    CONDITION_SYSTEM,
    OBSERVATION_CODES,
    OBSERVATION_SYSTEM,
    OUTCOME_SYSTEM,
    QUESTIONNAIRE_URL,
    REGION_SYSTEM,
    RULE_SYSTEM,
    RULEBOOK_SYSTEM,
    SCREENING_SYSTEM,
    coding,
    section_link_id,
)

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
             **_answers(rulebook.questions[qid], answers[qid])}
            for qid in section.questions if not _empty(answers.get(qid))]
        if children:
            items.append({"linkId": section_link_id(section.id), "text": section.title,
                          "item": children})
    for qid, value in answers.items():
        if qid not in rulebook.questions and not _empty(value):
            values = value if isinstance(value, list) else [value]
            items.append({"linkId": qid, "answer": [_untyped(item) for item in values]})
    return items


def _answers(question: Question, value: Any) -> dict[str, Any]:
    """The item's `answer` list (or, for a group such as a contact, its `item` list)."""
    return question.kind.fhir_response(question, value, coding)


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
