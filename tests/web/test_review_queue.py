"""The review queue: its order, its filters and its pages."""

from datetime import UTC, datetime, timedelta

from screening.database import db
from tests.factories import add_screening
from tests.web.helpers import (
    CAUTION,
    CHECK,
    POSTPONE,
    TODAY,
    URGENT_CHECK,
    URGENT_VEINS,
    page,
    queue_names,
)

#: What each level of the queue's order looks at, in the order the levels apply.
QUEUE_LEVELS = {
    "review state": lambda row: row.decision is not None,
    "urgent": lambda row: row.urgent,
    "outcome": lambda row: row.outcome,
    "appointment date": lambda row: row.appointment_date,
    "submitted": lambda row: row.submitted_at,
}


def test_queue_orders_unreviewed_urgent_restrictive_soonest_and_newest_first(app, signed_in,
                                                                            rulebook):
    soon, later = TODAY + timedelta(days=1), TODAY + timedelta(days=9)
    older = datetime.now(UTC) - timedelta(hours=2)
    newer = older + timedelta(minutes=1)
    # The queue's order. They are stored in this order, so the last tie-break (the higher id)
    # would always put the second of two rows first: only the level under test can order them.
    rows = [  # name, answers, appointment, submitted, reviewed
        ("Urgent postpone", URGENT_VEINS, soon, newer, False),
        ("Urgent check", URGENT_CHECK, soon, older, False),  # urgent before a worse outcome
        ("Postpone", POSTPONE, soon, newer, False),
        ("Check", CHECK, soon, older, False),
        ("Caution soon", CAUTION, soon, older, False),
        ("Caution later", CAUTION, later, older, False),
        ("Caution no date", CAUTION, None, older, False),  # outcome before the appointment
        ("Clear soon", {}, soon, older, False),  # the appointment before newest
        ("Clear later, newer", {}, later, newer, False),
        ("Clear later", {}, later, older, False),
        ("Reviewed urgent postpone", URGENT_VEINS, soon, newer, True),  # reviewed: last
    ]
    # For each level, two rows that differ in that level alone, in the order expected.
    pairs = [("review state", "Urgent postpone", "Reviewed urgent postpone"),
             ("urgent", "Urgent check", "Check"),
             ("outcome", "Check", "Caution soon"),
             ("appointment date", "Caution soon", "Caution later"),  # soonest first
             ("appointment date", "Caution later", "Caution no date"),  # none last
             ("submitted", "Clear later, newer", "Clear later")]  # newest first
    with app.app_context():
        stored = {}
        for name, answers, appointment, submitted, reviewed in rows:
            stored[name] = add_screening(rulebook, answers, client_name=name,
                                         appointment_date=appointment, submitted_at=submitted,
                                         decision="postponed" if reviewed else None)
        for level, first, second in pairs:
            differ = [other for other, key in QUEUE_LEVELS.items()
                      if key(stored[first]) != key(stored[second])]
            assert differ == [level], (first, second, differ)
        assert stored["Urgent check"].outcome == "medical_clearance"
        assert stored["Urgent check"].urgent and not stored["Postpone"].urgent
    names = queue_names(signed_in)
    assert names == [name for name, *_ in rows]
    for _level, first, second in pairs:
        assert names.index(first) < names.index(second)
    table = page(signed_in.get("/review/")).select("table.queue tbody tr")
    assert "Urgent" in table[0].get_text() and "Postpone" in table[0].get_text()
    assert "Not reviewed yet" in table[0].get_text()
    assert "Postponed" in table[-1].get_text()


def test_queue_filters(app, signed_in, rulebook):
    with app.app_context():
        add_screening(rulebook, client_name="Today Clear", appointment_date=TODAY)
        add_screening(rulebook, URGENT_VEINS, client_name="Tomorrow Urgent",
                      appointment_date=TODAY + timedelta(days=1))
        done = add_screening(rulebook, client_name="Reviewed 100% Clear")
        done.decision = "go_ahead"
        db.session.commit()
    today = TODAY.isoformat()
    assert queue_names(signed_in, "?outcome=postpone") == ["Tomorrow Urgent"]
    assert queue_names(signed_in, "?state=reviewed") == ["Reviewed 100% Clear"]
    assert set(queue_names(signed_in, "?state=unreviewed")) == {"Today Clear",
                                                                "Tomorrow Urgent"}
    assert queue_names(signed_in, f"?from={today}&to={today}") == ["Today Clear"]
    assert queue_names(signed_in, "?q=today") == ["Today Clear"]
    assert queue_names(signed_in, "?q=100%25") == ["Reviewed 100% Clear"]
    assert queue_names(signed_in, "?q=%25") == ["Reviewed 100% Clear"]
    assert len(queue_names(signed_in, "?outcome=nonsense&state=x&from=never")) == 3
    soup = page(signed_in.get("/review/"))
    today_link = soup.find("a", string="Today's appointments")["href"]
    assert queue_names(signed_in, today_link.split("/review/", 1)[1]) == ["Today Clear"]


def test_queue_is_paginated(app, signed_in, rulebook):
    with app.app_context():
        for _ in range(30):
            add_screening(rulebook)
    first, second = page(signed_in.get("/review/")), page(signed_in.get("/review/?page=2"))
    assert len(first.select("table.queue tbody tr")) == 25
    assert len(second.select("table.queue tbody tr")) == 5
    assert "Page 1 of 2" in first.get_text()
    assert first.find("a", rel="next")["href"] == "/review/?page=2"
    assert "Page 2 of 2" in page(signed_in.get("/review/?page=99")).get_text()  # the last


def test_a_long_queue_is_counted_only_so_far(app, signed_in, rulebook, monkeypatch):
    """A year of a large chain is not counted row by row on every page: past the limit the
    queue says "more than", and its pages run one past it."""
    monkeypatch.setattr("screening.review.routes.COUNT_UP_TO", 30)
    with app.app_context():
        for number in range(60):
            add_screening(rulebook, client_name=f"Client {number}")
    first = page(signed_in.get("/review/"))
    assert "More than 30 screenings: filter them to find one." in first.get_text()
    assert "Page 1 of more than 1" in first.get_text()
    assert len(first.select("table.queue tbody tr")) == 25
    last = page(signed_in.get("/review/?page=99"))  # the last page counted (31 rows: 2)
    assert "Page 2 of more than 1" in last.get_text()
    assert len(last.select("table.queue tbody tr")) == 25 and last.find("a", rel="next") is None
    filtered = page(signed_in.get("/review/?q=client+59"))  # under the limit: counted
    assert "1 screening matches the filters." in filtered.get_text()


def test_a_name_search_is_counted_less_far_than_the_queue(app, signed_in, rulebook, monkeypatch):
    """A common surname among a year of a large chain is not one person: its matches are
    counted only to NAME_COUNT_UP_TO, the rest of the queue to COUNT_UP_TO."""
    monkeypatch.setattr("screening.review.routes.NAME_COUNT_UP_TO", 5)
    with app.app_context():
        for number in range(8):
            add_screening(rulebook, client_name=f"Ann Smith {number}")
    searched = page(signed_in.get("/review/?q=smith")).get_text()
    assert "More than 5 screenings match the filters: filter them to find one." in searched
    assert "8 screenings." in page(signed_in.get("/review/")).get_text()
