"""The client's pages in Spanish (Flask-Babel, screening/translations/), the language switch
that keeps the answers, and the result in the language the client answered in.

The questions' own words come from the rule book (rules/translations/, translated
separately): these tests look at what the app itself says around them.
"""

from datetime import date

import pytest
from babel.messages.pofile import read_po
from werkzeug.datastructures import MultiDict

from screening.i18n import long_date
from tests.factories import consent, form_data
from tests.web.helpers import page
from tests.web.test_resubmission import screenings

SPANISH = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}
PO = "screening/translations/es/LC_MESSAGES/messages.po"


@pytest.fixture
def spanish(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = SPANISH["Accept-Language"]
    return client


@pytest.fixture
def english_left(rulebook) -> set[str]:
    """The catalogue's English sentences whose Spanish differs: none may be on a Spanish
    page (a shown message that is in the catalogue but was not run through gettext). Words
    the rule book says too (an option "Not sure") are the rule book's translation's."""
    with open(PO, "rb") as file:
        catalogue = read_po(file)
    rulebook_words = {label for question in rulebook.questions.values()
                      if question.kind.name != "yes_no" for _value, label in question.choices}
    return {message.id for message in catalogue
            if message.id and "%(" not in message.id and message.string != message.id
            and message.id not in rulebook_words}


def untranslated(soup, english_left: set[str]) -> list[str]:
    texts = [text.strip() for text in soup.find_all(string=True)
             if text.parent.name not in ("script", "style", "template")]
    texts += [element[attribute] for attribute in ("aria-label", "title")
              for element in soup.select(f"[{attribute}]")]
    return sorted({text for text in texts if text in english_left})


def test_the_start_page_and_the_questionnaire_are_in_spanish(spanish, english_left):
    start = page(spanish.get("/"))
    assert start.html["lang"] == "es"
    assert start.h1.get_text() == "Preguntas de salud antes de su masaje"
    assert start.select_one(".button--start").get_text() == "Empezar ahora"
    switch = start.select_one("nav.language-switch a")
    assert (switch.get_text(), switch["lang"], switch["hreflang"]) == ("English", "en-GB",
                                                                       "en-GB")
    assert untranslated(start, english_left) == []

    form = page(spanish.get("/questionnaire"))
    assert form.html["lang"] == "es"
    assert form.title.get_text().startswith("Preguntas de salud")
    assert form.select_one("label[for=client_name]").get_text() == "Nombre completo"
    yes_no = [label.get_text(strip=True) for label in
              form.select_one("input[name=varicose_veins]").find_parent("div").select("label")]
    assert yes_no[:2] == ["Sí", "No"]
    assert untranslated(form, english_left) == []


def test_a_form_with_problems_says_them_in_spanish(spanish, rulebook, english_left):
    data = form_data(rulebook, client_name="", date_of_birth="30/02/1980")
    soup = page(spanish.post("/questionnaire", data=data))
    assert soup.title.get_text().startswith("Error: Preguntas de salud")
    summary = soup.select_one(".error-summary")
    assert summary.h2.get_text() == "Hay un problema"
    assert [item.get_text() for item in summary.select("li a")][:2] == [
        "Indique su nombre completo",
        "Indique su fecha de nacimiento con una fecha real, por ejemplo 1980-03-27"]
    assert soup.select_one("#client_name-error").get_text(" ", strip=True) == \
        "Error: Indique su nombre completo"
    assert untranslated(soup, english_left) == []


def test_the_check_page_and_declaration_are_in_spanish_with_babel_dates(spanish, rulebook,
                                                                        english_left):
    response = spanish.post("/questionnaire", data=form_data(rulebook), follow_redirects=True)
    soup = page(response)
    assert soup.html["lang"] == "es"
    assert soup.h1.get_text() == "Revise sus respuestas antes de enviarlas"
    rows = {row.dt.get_text(): row.select_one(".summary__value").get_text()
            for row in soup.select(".summary__row")}
    assert rows["Fecha de nacimiento"] == "27 de marzo de 1980"
    assert rows["Fecha de la cita"] == "No indicado"
    assert soup.select_one("label[for=signature]").get_text() == \
        "Escriba su nombre completo para firmar"
    assert soup.select_one("label.choice input#confirm").parent.get_text(strip=True) \
        .startswith("Confirmo que mis respuestas son verdaderas")
    assert untranslated(soup, english_left) == []

    refused = page(spanish.post("/submit", data=MultiDict(
        [*form_data(rulebook).items(multi=True), ("signed_on", date.today().isoformat())])))
    assert refused.select_one(".error-summary h2").get_text() == "Hay un problema"
    assert "Confirme que sus respuestas son verdaderas" in refused.select_one(
        ".error-summary").get_text()


def test_the_result_is_in_the_language_the_client_answered_in(app, spanish, rulebook,
                                                            english_left):
    check = spanish.post("/questionnaire", data=form_data(rulebook), follow_redirects=True)
    fields = [(field["name"], field.get("value", ""))
              for field in page(check).select("form[action='/submit'] input[type=hidden]")]
    response = spanish.post("/submit", data=MultiDict(
        [*fields, ("confirm", "y"), ("signature", "Ann Example"),
         ("signed_on", date.today().isoformat())]))
    assert response.status_code == 303
    result = response.headers["Location"]
    assert [screening.language for screening in screenings(app)] == ["es"]

    spanish.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB"
    with spanish.session_transaction() as session:
        session["language"] = "en"
    soup = page(spanish.get(result))
    assert soup.html["lang"] == "es"
    assert soup.h1.get_text() == "Su resultado"
    assert soup.select_one(".meta").get_text(" ", strip=True).startswith(
        "Nombre Ann Example Fecha de nacimiento 27 de marzo de 1980")
    assert untranslated(soup, english_left) == []

    switched = page(spanish.get(result + "?lang=en"))
    assert switched.html["lang"] == "en-GB"
    assert switched.h1.get_text() == "Your result"


def test_switching_language_mid_form_keeps_every_answer_and_shows_no_errors(spanish,
                                                                            rulebook):
    """Half filled in, in Spanish: the English button posts the form, which comes back in
    English with the radios, the text and the dates as they were, and nothing marked wrong."""
    data = MultiDict({"client_name": "Ana Ejemplo", "date_of_birth": "1980-03-27",
                      "phone": "", "email": "", "appointment_date": "not a date",
                      "submission_key": "s" * 32, "varicose_veins": "yes",
                      "vv_location": "left_calf", "lang": "en"})
    response = spanish.post("/questionnaire", data=data)
    assert response.status_code == 200
    soup = page(response)
    assert soup.html["lang"] == "en-GB"
    assert soup.h1.get_text() == "Health questions before your massage"
    assert soup.select(".error-summary") == [] and soup.select(".field-error") == []
    assert soup.select_one("#client_name")["value"] == "Ana Ejemplo"
    assert soup.select_one("#date_of_birth")["value"] == "1980-03-27"
    assert soup.select_one("#appointment_date")["value"] == "not a date"
    assert soup.select_one("input[name=varicose_veins][value=yes]").has_attr("checked")
    assert soup.select_one("input[name=vv_location][value=left_calf]").has_attr("checked")
    assert soup.select_one("input[name=submission_key]")["value"] == "s" * 32
    button = soup.select_one("nav.language-switch button")
    assert (button.get_text(), button["name"], button["value"], button["lang"],
            button["form"]) == ("Español", "lang", "es", "es", "questionnaire-form")
    first = next(button for button in soup.select("button[type=submit]")
                 if button.get("form") == "questionnaire-form"
                 or button.find_parent("form", id="questionnaire-form"))
    assert (first.get_text(), first.get("name")) == ("Continue", None)  # what Enter presses

    # The choice is remembered: the browser still says Spanish, the pages now English.
    assert page(spanish.get("/")).html["lang"] == "en-GB"


def test_switching_language_on_the_check_page_keeps_the_answers_and_the_signature(
        spanish, rulebook):
    data = consent(form_data(rulebook))
    data["signature"] = "Ann Exam"
    del data["confirm"]
    data["lang"] = "en"
    soup = page(spanish.post("/submit", data=data))
    assert soup.html["lang"] == "en-GB"
    assert soup.h1.get_text() == "Check your answers before sending them"
    assert soup.select(".error-summary") == []
    assert soup.select_one("#signature")["value"] == "Ann Exam"
    hidden = {field["name"]: field["value"] for field in
              soup.select("form#consent-form input[type=hidden]")}
    assert hidden["client_name"] == "Ann Example" and hidden["varicose_veins"] == "no"
    assert soup.select_one("nav.language-switch button")["form"] == "consent-form"


def test_the_empty_questionnaire_is_kept_once_per_language(client):
    english = client.get("/questionnaire", headers={"Accept-Language": "en"})
    spanish = client.get("/questionnaire", headers=SPANISH)
    assert page(english).h1.get_text() == "Health questions before your massage"
    assert page(spanish).h1.get_text() == "Preguntas de salud antes de su masaje"
    assert "Accept-Language" in spanish.headers["Vary"]


def test_error_pages_are_in_spanish(spanish):
    response = spanish.get("/result/not-a-real-token")
    assert response.status_code == 404
    soup = page(response)
    assert soup.h1.get_text() == "No se encuentra la página"
    assert soup.select_one("main a").get_text() == "Ir a la página de inicio"


def test_a_language_link_keeps_the_page_and_its_query(spanish):
    link = page(spanish.get("/?x=1")).select_one("nav.language-switch a")["href"]
    assert link.startswith("/?") and "x=1" in link and "lang=en" in link


def test_dates_are_written_the_local_way(app):
    with app.test_request_context("/", headers=SPANISH):
        assert long_date(date(2026, 12, 2)) == "2 de diciembre de 2026"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert long_date(date(2026, 12, 2)) == "2 December 2026"


def test_a_returning_clients_invitation_page_switches_language_keeping_their_choices(
        app, spanish, rulebook):
    from tests.invitations.test_returning_clients import form_post, known_client

    link, _earlier = known_client(app, rulebook)
    shown = page(spanish.get(link))
    assert shown.html["lang"] == "es"
    notice = shown.select_one(".notice").get_text(" ", strip=True)
    assert notice.startswith("Hola, Ann Example. Estas preguntas son para su cita en")
    assert " a las 14:30" in notice  # the appointment, written the Spanish way
    assert shown.find(id="last-time-circulation").find("legend").get_text(strip=True) == \
        "¿Ha cambiado algo de esto desde entonces?"

    data = form_post(shown, {"change-circulation": "changed", "lang": "en"})
    switched = page(spanish.post(link, data=data))
    assert switched.html["lang"] == "en-GB"
    assert switched.select(".error-summary") == []
    assert switched.select_one(
        "input[name=change-circulation][value=changed]").has_attr("checked")
    assert switched.find(id="last-time-circulation").find("legend").get_text(strip=True) == \
        "Has anything here changed since then?"


def test_saved_answers_are_told_in_spanish_and_come_back_in_spanish(spanish, rulebook,
                                                                    english_left):
    data = form_data(rulebook, email="")
    response = spanish.post("/save", data={**data.to_dict(flat=False), "save": "1"},
                            follow_redirects=True)
    soup = page(response)
    assert soup.h1.get_text() == "Sus respuestas están guardadas"
    lead = soup.select_one(".lead").get_text(" ", strip=True)
    assert lead.startswith("Las guardamos hasta el final del ") and " de 20" in lead
    assert untranslated(soup, english_left) == []
    resumed = page(spanish.get(soup.select_one("#saved-link")["href"]))
    assert resumed.select_one(".notice strong").get_text() == "Hola de nuevo."
    assert resumed.select_one("#client_name")["value"] == "Ann Example"
