"""The intake details (rules/intake.yaml) through the client's pages: the questionnaire asks
them, bad ones are refused beside the field and in the summary (every other answer kept),
the check page shows them, and they are stored with the screening without changing it."""

from bs4 import BeautifulSoup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from screening.database import db
from screening.models import Screening
from tests.factories import form_data

#: Lower back (pain 6) and right shoulder (no score); firm pressure; a doctor; an emergency
#: contact. As the form posts them: an area's score as "area:score", a contact's parts in order.
INTAKE = {"visit_reasons": ["pain_tension", "stress"], "visit_goals": "Ease my back",
          "pain_areas": ["lower_back", "right_shoulder", "lower_back:6", "right_shoulder:"],
          "no_touch_areas": ["abdomen"], "pressure": "firm",
          "doctor": ["Dr A Patel", "Riverside Surgery", "01632 960001", ""],
          "doctor_contact_ok": "yes",
          "emergency_contact": ["Sam Example", "Partner", "07700 900123"]}


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def post(client, rulebook, intake=INTAKE):
    return client.post("/questionnaire", data=form_data(rulebook, intake))


def summary(soup):
    return [(item.a["href"], item.get_text(strip=True))
            for item in soup.select(".error-summary__list li")]


def test_the_questionnaire_asks_the_intake_details_in_their_own_sections(client, rulebook):
    soup = page(client.get("/questionnaire"))
    titles = [h2.get_text() for h2 in soup.select("section.section > h2")]
    assert titles[:3] == ["About you", "Your visit", "How you feel today"]
    assert titles[-3:] == ["Your massage preferences", "Your medicines and your doctor",
                           "Emergency contact"]
    visit = soup.select_one("#intake-visit")
    assert [box["value"] for box in visit.select("input[name=visit_reasons]")] == [
        "relaxation", "pain_tension", "injury_recovery", "stress", "sleep", "pregnancy", "other"]
    # Each painful area has its own score list, 0 to 10, named for the area it scores.
    scores = soup.select("select[name=pain_areas]")
    assert len(scores) == len(rulebook.regions)
    lower_back = next(select for select in scores
                      if "lower_back:0" in [option.get("value") for option in select("option")])
    assert [option["value"] for option in lower_back("option")] == [
        "", *(f"lower_back:{score}" for score in range(11))]
    assert "Pain score for Lower back, 0 to 10" in lower_back.parent.get_text(" ", strip=True)
    assert [(label.get_text(), label["for"]) for label in
            soup.select("#intake-emergency .contact-part label")] == [
        ("Name", "emergency_contact-name"), ("Relationship to you",
                                             "emergency_contact-relationship"),
        ("Phone number", "emergency_contact-phone")]
    assert soup.select_one("#doctor-phone")["type"] == "tel"
    assert soup.select_one("#doctor-email")["type"] == "email"


def test_the_intake_details_are_optional(client, rulebook):
    response = post(client, rulebook, {})
    assert response.status_code == 303


def test_the_check_page_shows_them_and_sending_stores_them(app, client, rulebook):
    response = post(client, rulebook)
    assert response.status_code == 303
    check = page(client.get(response.headers["Location"]))
    rows = {row.dt.get_text(" ", strip=True): row.select_one(".summary__value").get_text()
            for row in check.select(".summary__row")}
    questions = rulebook.questions
    assert rows[questions["pain_areas"].text] == "Lower back (pain score 6 of 10), Right shoulder"
    assert rows[questions["pressure"].text] == "Firm"
    assert rows[questions["doctor"].text] == "Dr A Patel, Riverside Surgery, 01632 960001"
    assert rows[questions["emergency_contact"].text] == "Sam Example, Partner, 07700 900123"
    assert rows[questions["focus_areas"].text] == "Not answered"
    form = check.select_one("form[action='/submit']")
    fields = MultiDict([(field["name"], field.get("value", "")) for field in form("input")
                        if field["type"] not in ("checkbox", "submit")
                        and field["name"] not in ("signature", "signed_on")])
    fields.update({"confirm": "y", "signature": "Ann Example",
                   "signed_on": check.select_one("#signed_on")["value"]})
    sent = client.post("/submit", data=fields)
    assert sent.status_code == 303
    with app.app_context():
        [screening] = db.session.scalars(select(Screening)).all()
        assert list(screening.answers["pain_areas"].items()) == [("lower_back", 6),
                                                                 ("right_shoulder", None)]
        assert screening.answers["doctor"] == {"name": "Dr A Patel",
                                               "practice": "Riverside Surgery",
                                               "phone": "01632 960001"}
        assert screening.answers["pressure"] == "firm"
        assert screening.outcome == "clear"  # intake details never change the outcome


def test_a_wrong_phone_number_is_named_beside_the_field_and_in_the_summary(client, rulebook):
    wrong = {**INTAKE, "emergency_contact": ["Sam Example", "Partner", "call me"],
             "doctor": ["", "", "", "not-an-email"]}
    soup = page(post(client, rulebook, wrong))
    assert soup.title.get_text().startswith("Error: ")
    assert summary(soup) == [
        ("#doctor-name", "Enter the email address of your doctor in the correct format, like "
                         "name@example.com"),
        ("#emergency_contact-name", "Enter the phone number of your emergency contact like "
                                    "07700 900 982 or +44 7700 900982")]
    field = soup.select_one("#emergency_contact-phone").find_parent(class_="field")
    assert "field--error" in field["class"]
    assert "Enter the phone number of your emergency contact" in field.select_one(
        ".field-error").get_text()
    # What was typed, and every other answer, is still there.
    assert soup.select_one("#emergency_contact-phone")["value"] == "call me"
    assert soup.select_one("#emergency_contact-name")["value"] == "Sam Example"
    assert soup.select_one("input[name=pressure][value=firm]").has_attr("checked")
    assert soup.select_one("input[name=pain_areas][value=lower_back]").has_attr("checked")
    assert soup.select_one("option[value='lower_back:6']").has_attr("selected")


def test_a_contact_needs_its_name_and_phone(client, rulebook):
    soup = page(post(client, rulebook, {"emergency_contact": ["", "Partner", ""],
                                        "doctor": ["", "", "01632 960001", ""]}))
    assert [message for _anchor, message in summary(soup)] == [
        "Enter the name or practice of your doctor",
        "Enter the name of your emergency contact"]


def test_a_score_out_of_range_is_refused_and_the_areas_are_kept(client, rulebook):
    soup = page(post(client, rulebook, {"pain_areas": ["lower_back", "lower_back:11"]}))
    assert summary(soup) == [("#pain_areas-0", "Choose a pain score from 0 to 10 for Lower back")]
    assert soup.select_one("input[name=pain_areas][value=lower_back]").has_attr("checked")


def test_a_score_for_an_area_not_ticked_is_dropped(client, rulebook):
    response = post(client, rulebook, {"pain_areas": ["neck", "lower_back:4"]})
    check = page(client.get(response.headers["Location"]))
    values = [field["value"] for field in check.select("form[action='/submit'] "
                                                       "input[name=pain_areas]")]
    assert values == ["neck"]


def test_a_contact_posted_with_parts_missing_is_refused(client, rulebook):
    soup = page(post(client, rulebook, {"doctor": ["Dr A Patel"]}))
    assert summary(soup) == [("#doctor-name", "Enter your doctor again: part of it was missing")]
