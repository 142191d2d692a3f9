"""Done means for languages (issue 17): a client whose browser is Spanish gets the whole
client side in Spanish, with no English left anywhere: start, the questionnaire with every
follow-up, its errors, check your answers and the declaration, the result, its print and
PDF, the doctor's letter and its PDF, the saved-answers page, a page not found.

Three nets, each catching what the others miss:
- a rule book text shown in English (missing or stale in rules/translations/es.yaml) is
  marked `.untranslated`: none may be on a page;
- every English sentence of the app's catalogue and of the rule book whose Spanish differs
  may not appear in the page's text;
- English words no Spanish sentence uses ("the", "your", "please"...) catch English that is
  in neither, written straight into a template or the code.
The client's own details are Spanish here, as the clinic's name is: free text is shown as
typed, so English typed by a client would rightly stay English.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from bs4 import BeautifulSoup

from screening.clinic import rulebook_in
from screening.rulebook import load_rulebook
from tests.conftest import RULES
from tests.english_left import english_sentences
from tests.factories import consent, form_data
from tests.web.helpers import URGENT_CHECK
from tests.web.test_intake_details import INTAKE
from tests.web.test_printing import pdf_text

#: English words that are not Spanish words: one on a Spanish page is English left.
ENGLISH_WORDS = re.compile(
    r"\b(the|your|you|and|with|please|what|when|where|which|have|has|this|that|for|about|"
    r"will|we|our|are|is|of|to|if|any|been|before|after|yes|not|can|do|don't|it|on|in|at|"
    r"by|from|or|an|be|was|were|they|their|there|here|how|why|who|would|should|could)\b",
    re.IGNORECASE)
DETAILS = {"client_name": "Ana Ejemplo", "email": "ana@ejemplo.es", "phone": "612 345 678"}
SPANISH_INTAKE = {**INTAKE, "visit_goals": "Aliviar la espalda",
                  "doctor": ["Dra. Ruiz", "Centro de Salud Río", "612 000 111", ""],
                  "emergency_contact": ["Sam Ejemplo", "Pareja", "612 000 222"]}
#: Urgent advice, a doctor's clearance (so a letter), areas to avoid, an intake in full.
ANSWERS = {**URGENT_CHECK, "varicose_veins": "yes", "vv_location": ["left_calf"],
           "vv_severity": "large_raised", "vv_symptoms_now": "no", "vv_clot_history": "no",
           **SPANISH_INTAKE}


@pytest.fixture
def app(app):
    app.config["CLINIC_NAME"] = "Clínica Río"
    return app


@pytest.fixture
def spanish(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-ES,es;q=0.9"
    return client


@cache
def rulebook_english() -> frozenset[str]:
    """The rule book's English (as its files have it), cut at its `{parameter}`s, the
    pieces of three words or more: a question, an option, a message shown untranslated."""
    pieces = (" ".join(piece.split()).strip(" ,.:;()")
              for text in load_rulebook(RULES).english.values()
              for piece in re.split(r"\{\w+\}", text))
    return frozenset(piece for piece in pieces if len(piece.split()) >= 3)


#: A web address shown on a page (the saved answers' link): its random token can hold
#: "-aN-" or "_to_", which are not English.
ADDRESS = re.compile(r"https?://\S+")


def english_in(text: str) -> list[str]:
    flat = " ".join(ADDRESS.sub(" ", text).split())
    words = sorted({match.group(0) for match in ENGLISH_WORDS.finditer(flat)})
    sentences = [piece for piece in english_sentences("es") if piece in flat]
    sentences += [piece for piece in rulebook_english() if piece in flat]
    return words + sorted(sentences)


def page_text(response, lang: str = "es",
              left_out: str = "script, style, template, nav.language-switch"
              ) -> tuple[list[str], str]:
    """A page in `lang`: the rule book texts it marks as untranslated, and what it says (its
    text and the attributes a screen reader says), without the parts `left_out`."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.html["lang"] == lang
    marked = [element.get_text() for element in soup.select(".untranslated")]
    for part in soup.select(left_out):
        part.decompose()
    shown = [soup.get_text(" ")]
    shown += [element[attribute] for attribute in ("aria-label", "title", "alt", "placeholder")
              for element in soup.select(f"[{attribute}]")]
    return marked, " ".join(shown)


def english_on_page(response) -> list[str]:
    assert response.status_code in (200, 404), response.status_code
    marked, shown = page_text(response)
    return marked + english_in(shown)


def sent(client, rulebook, answers):
    data = form_data(rulebook, answers, **DETAILS)
    response = client.post("/submit", data=consent(data, signature="Ana Ejemplo"))
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def test_every_client_page_of_a_spanish_journey_has_no_english_left(app, spanish, rulebook,
                                                                   pdf_renderer):
    with app.app_context():
        rulebook = rulebook_in("en")
    assert english_on_page(spanish.get("/")) == []
    assert english_on_page(spanish.get("/questionnaire")) == []  # every follow-up is in it
    wrong = form_data(rulebook, {**ANSWERS, "chest_pain_now": ""}, **{**DETAILS,
                                                                       "client_name": ""})
    assert english_on_page(spanish.post("/questionnaire", data=wrong)) == []
    check = spanish.post("/questionnaire", data=form_data(rulebook, ANSWERS, **DETAILS),
                         follow_redirects=True)
    assert english_on_page(check) == []
    link = sent(spanish, rulebook, ANSWERS)
    result = spanish.get(link)
    assert "urgent" in result.get_data(as_text=True)  # the urgent advice is on it
    assert english_on_page(result) == []
    assert english_on_page(spanish.get(f"{link}/doctor-letter")) == []
    for document in ("record.pdf", "doctor-letter.pdf"):
        pages = pdf_text(spanish.get(f"{link}/{document}"))
        assert english_in(" ".join(pages)) == [], document
    saved = spanish.post("/save", data=form_data(rulebook, ANSWERS, submission_key="s" * 32,
                                                  **DETAILS), follow_redirects=True)
    assert english_on_page(saved) == []
    assert english_on_page(spanish.get("/no-such-page")) == []


def test_each_net_catches_english(app):
    """The journey above would fail on English: each net finds some."""
    with app.app_context():
        question = rulebook_in("en").questions["varicose_veins"].text
        assert question in english_in(f"Pregunta: {question}")  # the rule book's
        assert "Check your answers before sending them" in english_in(
            "Check your answers before sending them")  # the catalogue's
        assert {"from", "the"} <= set(english_in("Signed as Ana (differs from the name)"))
        assert english_in("Su masaje puede seguir adelante, con algunos cambios") == []
        assert english_in("http://localhost/resume/Xy-aN-to_Qz") == []  # an address's token
