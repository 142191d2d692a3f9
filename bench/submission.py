"""The complete submission the HTTP benchmark posts to /submit, as the check page sends it."""

from __future__ import annotations

import random
from datetime import date, timedelta

from screening.rulebook import Rulebook

from .answersets import check, make_answers

#: The complete submission posted in the benchmark: a client with two seed conditions.
SUBMIT_CONDITIONS = ("osteoporosis", "varicose_veins")


def submission_pairs(rulebook: Rulebook, today: date, csrf_token: str | None) -> list:
    """A complete submission as the check-your-answers page posts it to /submit."""
    answers = make_answers(random.Random(5), rulebook, today, SUBMIT_CONDITIONS)
    check(rulebook, answers, today)
    pairs = [("client_name", "Ann Example"), ("date_of_birth", "1980-03-27"),
             ("phone", "07700 900982"), ("email", "ann@example.com"),
             ("appointment_date", (today + timedelta(days=7)).isoformat()),
             ("submission_key", "SUBMISSION_KEY")]
    for qid, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((qid, str(item)))
    pairs += [("confirm", "y"), ("signature", "Ann Example"), ("signed_on", today.isoformat())]
    if csrf_token is not None:
        pairs.append(("csrf_token", csrf_token))
    return pairs
