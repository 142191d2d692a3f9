"""The intake details on the records: the therapist's screening page and printed record (its
body chart with the client's own areas, one PDF page on A4 and Letter), the client's result
(brief), the doctor's letter addressed to the doctor the client named, and what anonymising
keeps of them."""

import io

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from screening.database import db
from screening.models import Screening
from screening.retention import anonymise_screening
from tests.factories import add_screening, add_therapist, consent, form_data, make_app, sign_in
from tests.web.test_intake_details import INTAKE
from tests.web.test_printing import TYPICAL, flat, pdf_text

#: The same intake details as stored.
STORED = {"visit_reasons": ["pain_tension", "stress"], "visit_goals": "Ease my back",
          "pain_areas": {"lower_back": 6, "right_shoulder": None},
          "no_touch_areas": ["abdomen"], "focus_areas": ["neck"], "pressure": "firm",
          "comfort": "Lying face down hurts my neck", "talk_during": "no",
          "medicines": "Ibuprofen\nSertraline 50 mg",
          "doctor": {"name": "Dr A Patel", "practice": "Riverside Surgery",
                     "phone": "01632 960001"},
          "doctor_contact_ok": "yes",
          "emergency_contact": {"name": "Sam Example", "relationship": "Partner",
                                "phone": "07700 900123"}}


def record(app, rulebook, answers):
    with app.app_context():
        add_screening(rulebook, answers, client_name="Ann Example")


def therapist_page(app, client, path="/review/screenings/1"):
    add_therapist(app)
    sign_in(client)
    return BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")


def test_the_screening_page_shows_the_intake_and_charts_the_clients_areas(app, client,
                                                                          rulebook):
    record(app, rulebook, {**TYPICAL, **STORED})
    soup = therapist_page(app, client)
    intake = {div.dt.get_text(strip=True): div.dd.get_text(strip=True)
              for div in soup.select(".intake-summary__list div")}
    assert intake == {
        "Reasons:": "Pain or tension, Stress", "Goals:": "Ease my back",
        "Pressure:": "Firm", "Comfort:": "Lying face down hurts my neck",
        "Questions during the massage:": "No", "Medicines:": "Ibuprofen; Sertraline 50 mg",
        "Doctor:": "Dr A Patel, Riverside Surgery, 01632 960001",
        "May contact the doctor:": "Yes",
        "Emergency contact:": "Sam Example, Partner, 07700 900123"}
    keys = {key.dt.get_text(" ", strip=True): key.dd.get_text() for key in
            soup.select(".body-chart__key")}
    assert keys == {"Avoid or treat gently": "Upper back or shoulder blades, Lower back, "
                                             "Left calf or shin",
                    "Not to be touched (the client's wish)": "Tummy (abdomen)",
                    "Focus on, or painful": "Neck, Lower back (pain score 6 of 10), Right "
                                            "shoulder"}
    # Each kind drawn on the figures in its own pattern.
    fills = {path["fill"].rsplit("-", 1)[1].rstrip(")") for path in
             soup.select(".body-chart__figures path[fill^='url(']")}
    assert fills == {"avoid", "no_touch", "focus"}


def test_a_chart_shows_for_the_clients_areas_alone(app, client, rulebook):
    record(app, rulebook, {"no_touch_areas": ["left_foot"]})
    soup = therapist_page(app, client)
    assert [key.dt.get_text(" ", strip=True) for key in soup.select(".body-chart__key")] == [
        "Not to be touched (the client's wish)"]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_record_with_the_intake_is_still_one_page(tmp_path, migrated_db, rulebook,
                                                      pdf_renderer, paper):
    path = tmp_path / "paper.sqlite3"
    path.write_bytes(migrated_db.read_bytes())
    app = make_app(path, PAPER_SIZE=paper)
    record(app, rulebook, {**TYPICAL, **STORED})
    client = app.test_client()
    therapist_page(app, client)
    client.post("/review/screenings/1/decision", data={
        "kind": "waiting_for_clearance", "note": "Letter for the GP given"})
    response = client.get("/review/screenings/1/record.pdf")
    (tmp_path / "record.pdf").write_bytes(response.data)
    [text] = pdf_text(response)
    for expected in ("Pressure: Firm", "Doctor: Dr A Patel, Riverside Surgery",
                     "Not to be touched (the client's wish)", "Tummy (abdomen)",
                     "Focus on, or painful", "Lower back (pain score 6 of 10)",
                     "Emergency contact: Sam Example", "Therapist's signature", "Page 1 of 1"):
        assert expected in text, expected


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_letter_is_addressed_to_the_clients_doctor_on_one_page(tmp_path, migrated_db,
                                                                   rulebook, pdf_renderer,
                                                                   paper):
    path = tmp_path / "paper.sqlite3"
    path.write_bytes(migrated_db.read_bytes())
    client = make_app(path, PAPER_SIZE=paper).test_client()
    link = client.post("/submit", data=consent(form_data(rulebook, {**TYPICAL, **INTAKE}))
                       ).headers["Location"]
    letter = BeautifulSoup(client.get(f"{link}/doctor-letter").get_data(as_text=True),
                           "html.parser")
    text = " ".join(letter.get_text(" ").split())
    assert "To: Dr A Patel, Riverside Surgery Dear Dr A Patel," in text
    response = client.get(f"{link}/doctor-letter.pdf")
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1
    [pdf] = pdf_text(response)
    assert "Dear Dr A Patel," in pdf
    [result] = pdf_text(client.get(f"{link}/record.pdf"))  # the client's copy: one page
    assert "Pressure: Firm" in result


def test_a_letter_without_a_named_doctor_says_dear_doctor(client, rulebook):
    link = client.post("/submit", data=consent(form_data(rulebook, TYPICAL))).headers["Location"]
    text = " ".join(BeautifulSoup(client.get(f"{link}/doctor-letter").get_data(as_text=True),
                                  "html.parser").get_text(" ").split())
    assert "Dear doctor," in text and "To:" not in text


def test_the_clients_result_is_brief(client, rulebook):
    link = client.post("/submit", data=consent(form_data(rulebook, INTAKE))).headers["Location"]
    soup = BeautifulSoup(client.get(link).get_data(as_text=True), "html.parser")
    section = soup.select_one(".intake-summary")
    assert section.h2.get_text() == "What you told us about your massage"
    lines = [flat(div.get_text(" ", strip=True)) for div in section.select("dl div")]
    assert lines == ["Reasons: Pain or tension, Stress",
                     "Pain or tightness: Lower back (pain score 6 of 10), Right shoulder",
                     "Not to be touched: Tummy (abdomen)", "Pressure: Firm",
                     "May contact the doctor: Yes"]
    assert "Patel" not in section.get_text()  # contacts and typed words: on the record only


def test_anonymising_drops_contacts_and_free_text_and_keeps_coded_details(app, rulebook):
    with app.app_context():
        screening = add_screening(rulebook, {**TYPICAL, **STORED})
        anonymise_screening(screening, rulebook.questions)
        db.session.commit()
        answers = db.session.get(Screening, screening.id).answers
    for gone in ("doctor", "emergency_contact", "visit_goals", "comfort", "medicines"):
        assert gone not in answers
    assert answers["pain_areas"] == {"lower_back": 6, "right_shoulder": None}
    assert answers["pressure"] == "firm" and answers["no_touch_areas"] == ["abdomen"]
    text = str(answers)
    for word in ("Patel", "01632", "Sam", "07700", "Ibuprofen", "Ease"):
        assert word not in text
