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

from .codes import (
    ANSWER_SYSTEM,
    CONDITION_SYSTEM,
    JSON_MEDIA_TYPE,
    OBSERVATION_CODES,
    OBSERVATION_SYSTEM,
    QUESTIONNAIRE_URL,
    SCREENING_SYSTEM,
    FhirError,
    answer_system,
)
from .questionnaire import questionnaire
from .reader import answers_from_response, linkids
from .response import questionnaire_response, response_items

__all__ = ["ANSWER_SYSTEM", "CONDITION_SYSTEM", "JSON_MEDIA_TYPE",
           "OBSERVATION_CODES", "OBSERVATION_SYSTEM", "QUESTIONNAIRE_URL", "SCREENING_SYSTEM",
           "FhirError", "answer_system", "answers_from_response", "linkids", "questionnaire",
           "questionnaire_response", "response_items"]
