"""Question types: one object per type of answer, owning everything that differs by type.

A question's `type` in the rule book (`yes_no`, `choice`, `body_location`, `date`, `number`,
`text`, `blood_pressure`) names one object in this registry (`QuestionType` and the
registry are in base.py, the seven types in builtin.py). It says which rule-book fields such a
question may have, which predicate operators test its answers, how a posted answer is read
and checked and stored (the contract's encoding, shared/clinical/README.md), what the
client is told when it is missing or wrong, which form field and which macro show it, how
it reads on check-your-answers and the record, how FHIR R4 writes and reads it, and whether
an anonymised screening keeps it. The loader, the predicates, the questionnaire form and
`posted_answers`, the pages, FHIR and retention all ask `question.kind`; a new type is one
`QuestionType` subclass passed to `register` and one macro. No Flask here.
"""

from . import builtin, intake  # registers the seven types, then the intake details' two
from .base import (
    DEFAULT_TEXT_LENGTH,
    OPTION_CODES,
    REGION_CODES,
    TYPES,
    YES_NO_CODES,
    AnswerError,
    Option,
    QuestionType,
    question_type,
    register,
    unregister,
)
from .builtin import long_date

__all__ = ["DEFAULT_TEXT_LENGTH", "OPTION_CODES", "REGION_CODES", "TYPES", "YES_NO_CODES",
           "AnswerError", "Option", "QuestionType", "builtin", "intake", "long_date",
           "question_type", "register", "unregister"]
