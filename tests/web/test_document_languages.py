"""A screening's documents in their reader's language: the client's printed result and the
letter for their doctor in the language the client answered in, the therapist's record and
pages in the clinic's, saying which language the client answered in.

Only the app's own words are checked for English left: the rule book's (questions,
outcomes, findings) are translated in rules/translations/ and are English here until then.
"""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.english_left import english_left
from tests.factories import add_screening, consent, form_data
from tests.web.test_printing import TYPICAL, pdf_text, signed_in  # noqa: F401 (a fixture)

BORN_ES = "27 de marzo de 1980"


def page(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def spanish_result(client, rulebook) -> str:
    """A screening sent from a Spanish browser; its result's link."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    response = client.post("/submit", data=consent(form_data(rulebook, TYPICAL)))
    assert response.status_code == 303
    return response.headers["Location"]


def test_the_clients_pdf_of_a_spanish_screening_is_in_spanish(client, rulebook, pdf_renderer):
    link = spanish_result(client, rulebook)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # another browser: still their language
    [text] = pdf_text(client.get(f"{link}/record.pdf"))
    assert "Cuestionario de salud antes del masaje" in text
    assert f"Fecha de nacimiento {BORN_ES}" in text
    assert "Firma del terapeuta" in text and "no es un consejo médico" in text
    assert text.endswith("Ann Example, fecha de nacimiento: 27 de marzo de 1980 Página 1 de 1")
    assert english_left(text) == []


def test_the_doctors_letter_of_a_spanish_screening_is_in_spanish(client, rulebook,
                                                                 pdf_renderer):
    link = spanish_result(client, rulebook)
    letter = page(client.get(f"{link}/doctor-letter")).select_one("article.letter")
    assert letter["lang"] == "es"
    text = " ".join(letter.get_text(" ").split())
    assert "Antes de un masaje: una pregunta para el médico de Ann Example" in text
    assert f"(fecha de nacimiento: {BORN_ES})" in text
    assert "Puede recibir masajes" in text and "Por ahora no debe recibir masajes" in text
    assert english_left(text) == []
    [pdf] = pdf_text(client.get(f"{link}/doctor-letter.pdf"))
    assert "Marque una opción y devuelva esta carta" in pdf and "Nombre y cargo" in pdf
    assert "masaje. Por algunas de sus respuestas" in pdf
    assert english_left(pdf) == []


def test_an_english_screenings_documents_stay_english(client, rulebook, pdf_renderer):
    response = client.post("/submit", data=consent(form_data(rulebook, TYPICAL)))
    link = response.headers["Location"]
    [text] = pdf_text(client.get(f"{link}/record.pdf"))
    assert "Date of birth 27 March 1980" in text and "Therapist's signature" in text
    letter = page(client.get(f"{link}/doctor-letter")).select_one("article.letter")
    assert letter["lang"] == "en" and "Cleared for massage" in letter.get_text()


def test_the_therapist_sees_the_clients_language_on_an_english_page(app, signed_in, rulebook,  # noqa: F811
                                                                    pdf_renderer):
    with app.app_context():
        add_screening(rulebook, TYPICAL, client_name="Ana Ejemplo", language="es")
        add_screening(rulebook, TYPICAL, client_name="Ann Example")
    spanish = page(signed_in.get("/review/screenings/1"))
    assert spanish.find("html")["lang"].startswith("en")
    row = spanish.find("dt", string="Language").find_next_sibling("dd").get_text(" ")
    assert " ".join(row.split()) == ("Answered in Spanish (español). What they typed is shown "
                                     "as they typed it, in Spanish (español).")
    assert spanish.find("a", string="Letter for the client's doctor")
    assert page(signed_in.get("/review/screenings/2")).find("dt", string="Language") is None
    # The therapist's own record is the clinic's; the letter they hand over, the client's.
    [record] = pdf_text(signed_in.get("/review/screenings/1/record.pdf"))
    assert "Therapist's signature" in record and "Firma" not in record
    letter_page = page(signed_in.get("/review/screenings/1/doctor-letter"))
    assert letter_page.find("a", string="Download the letter (PDF)")
    assert letter_page.select_one("article.letter")["lang"] == "es"
    assert "Puede recibir masajes" in letter_page.select_one("article.letter").get_text()
