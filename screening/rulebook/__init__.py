"""The rule book (questions and rules as data) and the predicates it is written in."""

from .load import load_rulebook
from .types import (
    OUTCOMES,
    RANK,
    Condition,
    Question,
    Region,
    Rule,
    Rulebook,
    RulebookError,
    Section,
)

__all__ = ["OUTCOMES", "RANK", "Condition", "Question", "Region", "Rule", "Rulebook",
           "RulebookError", "Section", "load_rulebook"]
