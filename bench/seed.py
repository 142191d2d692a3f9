"""Fill a (migrated) database with realistic stored screenings, in bulk, for the HTTP benchmark.

Each row is what `/submit` would have stored: answers from `bench.answersets`, screened
by the real engine (outcome, urgent flag, findings with condition names, body areas),
submitted over the last two months with appointments around today.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from screening import create_app
from screening.database import db
from screening.engine import evaluate
from screening.intake.submission import result_token, stored_result
from screening.models import Screening
from screening.rulebook import RANK, Rulebook
from screening.tokens import token_hash

from .answersets import make_answers

FIRST = ("Ann", "Ben", "Chloe", "Dev", "Ewa", "Farid", "Grace", "Hugo", "Isla", "Jon", "Kemi",
         "Liam", "Maya", "Nia", "Omar", "Priya", "Rosa", "Sam", "Tom", "Una", "Yusuf", "Zoe")
LAST = ("Adams", "Brown", "Chen", "Davies", "Evans", "Fischer", "Garcia", "Hughes", "Iqbal",
        "Jones", "Khan", "Lewis", "Murphy", "Nowak", "Okafor", "Patel", "Roberts", "Smith",
        "Taylor", "Walker", "Wilson", "Young")


def rows(rulebook: Rulebook, count: int, seed: int, secret_key: str,
         today: date) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for number in range(count):
        submitted = today - timedelta(days=rng.randint(0, 60))
        answers = make_answers(rng, rulebook, submitted)
        appointment = (submitted + timedelta(days=rng.randint(0, 21))
                       if rng.random() < 0.7 else None)
        on = appointment or submitted
        result = evaluate(rulebook, answers, on)
        key = f"seed{seed:04d}{number:024d}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        out.append({
            "submission_key": key,
            "result_token_hash": token_hash(result_token(secret_key, key)),
            "client_name": name,
            "date_of_birth": date(rng.randint(1940, 2006), rng.randint(1, 12),
                                  rng.randint(1, 28)),
            "email": f"{name.lower().replace(' ', '.')}@example.com",
            "phone": f"07700 9{rng.randint(0, 99999):05d}",
            "appointment_date": appointment,
            "answers": answers,
            **stored_result(rulebook, result),
            "submitted_at": datetime.combine(submitted, time(9), UTC)
            + timedelta(minutes=rng.randint(0, 600)),
            "signature": name,
            "signed_on": submitted,
        })
    if hasattr(Screening, "outcome_rank"):  # set by a validator, which bulk inserts skip
        for row in out:
            row["outcome_rank"] = RANK[row["outcome"]]
    return out


def seed(database_url: str, secret_key: str, rulebook: Rulebook, count: int,
         seed: int = 11) -> tuple[int, str]:
    """Insert `count` screenings; return how many the database then holds, and the result
    token of a typical one with findings (two or three, not urgent) for the result page."""
    made = rows(rulebook, count, seed, secret_key, date.today())
    typical = next(row for row in made if 2 <= len(row["findings"]) <= 3 and not row["urgent"])
    app = create_app({"SECRET_KEY": secret_key, "DATABASE_URL": database_url})
    with app.app_context():
        db.session.execute(insert(Screening), made)
        db.session.commit()
        total = db.session.scalar(select(func.count()).select_from(Screening))
        db.session.remove()
        db.engine.dispose()
    return total, result_token(secret_key, typical["submission_key"])
