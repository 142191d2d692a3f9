"""A question type added here, in the test, as a clinic would add one: one QuestionType class
and one macro, and nothing else changed. It works end to end: the rule book loads it, the
questionnaire shows it (with its own messages), check-your-answers and the therapist's record
read it, the screening stores and screens it, FHIR writes and reads it, anonymising keeps it.
"""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from bs4 import BeautifulSoup
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from jinja2 import ChoiceLoader, DictLoader
from werkzeug.datastructures import MultiDict

from screening import fhir
from screening.answers import normalise
from screening.database import db
from screening.engine import evaluate
from screening.intake.forms import posted_answers
from screening.models import Screening
from screening.retention import anonymise_screening
from screening.rulebook import load_rulebook
from screening.rulebook.question_types import AnswerError, QuestionType, register, unregister
from tests.engine.rulebook_builder import CONDITIONS, INDEX, write_rulebook
from tests.factories import add_therapist, consent, form_data, make_app


class PainScore(QuestionType):
    """How strong a pain is, 0 to 10, picked from a row of eleven buttons."""

    name, macro, template = "pain_score", "pain_score_question", "pain_score.html"
    operators = frozenset({"answered", "at_least", "below"})
    grouped = True
    missing = "Select how strong {short} is"
    unreadable = "Select how strong {short} is, from 0 to 10"
    fhir_type, fhir_value, fhir_reads = "integer", "valueInteger", ("valueInteger",)

    def parse(self, question, text):
        if not text.isdigit():
            raise AnswerError(self.unreadable_message(question))
        return int(text)

    def check(self, question, value, today):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise AnswerError(self.unreadable_message(question))
        return value

    def display(self, question, value):
        return f"{value} out of 10"


MACRO = """\
{% macro pain_score_question(field, q, disabled=false, region_groups=none) %}
  <fieldset class="fieldset pain-scale">
    <legend class="legend">{{ q.text }}</legend>
    {% if field.errors %}<p class="field-error">{{ field.errors[0] }}</p>{% endif %}
    {% for score in range(11) %}
    <label class="choice"><input type="radio" name="{{ field.name }}" value="{{ score }}"
      {%- if loop.first %} id="{{ field.name }}-0"{% endif %}
      {%- if field.data == score %} checked{% endif %}
      {%- if disabled %} disabled{% endif %}> {{ score }}</label>
    {% endfor %}
  </fieldset>
{% endmacro %}
"""

PAIN_TODAY = """\
id: pain_today
name: Pain today
reviewed: 2026-11-26

questions:
  - id: pain_today
    text: Are you in pain today?
    short: pain today
    type: yes_no
  - id: pain_score
    text: How strong is the pain, from 0 (none) to 10 (the worst you can imagine)?
    short: the pain
    type: pain_score

rules:
  - id: pain_today
    outcome: caution
    client_message: Your therapist will ask about your pain first.
    therapist_action: Ask where and how it hurts; lighter pressure.
    source: Test rule book.
  - id: pain_severe
    when: {q: pain_score, at_least: 7}
    outcome: medical_clearance
    client_message: Pain this strong should be checked by your doctor first.
    therapist_action: Severe pain today. Clearance first.
    source: Test rule book.
"""
SECTION = "  - id: pain\n    title: Pain\n    conditions: [pain_today]\n"
PAIN = {"pain_today": "yes", "pain_score": "8"}


@pytest.fixture
def pain_score():
    register(PainScore)
    yield PainScore
    unregister(PainScore.name)


@pytest.fixture
def rulebook(tmp_path, pain_score):
    folder = write_rulebook(tmp_path / "rules", INDEX + SECTION,
                            {**CONDITIONS, "pain_today": PAIN_TODAY})
    return load_rulebook(folder)


@pytest.fixture
def app(tmp_path, migrated_db, rulebook):
    shutil.copy(migrated_db, tmp_path / "db.sqlite3")
    app = make_app(tmp_path / "db.sqlite3", RULEBOOK=rulebook.path)
    app.jinja_loader = ChoiceLoader([DictLoader({"pain_score.html": MACRO}), app.jinja_loader])
    return app


def page(response):
    assert response.status_code in (200, 503), response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def questionnaire_post(client, rulebook, answers):
    return page(client.post("/questionnaire", data=form_data(rulebook, answers),
                            follow_redirects=True))


def test_the_rule_book_loads_the_new_type(rulebook):
    question = rulebook.questions["pain_score"]
    assert question.kind.name == "pain_score" and question.parent == "pain_today"
    assert [rule.id for rule in rulebook.conditions["pain_today"].rules] == ["pain_today",
                                                                             "pain_severe"]


def test_the_questionnaire_shows_it_with_its_macro(client):
    soup = page(client.get("/questionnaire"))
    scale = soup.select_one(".conditional[data-follow-up-of='pain_today'] .pain-scale")
    assert scale is not None
    assert [box["value"] for box in scale.select("input[name='pain_score']")] == [
        str(score) for score in range(11)]


@pytest.mark.parametrize(("score", "message"), [
    (None, "Select how strong the pain is"),
    ("11", "Select how strong the pain is, from 0 to 10"),
    ("strong", "Select how strong the pain is, from 0 to 10"),
])
def test_its_own_messages_sit_by_the_field_and_in_the_summary(client, rulebook, score,
                                                              message):
    answers = {"pain_today": "yes"} if score is None else {**PAIN, "pain_score": score}
    soup = questionnaire_post(client, rulebook, answers)
    assert [(link["href"], link.get_text()) for link in soup.select(".error-summary a")] == [
        ("#pain_score-0", message)]
    assert soup.select_one(".pain-scale .field-error").get_text() == message
    assert soup.select_one("input[name='pain_today'][value='yes']").has_attr("checked")


def test_its_answer_is_kept_when_something_else_is_wrong(client, rulebook):
    soup = questionnaire_post(client, rulebook, {**PAIN, "varicose_veins": "yes"})
    assert soup.select_one(".error-summary") is not None
    assert soup.select_one("input[name='pain_score'][value='8']").has_attr("checked")


def test_check_your_answers_reads_it_and_the_post_is_read_alike(client, rulebook):
    soup = questionnaire_post(client, rulebook, PAIN)
    assert soup.h1.get_text() == "Check your answers before sending them"
    row = next(row for row in soup.select(".summary__row")
               if row.dt.get_text() == rulebook.questions["pain_score"].text)
    assert row.select_one(".summary__value").get_text() == "8 out of 10"
    assert row.button["value"] == "pain_score-0"
    carried = MultiDict((field["name"], field["value"])
                        for field in soup.select("form.consent input[type='hidden']"))
    assert carried.getlist("pain_score") == ["8"]
    assert posted_answers(rulebook, carried, date.today())["pain_score"] == 8


def test_it_is_stored_screened_and_shown_on_the_record(app, client, rulebook):
    response = client.post("/submit", data=consent(form_data(rulebook, PAIN)))
    assert response.status_code == 303
    result = page(client.get(response.headers["Location"]))
    assert result.select_one(".outcome__title").get_text(strip=True) == \
        rulebook.outcomes["medical_clearance"]["title"]
    with app.app_context():
        screening = db.session.get(Screening, 1)
        assert screening.answers["pain_score"] == 8
        assert [f["rule"] for f in screening.findings] == ["pain_severe", "pain_today"]

    add_therapist(app)
    client.post("/review/sign-in", data={"email": "kim@example.com",
                                         "password": "correct horse battery"})
    record = page(client.get("/review/screenings/1"))
    row = next(row for row in record.select(".summary__row")
               if row.dt.get_text() == rulebook.questions["pain_score"].text)
    assert row.dd.get_text() == "8 out of 10"
    letter = client.get("/review/screenings/1/doctor-letter").get_data(as_text=True)
    assert "8 out of 10" in letter


def test_fhir_writes_it_and_reads_it_back(app, client, rulebook):
    client.post("/submit", data=consent(form_data(rulebook, PAIN)))
    add_therapist(app)
    client.post("/review/sign-in", data={"email": "kim@example.com",
                                         "password": "correct horse battery"})
    questionnaire = json.loads(client.get("/review/questionnaire.fhir.json").get_data())
    FhirQuestionnaire.model_validate(questionnaire)
    items = {item["linkId"]: item for group in questionnaire["item"] for item in group["item"]}
    assert items["pain_score"]["type"] == "integer"
    response = json.loads(client.get("/review/screenings/1/fhir.json").get_data())
    FhirResponse.model_validate(response)
    answered = {item["linkId"]: item["answer"] for group in response["item"]
                for item in group["item"]}
    assert answered["pain_score"] == [{"valueInteger": 8}]

    raw, problems = fhir.answers_from_response(rulebook, response)
    assert problems == {} and raw["pain_score"] == 8
    answers, problems = normalise(rulebook, raw, date.today())
    assert problems == {}
    assert evaluate(rulebook, answers, date.today()).outcome == "medical_clearance"


def test_anonymising_keeps_its_answer(app, client, rulebook):
    client.post("/submit", data=consent(form_data(rulebook, PAIN)))
    with app.app_context():
        screening = db.session.get(Screening, 1)
        anonymise_screening(screening, rulebook.questions)
        assert screening.answers["pain_score"] == 8
        assert screening.client_name == "Anonymised"
