"""Sending the form again: the same form lands on the same result; a changed one is kept too.

The form carries a submission key so that a double click, a refresh or a retry stores one
screening. A client who goes back from their result, corrects an answer and sends the form
again (with the same key) must have the correction stored, not silently dropped; and a form
that only borrows someone else's key (read from a copy of the database) must never lead to
that person's result.
"""

from datetime import date, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from screening.database import db
from screening.models import Screening
from tests.factories import form_data

KEY = "r" * 32
VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "small_flat",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def send(client, data, signature="Ann Example"):
    """Fill in the questionnaire with `data`, then sign and send the check page's form as a
    browser would (its hidden fields as they are). Returns the response to the send."""
    check = page(client.post("/questionnaire", data=data, follow_redirects=True))
    form = check.select_one("form[action='/submit']")  # the check page, in any language
    assert form is not None, check.h1.get_text()
    fields = [(field["name"], field.get("value", "")) for field in form.select("input")
              if field["type"] not in ("checkbox", "submit")
              and field["name"] not in ("signature", "signed_on")]
    fields += [("confirm", "y"), ("signature", signature),
               ("signed_on", date.today().isoformat())]
    return client.post("/submit", data=MultiDict(fields))


def screenings(app):
    with app.app_context():
        return db.session.scalars(select(Screening).order_by(Screening.id)).all()


def result_page(client, location):
    response = client.get(location)
    assert response.status_code == 200
    return page(response).get_text(" ", strip=True)


def test_the_same_form_sent_twice_is_stored_once_and_lands_on_the_same_result(app, client,
                                                                            rulebook):
    first = send(client, form_data(rulebook, VEINS, submission_key=KEY))
    again = send(client, form_data(rulebook, VEINS, submission_key=KEY))
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    [screening] = screenings(app)
    assert screening.submission_key == KEY and screening.outcome == "local"


def test_a_corrected_answer_sent_with_the_same_key_is_stored_as_well(app, client, rulebook):
    """Back from the result, the client corrects an answer and sends the form again."""
    first = send(client, form_data(rulebook, VEINS, submission_key=KEY))
    corrected = {**VEINS, "vv_severity": "large_raised", "vv_location": ["right_calf"]}
    second = send(client, form_data(rulebook, corrected, submission_key=KEY))
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] != first.headers["Location"]
    before, after = screenings(app)
    assert (before.answers["vv_severity"], before.answers["vv_location"]) == \
        ("small_flat", ["left_calf"])
    assert (after.answers["vv_severity"], after.answers["vv_location"]) == \
        ("large_raised", ["right_calf"])
    assert after.submission_key not in (KEY, "")
    # each result shows its own answers
    assert "Left calf" in result_page(client, first.headers["Location"])
    assert "Right calf" in result_page(client, second.headers["Location"])
    assert "Left calf" not in result_page(client, second.headers["Location"])
    # a double click on the corrected form stores it once, and lands on its result
    third = send(client, form_data(rulebook, corrected, submission_key=KEY))
    assert third.headers["Location"] == second.headers["Location"]
    # and the first answers sent once more still land on the first result
    fourth = send(client, form_data(rulebook, VEINS, submission_key=KEY))
    assert fourth.headers["Location"] == first.headers["Location"]
    assert len(screenings(app)) == 2


def test_a_changed_detail_or_signature_is_a_new_screening(app, client, rulebook):
    first = send(client, form_data(rulebook, VEINS, submission_key=KEY))
    phone = send(client, form_data(rulebook, VEINS, submission_key=KEY, phone="07700 900123"))
    later = (date.today() + timedelta(days=7)).isoformat()
    visit = send(client, form_data(rulebook, VEINS, submission_key=KEY, appointment_date=later))
    signed = send(client, form_data(rulebook, VEINS, submission_key=KEY), signature="A Example")
    locations = [response.headers["Location"] for response in (first, phone, visit, signed)]
    assert len(set(locations)) == 4
    stored = screenings(app)
    assert [s.phone for s in stored] == ["07700 900982", "07700 900123", "07700 900982",
                                         "07700 900982"]
    assert stored[2].appointment_date == date.today() + timedelta(days=7)
    assert [s.signature for s in stored] == ["Ann Example"] * 3 + ["A Example"]


def test_a_stolen_key_never_leads_to_someone_elses_result(app, client, rulebook):
    """Someone with a copy of the database sends their own form with a victim's key."""
    victim = send(client, form_data(rulebook, VEINS, submission_key=KEY))
    [stored] = screenings(app)
    stolen_key = stored.submission_key
    intruder = app.test_client()
    response = send(intruder, form_data(rulebook, submission_key=stolen_key,
                                        client_name="Eve Intruder", email="eve@example.com"),
                    signature="Eve Intruder")
    assert response.status_code == 303
    assert response.headers["Location"] != victim.headers["Location"]
    shown = result_page(intruder, response.headers["Location"])
    assert "Eve Intruder" in shown and "Ann Example" not in shown
    first, second = screenings(app)
    assert (first.client_name, first.answers["varicose_veins"]) == ("Ann Example", "yes")
    assert (second.client_name, second.answers["varicose_veins"]) == ("Eve Intruder", "no")
