"""A year (and a month) of a chain of 50 clinics on PostgreSQL, loaded with COPY.

Answers and results come from a pool of answer sets screened by the real engine
(bench/seed.py); each screening gets its own person (names from many languages, with
accents, apostrophes and hyphens), date of birth, contact details, submission time spread
over 395 days, appointment, decision (most past ones reviewed) and, for most, the
invitation it answered. Upcoming invitations fill the three weeks ahead.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, date, datetime, time, timedelta

from screening.names import search_key
from screening.rulebook import Rulebook

from .seed import rows as screened_rows

FIRST = ("Ann", "Zoë", "José", "Chloé", "Siân", "Björn", "Łukasz", "François", "Anaïs",
         "Søren", "Ngọc", "Aoife", "Niamh", "Mohammed", "Fatima", "Priya", "Raj", "Wei",
         "Yūki", "Olga", "Dmitri", "Agnieszka", "Mateo", "Lucía", "Jürgen", "Håkon", "İlker",
         "Eleni", "Giulia", "Thomas", "Sarah", "James", "Emily", "Oliver", "Amelia", "Kemi",
         "Chidi", "Ewa", "Farid", "Grace", "Hugo", "Isla", "Liam", "Maya", "Omar", "Rosa",
         "Tom", "Una", "Yusuf", "Noémie", "Renée", "Dáithí", "Seán", "Zoé", "Inés", "Małgorzata")
LAST = ("Smith", "Jones", "Müller", "García", "Nguyễn", "O'Brien", "Ó Súilleabháin", "Kowalski",
        "Łukasiewicz", "Dubois", "Lefèvre", "Johansson", "Sørensen", "Patel", "Khan", "Wang",
        "Li", "Tanaka", "Ivanova", "Papadopoulou", "Rossi", "Fernández", "Martínez", "Schröder",
        "Brown", "Taylor", "Wilson", "Davies", "Evans", "Okafor", "Adeyemi", "Nowak",
        "Mac Giolla Phádraig", "D'Angelo", "Da Silva", "van der Berg", "Öztürk", "Yılmaz",
        "Haddad", "Murphy", "Kelly", "Walsh", "Chen", "Kim", "Park", "Lopez", "Hughes",
        "Roberts", "Lewis", "Young", "Walker", "Fischer", "Weiß", "Núñez", "Çelik", "Ng")
CLINICS, DAYS, UPCOMING_DAYS = 50, 395, 21
DECISIONS = ("go_ahead",) * 14 + ("go_ahead_with_changes",) * 4 + (
    "waiting_for_clearance", "cleared_by_doctor", "postponed", "declined")
#: Found once only, for the search of one person.
ONE_PERSON = "Zoë Nguyễn-O'Brien"


def person(rng: random.Random) -> str:
    last = rng.choice(LAST)
    if rng.random() < 0.08:
        last = f"{last}-{rng.choice(LAST)}"
    return f"{rng.choice(FIRST)} {last}"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def generate(rulebook: Rulebook, count: int, today: date, pool_size: int = 3000,
             seed: int = 18, chunk: int = 20_000):
    """Chunks of (invitations, screenings, decisions), lists of dicts keyed by column name,
    each chunk's rows referring only to its own or earlier chunks' rows."""
    rng = random.Random(seed)
    pool = screened_rows(rulebook, pool_size, seed, "pool" * 8, today)
    answers = [json.dumps(row["answers"]) for row in pool]
    findings = [json.dumps(row["findings"]) for row in pool]
    areas = [json.dumps(row["body_areas"]) for row in pool]
    start = datetime.combine(today - timedelta(days=DAYS), time(7), UTC)
    screenings, invitations, decisions = [], [], []
    invited = 0
    for number in range(1, count + 1):
        if len(screenings) == chunk:
            yield invitations, screenings, decisions
            screenings, invitations, decisions = [], [], []
        template = rng.randrange(pool_size)
        row = pool[template]
        submitted = start + timedelta(seconds=rng.randrange(DAYS * 86400))
        name = ONE_PERSON if number == count // 2 else person(rng)
        appointment = (submitted.date() + timedelta(days=rng.randint(0, 14))
                       if rng.random() < 0.85 else None)
        invitation_id = None
        if appointment and rng.random() < 0.6:
            invited += 1
            invitation_id = invited
            invitations.append(_invitation(rng, invitation_id, name, appointment,
                                           submitted - timedelta(days=rng.randint(1, 10))))
        past = (appointment or submitted.date()) < today
        decision = rng.choice(DECISIONS) if rng.random() < (0.95 if past else 0.3) else None
        if decision:
            decisions.append({"screening_id": number, "therapist_id": rng.randint(1, CLINICS),
                              "kind": decision, "note": "", "created_at":
                              submitted + timedelta(hours=rng.randint(1, 48))})
        email = f"{search_key(name).replace(' ', '.')}{number}@example.com"
        screenings.append({
            "id": number, "submission_key": f"large{number:027d}",
            "result_token_hash": _hash(f"large-result-{number}"), "client_name": name,
            "search_name": search_key(name),
            "date_of_birth": date(rng.randint(1940, 2008), rng.randint(1, 12),
                                  rng.randint(1, 28)),
            "email": email, "phone": f"07700 9{rng.randint(0, 99999):05d}",
            "appointment_date": appointment, "answers": answers[template],
            "outcome": row["outcome"], "outcome_rank": row["outcome_rank"],
            "urgent": row["urgent"], "findings": findings[template],
            "body_areas": areas[template], "rulebook_version": row["rulebook_version"],
            "screened_on": appointment or submitted.date(), "submitted_at": submitted,
            "signature": name, "signed_on": submitted.date(), "decision": decision,
            "invitation_id": invitation_id})
    for day in range(UPCOMING_DAYS):
        for _ in range(CLINICS * 12):
            invited += 1
            invitations.append(_invitation(rng, invited, person(rng),
                                           today + timedelta(days=day),
                                           datetime.now(UTC) - timedelta(days=rng.randint(0, 9))))
    yield invitations, screenings, decisions


def _invitation(rng: random.Random, number: int, name: str, day: date,
                created: datetime) -> dict:
    return {"id": number, "link_key": _hash(f"link-{number}")[:43],
            "token_hash": _hash(f"invitation-{number}"), "client_name": name,
            "email": f"client{number}@example.com", "phone": None, "appointment_date": day,
            "appointment_time": time(rng.randint(8, 19), rng.choice((0, 15, 30, 45))),
            "therapist": f"Therapist {rng.randint(1, CLINICS)}", "note": "",
            "created_at": created, "opened_at": None,
            "cancelled_at": created if rng.random() < 0.03 else None}


def copy_in(libpq_url: str, chunks) -> dict[str, int]:
    """COPY the chunks in (therapists first, for the decisions' foreign key), in one
    transaction; sequences moved on past the ids given; VACUUM ANALYZE. Rows per table."""
    import psycopg

    therapists = [{"id": number, "email": f"therapist{number}@example.com",
                   "name": f"Therapist {number}", "password_hash": "!", "active": True,
                   "created_at": datetime.now(UTC)} for number in range(1, CLINICS + 1)]
    counts = dict.fromkeys(("therapists", "invitations", "screenings", "decisions"), 0)
    with psycopg.connect(libpq_url) as connection:
        _copy(connection, "therapists", therapists, counts)
        for invitations, screenings, decisions in chunks:
            _copy(connection, "invitations", invitations, counts)
            _copy(connection, "screenings", screenings, counts)
            _copy(connection, "decisions", decisions, counts)
        for table in ("therapists", "invitations", "screenings", "decisions"):
            connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))")
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    return counts


def _copy(connection, table: str, items: list[dict], counts: dict[str, int]) -> None:
    if not items:
        return
    columns = list(items[0])
    with connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for item in items:
            copy.write_row([item[column] for column in columns])
    counts[table] += len(items)
