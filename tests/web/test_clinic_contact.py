"""How a client, and their doctor, reach the clinic: SCREENING_CLINIC_ADDRESS, _PHONE and _EMAIL
on the result page, the records (screen and PDF) and the doctor's letter (screen and PDF).

The printed pages (the browser's own print) are checked in tests/browser/test_browser_contact.py.
"""

import os

import pytest
from bs4 import BeautifulSoup

from screening import create_app
from screening.database import db
from tests.browser.client import OUTCOME_CASES
from tests.factories import consent, form_data, make_app_on, signed_in_therapist
from tests.web.test_printing import pdf_text

ADDRESS = "Unit 3, The Mill\n12 High Street, Bristol BS1 4AA"
CONTACT = {"CLINIC_ADDRESS": ADDRESS, "CLINIC_PHONE": "+44 117 496 0000",
           "CLINIC_EMAIL": "hello@riverside.example"}
ONE_LINE = "Unit 3, The Mill, 12 High Street, Bristol BS1 4AA"
NEEDS_A_DOCTOR = OUTCOME_CASES["medical_clearance"]


@pytest.fixture
def clinic(app):
    """The app, on the same database, with the clinic's contact details set."""
    with_contact = make_app_on(app.config["SQLALCHEMY_DATABASE_URI"], **CONTACT)
    yield with_contact
    with with_contact.app_context():
        db.session.remove()
        db.engine.dispose()


def page(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text_of(element):
    return " ".join(element.get_text(" ").split())


def send(app, rulebook, answers=NEEDS_A_DOCTOR):
    """A client sends the form; their result link."""
    response = app.test_client().post("/submit", data=consent(form_data(rulebook, answers)))
    assert response.status_code == 303
    return response.headers["Location"]


def assert_contact_links(element, inline=False):
    """The address line by line (or on one line), a phone link to dial and an email link to
    write."""
    contact = element.select_one("address.clinic-contact")
    assert contact is not None, text_of(element)
    address = contact.select_one(".clinic-contact__address").get_text()
    lines = [ONE_LINE] if inline else ["Unit 3", "The Mill", "12 High Street", "Bristol BS1 4AA"]
    assert address.split("\n") == lines
    assert contact.select_one("a[href^='tel:']")["href"] == "tel:+441174960000"
    assert contact.select_one("a[href^='tel:']").get_text() == "+44 117 496 0000"
    assert contact.select_one("a[href^='mailto:']")["href"] == "mailto:hello@riverside.example"


def test_the_result_page_says_how_to_contact_the_clinic(clinic, rulebook):
    result = page(clinic.test_client().get(send(clinic, rulebook, OUTCOME_CASES["postpone"])))
    section = result.find("h2", string="Contact us").find_parent("section")
    assert_contact_links(section)
    # printed, the record's header gives it on one line
    header = result.select_one("header.record-header")
    assert f"{ONE_LINE} · Phone +44 117 496 0000 · Email hello@riverside.example" in \
        text_of(header)


def test_the_doctors_letter_says_how_to_reply_to_the_clinic(clinic, rulebook):
    letter = page(clinic.test_client().get(send(clinic, rulebook) + "/doctor-letter"))
    assert_contact_links(letter.select_one(".letter__from"), inline=True)
    reply = text_of(letter.select_one(".letter__reply"))
    assert ("Please tick one and return this letter with the client, or send it to us by email "
            f"to hello@riverside.example or by post to {ONE_LINE}.") in reply
    assert "To talk it over with us, call +44 117 496 0000" in reply


def test_the_doctors_letter_pdf_has_the_clinics_address_phone_and_email(clinic, rulebook,
                                                                      pdf_renderer):
    [text] = pdf_text(clinic.test_client().get(send(clinic, rulebook) + "/doctor-letter.pdf"))
    for expected in ("Unit 3", "12 High Street", "Phone +44 117 496 0000",
                     "Email hello@riverside.example", "by email to hello@riverside.example"):
        assert expected in text, expected


def test_the_records_have_the_clinics_contact_details_on_screen_and_in_the_pdf(
        clinic, rulebook, pdf_renderer):
    link = send(clinic, rulebook)
    [client_copy] = pdf_text(clinic.test_client().get(link + "/record.pdf"))
    therapist = signed_in_therapist(clinic)
    shown = page(therapist.get("/review/screenings/1"))
    section = shown.find("h2", string="The clinic's contact details").find_parent("section")
    assert_contact_links(section)
    [therapist_copy] = pdf_text(therapist.get("/review/screenings/1/record.pdf"))
    for text in (client_copy, therapist_copy):
        assert f"{ONE_LINE} · Phone +44 117 496 0000 · Email hello@riverside.example" in text


def test_without_contact_details_nothing_about_them_is_shown(app, rulebook):
    link = send(app, rulebook)
    client = app.test_client()
    for path in (link, link + "/doctor-letter"):
        shown = page(client.get(path))
        assert shown.select_one(".clinic-contact") is None
        assert shown.find("h2", string="Contact us") is None
    reply = text_of(page(client.get(link + "/doctor-letter")).select_one(".letter__reply"))
    assert "Please tick one and return this letter with the client." in reply
    assert "send it to us" not in reply and "call" not in reply


def test_only_the_details_given_are_shown(app, rulebook):
    phone_only = make_app_on(app.config["SQLALCHEMY_DATABASE_URI"], CLINIC_PHONE="0117 496 0000")
    letter = page(phone_only.test_client().get(send(phone_only, rulebook) + "/doctor-letter"))
    assert text_of(letter.select_one(".letter__from address")) == "Phone 0117 496 0000"
    reply = text_of(letter.select_one(".letter__reply"))
    assert "return this letter with the client. To talk it over with us, call 0117 496 0000" \
        in reply.replace(" .", ".")
    with phone_only.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("phone", "dialled"), [
    ("+44 (0)117 496 0000", "tel:+441174960000"), ("(0117) 496-0000", "tel:01174960000"),
    ("+1 (212) 555-0100", "tel:+12125550100")])
def test_the_phone_link_dials_the_number_as_written(app, rulebook, phone, dialled):
    clinic = make_app_on(app.config["SQLALCHEMY_DATABASE_URI"], CLINIC_PHONE=phone)
    result = page(clinic.test_client().get(send(clinic, rulebook)))
    link = result.select_one("section.contact a[href^='tel:']")
    assert (link["href"], link.get_text()) == (dialled, phone)
    with clinic.app_context():
        db.engine.dispose()


def test_the_therapists_copy_of_the_letter_page_is_not_addressed_to_the_client(clinic, rulebook):
    link = send(clinic, rulebook)
    clients = text_of(page(clinic.test_client().get(link + "/doctor-letter")).main)
    assert "take it to your doctor" in clients
    therapist = signed_in_therapist(clinic)
    therapists = text_of(page(therapist.get("/review/screenings/1/doctor-letter")).main)
    assert "take it to your doctor" not in therapists
    assert "to give the client, for their doctor" in therapists


@pytest.mark.parametrize("case", OUTCOME_CASES)
def test_the_result_page_never_sends_the_client_to_their_result_page(clinic, rulebook, case):
    """The client is on it: "from your result page" would send them looking for another."""
    shown = text_of(page(clinic.test_client().get(send(clinic, rulebook, OUTCOME_CASES[case]))))
    assert "result page" not in shown.lower()


# --- the settings, checked at start-up ----------------------------------------------------------


@pytest.fixture
def no_screening_environment(monkeypatch):
    for key in list(os.environ):
        if key.startswith("SCREENING_"):
            monkeypatch.delenv(key)
    return monkeypatch


def production(tmp_path, **config):
    return {"TESTING": False, "SECRET_KEY": "k3y-0123456789abcdef-0123456789",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **config}


def test_contact_details_come_from_the_environment(tmp_path, no_screening_environment):
    no_screening_environment.setenv("SCREENING_CLINIC_ADDRESS", " 1 Quay Street, Bristol ")
    no_screening_environment.setenv("SCREENING_CLINIC_PHONE", "01174960000")
    no_screening_environment.setenv("SCREENING_CLINIC_EMAIL", "desk@harbour.example")
    app = create_app(production(tmp_path))
    assert (app.config["CLINIC_ADDRESS"], app.config["CLINIC_PHONE"],
            app.config["CLINIC_EMAIL"]) == ("1 Quay Street, Bristol", "01174960000",
                                            "desk@harbour.example")


@pytest.mark.parametrize("given", [{}, {"CLINIC_ADDRESS": "1 Quay Street"},
                                   {"CLINIC_PHONE": "(0117) 496 0000"},
                                   {"CLINIC_EMAIL": "desk@harbour.example"},
                                   {"CLINIC_ADDRESS": "  ", "CLINIC_PHONE": ""}])
def test_each_contact_detail_is_optional(tmp_path, no_screening_environment, given):
    app = create_app(production(tmp_path, **given))
    for key in ("CLINIC_ADDRESS", "CLINIC_PHONE", "CLINIC_EMAIL"):
        assert app.config[key] == ((given.get(key) or "").strip() or None)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("CLINIC_PHONE", "call us", "SCREENING_CLINIC_PHONE='call us' is not a phone number"),
    ("CLINIC_PHONE", "12345", "SCREENING_CLINIC_PHONE='12345' is not a phone number"),
    ("CLINIC_EMAIL", "hello at riverside", "SCREENING_CLINIC_EMAIL='hello at riverside' is not "
                                           "an email address"),
    ("CLINIC_ADDRESS", "x" * 301, "SCREENING_CLINIC_ADDRESS: give the clinic's postal address "
                                  "in at most 300 characters"),
    ("CLINIC_ADDRESS", "1 Quay Street\x00", "SCREENING_CLINIC_ADDRESS"),
])
def test_a_wrong_contact_detail_stops_the_app_from_starting(tmp_path, no_screening_environment,
                                                            key, value, message):
    with pytest.raises(RuntimeError) as caught:
        create_app(production(tmp_path, **{key: value}))
    assert message in str(caught.value)
