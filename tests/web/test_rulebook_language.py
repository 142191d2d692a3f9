"""The rule book's words on the client's pages in the page's language, English marked where a
translation is missing or stale, and therapists' pages in the clinic's language."""

import shutil

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale

from screening.clinic import current_rulebook, rulebook_in, screening_findings, screening_rulebook
from tests.engine.test_rulebook_translations import SPANISH, rules_with
from tests.factories import make_app


@pytest.fixture
def app(tmp_path, migrated_db):
    shutil.copy(migrated_db, tmp_path / "db.sqlite3")
    rules = rules_with(tmp_path, es=SPANISH.read_text(encoding="utf-8"))
    return make_app(tmp_path / "db.sqlite3", RULEBOOK=str(rules))


def test_a_spanish_page_shows_translated_questions_and_marks_the_english(client):
    page = BeautifulSoup(client.get("/questionnaire?lang=es").text, "html.parser")
    fieldset = page.find(id="recent_surgery-0").find_parent("fieldset")
    assert fieldset.legend.get_text(" ", strip=True) == (
        "¿Le han hecho una operación o un procedimiento médico en los últimos 6 meses?")
    hint = fieldset.find(class_="hint").find("span", class_="untranslated")  # stale
    assert hint["lang"] == "en"
    assert hint.get_text() == ("Include day surgery, keyhole surgery and procedures such as a "
                               "biopsy or a mole removal.")
    knee = page.find("input", attrs={"name": "focus_areas", "value": "left_knee"})
    assert knee.find_parent("label").get_text(strip=True) == "Rodilla izquierda"
    assert knee.find_parent("label").find_previous_sibling("p").get_text() == "Pierna izquierda"


def test_an_english_page_has_no_marks(client):
    html = client.get("/questionnaire?lang=en").text
    assert "untranslated" not in html
    assert "Have you had an operation or medical procedure in the last 6 months?" in html


def test_which_rule_book_each_page_and_screening_gets(app):
    with app.test_request_context("/questionnaire", headers={"Accept-Language": "es"}):
        assert current_rulebook() is rulebook_in("es")
        assert current_rulebook().language == "es"
        assert screening_rulebook(type("S", (), {"language": "en"})()) is rulebook_in("en")
    with app.test_request_context("/review/", headers={"Accept-Language": "es"}):
        assert current_rulebook().language == "en"  # the clinic's language
    with app.app_context():
        assert current_rulebook().language == "en"
        with force_locale("es"):  # an email composed for a Spanish-speaking client
            assert current_rulebook() is rulebook_in("es")


def test_a_spanish_client_is_screened_as_in_english_and_the_result_is_in_spanish(app, client):
    from tests.factories import form_data
    from tests.web.test_resubmission import result_page, screenings, send

    with app.app_context():
        english = rulebook_in("en")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    answers = {"recent_surgery": "yes", "surgery_date": "2024-01-10", "surgery_what": "Knee",
               "surgery_what_where": ["left_knee"], "major_surgery": "no",
               "wound_healed": "yes", "wound_problem": "no", "leg_symptoms_since": "no",
               "dates_checked": "surgery_date=2024-01-10"}
    response = send(client, form_data(english, answers))
    assert response.status_code == 303
    (screening,) = screenings(app)
    assert screening.language == "es"
    assert "recent_surgery_not_recent" in [finding["rule"] for finding in screening.findings]
    assert "Su operación fue hace más de 6 meses" in result_page(client, response.location)
    with app.app_context():  # the therapist's words for the same findings
        (finding,) = [f for f in screening_findings(screening, rulebook_in("en"))
                      if f["rule"] == "recent_surgery_not_recent"]
    assert finding["client_message"].startswith("Your operation was more than 6 months ago")
    assert finding["condition_name"] == "Recent operation or medical procedure"
