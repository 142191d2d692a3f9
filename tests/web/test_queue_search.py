"""The queue: a name search that ignores accents, case and punctuation (the same on SQLite and
PostgreSQL: this runs on both), a date-of-birth column, and likely duplicates marked."""

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event as sa_event

from screening.database import db
from screening.models import Screening
from screening.names import search_key, search_words
from tests.factories import add_screening, consent, form_data, make_app, signed_in_therapist

VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "small_flat",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}
NAMES = ["Zoë Nguyen-O'Brien", "Zoe Nguyen", "Chloé Brien", "Søren Ærø", "ANN ÉXAMPLE-SMITH",
         "Łukasz Żółć", "José María D’Angelo"]


def page(response):
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.fixture
def desk(app):
    """A therapist signed in at the queue."""
    return signed_in_therapist(app)


def rows(client, query=""):
    """The queue's rows as the therapist reads them: column label -> text."""
    table = page(client.get("/review/", query_string={"q": query} if query else None))
    return [{cell.get("data-label"): " ".join(cell.get_text(" ").split())
             for cell in row.find_all(["th", "td"])}
            for row in table.select("table.queue tbody tr")]


def names(client, query):
    return sorted(row["Client"] for row in rows(client, query))


@pytest.mark.parametrize(("name", "key"), [
    ("Zoë Nguyen-O'Brien", "zoe nguyen obrien"), ("  ZOË   nguyen ", "zoe nguyen"),
    ("Søren Ærø", "soren aero"), ("Straße", "strasse"), ("José María D’Angelo",
                                                        "jose maria dangelo"),
    ("Łukasz Żółć", "lukasz zolc"), ("Ann_Example (50%)", "ann example 50"), ("李小龙", "李小龙"),
])
def test_names_are_keyed_without_accents_case_or_punctuation(name, key):
    assert search_key(name) == key


@pytest.mark.parametrize(("typed", "found"), [
    ("zoe nguyen", ["Zoe Nguyen", "Zoë Nguyen-O'Brien"]),
    ("ZOË NGUYEN", ["Zoe Nguyen", "Zoë Nguyen-O'Brien"]),
    ("nguyen zoe", ["Zoe Nguyen", "Zoë Nguyen-O'Brien"]),  # words in any order
    ("nguyen-o'brien", ["Zoë Nguyen-O'Brien"]),
    ("o'brien", ["Zoë Nguyen-O'Brien"]), ("obrien", ["Zoë Nguyen-O'Brien"]),
    ("brien", ["Chloé Brien", "Zoë Nguyen-O'Brien"]),  # any part of a word
    ("guy", ["Zoe Nguyen", "Zoë Nguyen-O'Brien"]),
    ("chloe", ["Chloé Brien"]), ("soren aero", ["Søren Ærø"]),
    ("ann example smith", ["ANN ÉXAMPLE-SMITH"]), ("lukasz zolc", ["Łukasz Żółć"]),
    ("Żółć", ["Łukasz Żółć"]), ("jose d'angelo", ["José María D’Angelo"]),
    ("zoe smith", []), ("%", []), ("_", []),
])
def test_a_name_search_ignores_accents_case_and_punctuation(app, desk, rulebook, typed, found):
    with app.app_context():
        for name in NAMES:
            add_screening(rulebook, client_name=name)
    assert names(desk, typed) == sorted(found)


def test_the_search_box_keeps_what_was_typed_and_the_csv_follows_it(app, desk, rulebook):
    with app.app_context():
        for name in NAMES:
            add_screening(rulebook, client_name=name)
    shown = page(desk.get("/review/", query_string={"q": "Zoë nguyen"}))
    assert shown.select_one("input#q")["value"] == "Zoë nguyen"
    assert "2 screenings match the filters." in shown.get_text()
    csv = desk.get("/review/export.csv", query_string={"q": "zoe nguyen"}).get_data(as_text=True)
    assert "Zoë Nguyen-O'Brien" in csv and "Zoe Nguyen" in csv and "Chloé" not in csv


def test_a_renamed_or_anonymised_client_is_searched_by_the_new_name(app, desk, rulebook):
    """The key is set with the name, whatever sets it (the anonymising purge does)."""
    with app.app_context():
        screening = add_screening(rulebook, client_name="Zoë Nguyen-O'Brien")
        screening.client_name = "Anonymised"
        db.session.commit()
    assert names(desk, "zoe") == []
    assert names(desk, "anonymised") == ["Anonymised"]


def test_the_queue_shows_each_clients_date_of_birth(app, desk, rulebook):
    """Two people of the same name: the date of birth tells them apart."""
    with app.app_context():
        add_screening(rulebook, client_name="Sam Lee", date_of_birth=date(1961, 5, 2))
        add_screening(rulebook, VEINS, client_name="Sam Lee", date_of_birth=date(1994, 11, 30))
    shown = rows(desk, "sam lee")
    assert sorted(row["Date of birth"] for row in shown) == ["2 May 1961", "30 November 1994"]
    header = page(desk.get("/review/")).select("table.queue thead th")
    assert [cell.get_text() for cell in header][:2] == ["Client", "Date of birth"]


def send(app, rulebook, answers, key, **details):
    """A client fills the form in and sends it (a new form each time: a new key)."""
    data = consent(form_data(rulebook, answers, submission_key=key, **details))
    response = app.test_client().post("/submit", data=data)
    assert response.status_code == 303


def stored(app):
    with app.app_context():
        return [(item.id, item.client_name) for item in
                db.session.query(Screening).order_by(Screening.id)]


def test_the_same_answers_sent_twice_the_same_day_are_marked_as_a_likely_duplicate(
        app, desk, rulebook):
    send(app, rulebook, VEINS, "a" * 32, client_name="Zoë Nguyen-O'Brien")
    send(app, rulebook, VEINS, "b" * 32, client_name="zoe nguyen-o'brien")  # filled in again
    send(app, rulebook, {}, "c" * 32, client_name="Zoë Nguyen-O'Brien")  # other answers
    send(app, rulebook, VEINS, "d" * 32, client_name="Zoë Nguyen-O'Brien",
         date_of_birth="1991-07-14")  # someone else of the same name
    send(app, rulebook, VEINS, "e" * 32, client_name="Ann Example")
    assert len(stored(app)) == 5
    marked = {row["Client"] + " " + row["Date of birth"]: row["Submitted"]
              for row in rows(desk) if "Likely duplicate" in row["Submitted"]}
    assert list(marked) == ["zoe nguyen-o'brien 27 March 1980"]
    first = page(desk.get("/review/screenings/1"))
    second = page(desk.get("/review/screenings/2"))
    assert first.select_one("#copies-title").get_text() == "Sent again the same day"
    assert second.select_one("#copies-title").get_text() == "Likely duplicate"
    links = second.select_one("#copies-title").find_parent("section").select("a")
    assert [link["href"] for link in links] == ["/review/screenings/1"]
    assert "(sent first)" in links[0].parent.get_text()
    for other in (3, 4, 5):
        assert page(desk.get(f"/review/screenings/{other}")).select_one("#copies-title") is None


def test_the_same_answers_on_another_day_are_not_a_duplicate(app, desk, rulebook):
    with app.app_context():
        yesterday = datetime.now(UTC) - timedelta(days=1, hours=1)
        add_screening(rulebook, VEINS, client_name="Zoe Nguyen", submitted_at=yesterday)
        add_screening(rulebook, VEINS, client_name="Zoe Nguyen")
    assert not [row for row in rows(desk) if "Likely duplicate" in row["Submitted"]]
    assert page(desk.get("/review/screenings/2")).select_one("#copies-title") is None


def test_the_queue_asks_the_same_few_queries_however_many_copies_it_shows(app, desk, rulebook):
    """The answers of people who sent twice are read in one query for the page, not one
    query for each copy (an N+1 that a page of 25 copies made 50 statements)."""
    def statements() -> int:
        seen = []
        with app.app_context():
            listen = (db.engine, "before_cursor_execute",
                      lambda *args: seen.append(args[2]))
            sa_event.listen(*listen)
            try:
                assert desk.get("/review/").status_code == 200
            finally:
                sa_event.remove(*listen)
        return len(seen)

    send(app, rulebook, VEINS, "a" * 32, client_name="Zoe Nguyen")
    send(app, rulebook, VEINS, "b" * 32, client_name="Zoe Nguyen")
    one_pair = statements()
    for number, key in enumerate("cdefgh"):
        send(app, rulebook, VEINS, key * 32, client_name=f"Ann Example {number // 2}")
    assert len([row for row in rows(desk) if "Likely duplicate" in row["Submitted"]]) == 4
    assert statements() == one_pair


def test_a_duplicate_is_the_clinics_day_not_the_servers(tmp_path, migrated_db, rulebook):
    """23:30 and 00:30 in New York are two days there, though one day in UTC."""
    path = tmp_path / "zone.sqlite3"
    path.write_bytes(migrated_db.read_bytes())
    app = make_app(path, TIMEZONE="America/New_York")
    with app.app_context():
        late = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)  # 23:30 on 1 December in New York
        add_screening(rulebook, VEINS, client_name="Zoe Nguyen", submitted_at=late)
        add_screening(rulebook, VEINS, client_name="Zoe Nguyen",
                      submitted_at=late + timedelta(hours=1))  # 00:30 on 2 December
        add_screening(rulebook, VEINS, client_name="Zoe Nguyen",
                      submitted_at=late + timedelta(hours=2))  # 01:30 on 2 December
    therapist = signed_in_therapist(app)
    marked = [row["Submitted"] for row in rows(therapist) if "Likely duplicate" in row["Submitted"]]
    assert marked == ["2 December 2026, 01:30 Likely duplicate: the same answers were sent "
                      "2 December 2026, 00:30"]
    with app.app_context():
        db.engine.dispose()


def test_search_words_of_punctuation_alone_are_none():
    assert search_words(" -'% ") == []
