"""Issue 11 point 4: a date outside the window its question asks about is checked with the
client beside the date (calmly, not as an error); a client who says it is right goes on,
and is screened by that date."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from screening.clinic import clinic_today
from screening.database import db
from screening.models import Screening
from tests.factories import consent, form_data


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def operation(days_ago: int) -> dict:
    on = clinic_today() - timedelta(days=days_ago)
    return {"recent_surgery": "yes", "surgery_date": on.isoformat(),
            "surgery_what": "Knee replacement", "surgery_what_where": ["left_knee"],
            "major_surgery": "yes", "wound_healed": "yes", "wound_problem": "no",
            "leg_symptoms_since": "no"}


def test_an_operation_two_years_ago_is_checked_beside_the_date(app, client, rulebook):
    with app.app_context():
        data = form_data(rulebook, operation(730))
    response = client.post("/questionnaire", data=data)
    assert response.status_code == 200  # the questionnaire again, not 'check your answers'
    soup = page(response)
    note = soup.select_one("#surgery_date-check")
    assert note.find_previous("input")["id"] == "surgery_date"  # right after the date
    assert note.select_one(".date-check__text").get_text() == (
        "This date is more than 6 months ago, but the question is about operations or "
        "procedures in the last 6 months. Please check the date. If it is right, tick the "
        "box to say so and continue.")
    box = note.select_one("input[type=checkbox][name=dates_checked]")
    assert not box.has_attr("checked")
    assert soup.select_one(".error-summary__title").get_text() == \
        "A few more questions about your answers"
    assert not soup.title.get_text().startswith("Error:")
    assert [(a["href"], a.get_text()) for a in soup.select(".error-summary a")] == [
        ("#surgery_date-checked", "Check the date of the operation or procedure")]
    assert soup.select_one("#surgery_what").get_text() == "Knee replacement"  # answers kept


def test_saying_the_date_is_right_goes_on_and_the_screening_uses_it(app, client, rulebook):
    with app.app_context():
        answers = operation(730)
        data = form_data(rulebook, answers)
        data.add("dates_checked", f"surgery_date={answers['surgery_date']}")
    response = client.post("/questionnaire", data=data)
    assert response.status_code == 303
    check = page(client.get(response.headers["Location"]))
    carried = [field["value"] for field in check.select(
        "form.consent input[name=dates_checked]")]
    assert carried == [f"surgery_date={answers['surgery_date']}"]
    row = check.select_one("button[value=surgery_date]").find_parent("div")
    assert row.select_one(".summary__value").get_text().endswith(
        "(you said this date is right)")
    sent = client.post("/submit", data=consent(data))
    result = page(client.get(sent.headers["Location"]))
    text = result.get_text(" ", strip=True)
    assert "still healing" not in text
    assert "Your operation was more than 6 months ago, so it is not a recent one." in text
    assert result.select_one(".outcome__title").get_text(strip=True) == \
        rulebook.outcomes["local"]["title"]
    with app.app_context():
        stored = db.session.scalars(select(Screening)).one()
        assert [finding["rule"] for finding in stored.findings] == ["recent_surgery_not_recent"]


def test_a_date_inside_the_window_is_not_questioned(app, client, rulebook):
    with app.app_context():
        data = form_data(rulebook, operation(21))
    response = client.post("/questionnaire", data=data)
    assert response.status_code == 303


def test_changing_a_confirmed_date_to_another_old_one_asks_again(app, client, rulebook):
    with app.app_context():
        answers = operation(730)
        data = form_data(rulebook, {**answers, **{"surgery_date": operation(800)[
            "surgery_date"]}})
        data.add("dates_checked", f"surgery_date={answers['surgery_date']}")
    soup = page(client.post("/questionnaire", data=data))
    assert soup.select_one("#surgery_date-check")
    assert not soup.select_one("#surgery_date-checked").has_attr("checked")


def test_the_window_is_counted_to_the_appointment(app, client, rulebook):
    """Five months before today, but more than six before an appointment in two months."""
    with app.app_context():
        today = clinic_today()
        data = form_data(rulebook, operation(150),
                         appointment_date=(today + timedelta(days=61)).isoformat())
    soup = page(client.post("/questionnaire", data=data))
    assert "more than 6 months before your appointment" in soup.select_one(
        "#surgery_date-check").get_text()


def test_a_mistake_and_a_date_to_check_show_together(app, client, rulebook):
    with app.app_context():
        data = form_data(rulebook, operation(730), client_name="")
    soup = page(client.post("/questionnaire", data=data))
    assert soup.select_one(".error-summary__title").get_text() == "There is a problem"
    assert [a["href"] for a in soup.select(".error-summary a")] == [
        "#client_name", "#surgery_date-checked"]
