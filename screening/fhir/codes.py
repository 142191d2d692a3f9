"""Code systems, item types and codings shared by the FHIR resources we write and read."""

from __future__ import annotations

from ..rulebook import Question
from ..rulebook.question_types import REGION_CODES, YES_NO_CODES

SYSTEM = "urn:massage-screening"
QUESTIONNAIRE_URL = f"{SYSTEM}:questionnaire"
ANSWER_SYSTEM = f"{SYSTEM}:{YES_NO_CODES}"  # yes / no / not_sure
REGION_SYSTEM = f"{SYSTEM}:{REGION_CODES}"  # also the body areas of findings
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
#: A text in another language, on the text's primitive element (`_text`, `_title`).
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
JSON_MEDIA_TYPE = "application/fhir+json; charset=utf-8"

#: Observation component codes (in OBSERVATION_SYSTEM).
OBSERVATION_CODES = {
    "screening-outcome": "Pre-massage screening outcome",
    "urgent": "Urgent: get medical help now",
    "body-area": "Body area to avoid or handle specially",
    "rule": "Rule that matched",
    "client-message": "What the client was told",
    "therapist-action": "What the therapist does",
}


class FhirError(ValueError):
    """The rule book cannot be written as a FHIR Questionnaire; the message says where."""


def section_link_id(section_id: str) -> str:
    """Group linkIds have a hyphen, which question ids never have, so they cannot clash."""
    return f"section-{section_id}"


def answer_system(question: Question) -> str:
    """The code system of a coded question's answers (its type says which)."""
    return f"{SYSTEM}:{question.kind.code_system(question)}"


def coding(question: Question, value: str) -> dict[str, str]:
    return {"system": answer_system(question), "code": value,
            "display": question.label_for(value)}
