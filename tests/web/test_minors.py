"""Age: a date of birth today or later is refused; a client under SCREENING_MINIMUM_AGE
needs a parent or guardian, who signs, and the therapist sees who consented."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from screening import create_app
from screening.settings import SettingsError
from tests.factories import SECRET, consent, form_data

TODAY = date.today()


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def born_years_ago(years: int) -> str:
    try:
        return TODAY.replace(year=TODAY.year - years).isoformat()
    except ValueError:  # 29 February
        return (TODAY.replace(year=TODAY.year - years, day=28)).isoformat()


@pytest.mark.parametrize("born", [TODAY, TODAY + timedelta(days=1)])
def test_a_date_of_birth_today_or_later_is_refused(client, rulebook, born):
    soup = page(client.post("/questionnaire",
                            data=form_data(rulebook, date_of_birth=born.isoformat())))
    assert [a.get_text() for a in soup.select(".error-summary a")] == [
        "Your date of birth must be in the past"]


def test_a_child_needs_a_guardian_who_signs(app, client, rulebook, signed_in):
    check = page(client.post("/questionnaire", follow_redirects=True,
                             data=form_data(rulebook, date_of_birth=born_years_ago(6))))
    assert "A parent or guardian signs for you" in check.get_text()
    assert check.select_one("label[for='signature']").get_text(strip=True) == \
        "Parent or guardian: type your full name to sign"

    sent = consent(form_data(rulebook, date_of_birth=born_years_ago(6)), signature="Jo Example")
    refused = page(client.post("/submit", data=sent))
    assert [a.get_text() for a in refused.select(".error-summary a")] == [
        "Enter the full name of your parent or guardian",
        "Enter how your parent or guardian is related to you, for example mother"]

    sent.update({"guardian_name": "Jo Example", "guardian_relationship": "mother"})
    response = client.post("/submit", data=sent)
    assert response.status_code == 303
    record = page(client.get("/review/screenings/1")).get_text(" ", strip=True)
    assert "minor, consent by Jo Example (mother)" in record
    csv = client.get("/review/export.csv").get_data(as_text=True)
    assert '"consent"' in csv.splitlines()[0]
    assert '"minor, consent by Jo Example (mother)"' in csv


def test_an_adult_signs_alone(client, rulebook, signed_in):
    check = page(client.post("/questionnaire", follow_redirects=True,
                             data=form_data(rulebook, date_of_birth=born_years_ago(18))))
    assert check.select_one("#guardian_name") is None
    assert client.post("/submit", data=consent(form_data(
        rulebook, date_of_birth=born_years_ago(18)))).status_code == 303
    assert "consent by" not in page(client.get("/review/screenings/1")).get_text()


def test_the_minimum_age_is_a_checked_setting(tmp_path):
    with pytest.raises(SettingsError, match="SCREENING_MINIMUM_AGE='eighteen'"):
        create_app({"TESTING": True, "SECRET_KEY": SECRET, "MINIMUM_AGE": "eighteen",
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
