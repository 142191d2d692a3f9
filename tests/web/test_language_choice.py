"""Which language a page is in (screening/i18n.py), and the language a screening keeps."""

from flask_babel import get_locale

from tests.factories import consent, form_data
from tests.web.test_resubmission import screenings, send


def language_of(app, path="/", **headers):
    with app.test_request_context(path, headers=headers):
        return str(get_locale())


def test_a_client_page_follows_the_browser_and_a_therapist_page_the_clinic(app):
    assert language_of(app, "/", **{"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}) == "es"
    assert language_of(app, "/", **{"Accept-Language": "fr-FR,fr;q=0.9"}) == "en"
    assert language_of(app, "/review/", **{"Accept-Language": "es"}) == "en"


def test_a_language_chosen_by_link_wins_and_only_offered_languages_are_chosen(app):
    assert language_of(app, "/?lang=es", **{"Accept-Language": "en"}) == "es"
    assert language_of(app, "/?lang=xx", **{"Accept-Language": "en"}) == "en"


def test_the_screening_keeps_the_language_the_client_answered_in(app, client, rulebook):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    assert client.post("/submit", data=consent(form_data(rulebook))).status_code == 303
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB"
    assert send(client, form_data(rulebook, submission_key="e" * 32)).status_code == 303
    assert [screening.language for screening in screenings(app)] == ["es", "en"]
