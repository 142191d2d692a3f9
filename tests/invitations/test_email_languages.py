"""Emails in the client's language: an invitation (and its reminder) in the language the
therapist chose for it, a saved-draft link in the language of the page it was saved on;
the clinic's alert always in the clinic's. Read as a mail program reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from bs4 import BeautifulSoup
from sqlalchemy import select

from screening.database import db
from screening.invitations.models import Invitation
from tests.english_left import english_left
from tests.factories import consent, form_data
from tests.invitations.conftest import TOMORROW, body
from tests.invitations.helpers import deliver, invitations, invite, link_in, page, signed_in
from tests.invitations.test_reminders import IN_THREE_DAYS, appointment, backdate, remind
from tests.invitations.test_saved_drafts import half_done, save
from tests.invitations.test_start_links import make_invitation
from tests.web.test_printing import TYPICAL


def spanish_when(day) -> str:
    return f"{format_date(day, 'full', locale='es')} a las 14:30"  # jueves, 4 de diciembre de 2026


def subject(message) -> str:
    """The subject as a mail program shows it: a long one in UTF-8 is folded onto the next
    line of the header, and Python's parser keeps the space the fold leaves."""
    return " ".join(message["Subject"].split())


def parts(message) -> list[str]:
    return [body(message), body(message, "html")]


def test_an_invitation_in_spanish_is_written_in_spanish(mail_app, smtp):
    therapist = signed_in(mail_app)
    made = invite(therapist, language="es")
    assert made.status_code == 303
    assert invitations(mail_app)[0].language == "es"
    shown = page(therapist.get(made.headers["Location"]))  # the clinic's page, in English
    assert shown.find("dt", string="Language").find_next_sibling("dd").get_text() == \
        "Spanish (español)"
    assert deliver(mail_app)["sent"] == 1
    [message] = smtp.inbox.wait_for(1, timeout=5)
    when = spanish_when(TOMORROW)
    assert subject(message) == f"Su cita del {when}: antes, unas preguntas"
    text, html = parts(message)
    assert f"Tiene una cita en Riverside Massage el {when} con Kim Lee.\n\nAntes de venir" \
        in text.replace("\r\n", "\n")  # a paragraph a line, a blank line between
    assert "Hola, Ann Example:" in text and "Responder al cuestionario" in html
    assert '<html lang="es">' in html
    for part in (text, html, subject(message)):
        assert english_left(page_text(part)) == [], part


def page_text(part: str) -> str:
    """What a reader reads of a part: an HTML part's text, without its markup."""
    return BeautifulSoup(part, "html.parser").get_text(" ") if part.lstrip().startswith("<") \
        else part


def test_the_reminder_of_a_spanish_invitation_is_in_spanish(mail_app, smtp):
    invitation_id, _link = make_invitation(mail_app, day=IN_THREE_DAYS, language="es")
    backdate(mail_app, invitation_id, 5)
    assert remind(mail_app, appointment(mail_app, invitation_id) - timedelta(hours=47)) == 1
    deliver(mail_app)
    reminder = smtp.inbox.to("ann@example.com")[-1]
    assert subject(reminder) == f"Recordatorio: su cita del {spanish_when(IN_THREE_DAYS)}"
    text, html = parts(reminder)
    assert "Todavía no hemos recibido sus respuestas" in text
    for part in (text, html):
        assert english_left(page_text(part)) == []


def test_an_invitation_without_a_language_is_in_the_clinics(mail_app, smtp):
    form = page(signed_in(mail_app).get("/review/invitations/new"))
    assert [(item["value"], item.has_attr("checked")) for item in
            form.find_all("input", {"name": "language"})] == [("en", True), ("es", False)]
    assert "Spanish (español)" in form.get_text(" ")
    invite(signed_in(mail_app))  # as posted before languages: no language field
    assert invitations(mail_app)[0].language == "en"
    deliver(mail_app)
    [message] = smtp.inbox.wait_for(1, timeout=5)
    assert message["Subject"].startswith("Your appointment on ")


def test_a_language_not_offered_is_refused_on_the_form(mail_app):
    response = invite(signed_in(mail_app), language="fr")
    assert response.status_code == 200
    assert "'fr' is not a language the questionnaire is offered in" in page(
        response).select_one(".error-summary").get_text(" ")
    assert invitations(mail_app) == []


@pytest.mark.parametrize(("browser", "opens_in"), [
    (None, "es"), ("es-MX,es;q=0.9", "es"), ("fr-FR", "es"), ("en-GB,en;q=0.9", None)])
def test_the_link_opens_the_clients_pages_in_the_invitations_language(
        app, browser, opens_in):
    """Unless their browser asks for another language the app offers."""
    _invitation_id, link = make_invitation(app, language="es")
    client = app.test_client()
    if browser:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = browser
    assert client.get(link).status_code == 200
    with client.session_transaction() as session:
        assert session.get("language") == opens_in


def test_a_language_chosen_with_the_switch_stays_chosen(app):
    _invitation_id, link = make_invitation(app, language="es")
    client = app.test_client()
    with client.session_transaction() as session:
        session["language"] = "en"  # as the switch leaves it (screening/i18n.py)
    client.get(link)
    with client.session_transaction() as session:
        assert session["language"] == "en"


def test_the_saved_draft_link_is_in_the_language_of_the_page_it_was_saved_on(
        mail_app, smtp, rulebook):
    spanish, english = mail_app.test_client(), mail_app.test_client()
    spanish.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    link, _saved = save(spanish, half_done(rulebook))
    save(english, half_done(rulebook, submission_key="f" * 32, email="bo@example.com"))
    assert deliver(mail_app) == {"sent": 2}
    smtp.inbox.wait_for(2, timeout=10)
    [mine] = smtp.inbox.to("ann@example.com")
    assert subject(mine) == "Sus respuestas guardadas: el enlace para seguir"
    text, html = parts(mine)
    assert link in text and "Seguir con el cuestionario" in html
    assert "Guardamos sus respuestas hasta el final del " in text
    for part in (text, html):
        assert english_left(page_text(part)) == []
    [theirs] = smtp.inbox.to("bo@example.com")
    assert subject(theirs) == "Your saved answers: the link to carry on"


def test_the_clinics_alert_is_in_the_clinics_language_whatever_the_client_spoke(
        mail_app, smtp, rulebook):
    client = mail_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    assert client.post("/submit", data=consent(form_data(rulebook, TYPICAL))).status_code == 303
    deliver(mail_app)
    alerts = smtp.inbox.wait_for(2, timeout=5)
    assert {message["Subject"] for message in alerts} == {"A screening needs your attention"}
    assert "Review it before the appointment" in body(alerts[0])


def test_flask_invite_takes_a_language(mail_app, smtp):
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["invite", "ann@example.com", "--name", "Ann Example",
                                 "--appointment", f"{TOMORROW} 14:30", "--language", "ES"])
    assert result.exit_code == 0, result.output
    wrong = runner.invoke(args=["invite", "bo@example.com", "--name", "Bo", "--appointment",
                                f"{TOMORROW} 15:30", "--language", "fr"])
    assert wrong.exit_code == 2
    assert "--language: 'fr' is not a language the questionnaire is offered in: use en or es" \
        in wrong.output
    deliver(mail_app)
    [message] = smtp.inbox.wait_for(1, timeout=5)
    assert subject(message) == f"Su cita del {spanish_when(TOMORROW)}: antes, unas preguntas"
    assert link_in(message).startswith("/start/")


def test_a_csv_gives_each_client_their_language(mail_app, tmp_path):
    bookings = tmp_path / "bookings.csv"
    bookings.write_text(f"name,email,date,time,language\nAnn,ann@example.com,{TOMORROW},14:30,es"
                        f"\nBo,bo@example.com,{TOMORROW},15:30,\n", encoding="utf-8")
    result = mail_app.test_cli_runner().invoke(args=["invite", "--csv", str(bookings)])
    assert result.exit_code == 0, result.output
    with mail_app.app_context():
        assert db.session.execute(select(Invitation.client_name, Invitation.language)
                                  .order_by(Invitation.id)).all() == [("Ann", "es"),
                                                                      ("Bo", "en")]
    bookings.write_text(f"name,email,date,time,language\nCy,cy@example.com,{TOMORROW},9:30,"
                        "klingon\n", encoding="utf-8")
    wrong = mail_app.test_cli_runner().invoke(args=["invite", "--csv", str(bookings)])
    assert wrong.exit_code == 2
    assert "line 2, language: 'klingon' is not a language the questionnaire is offered in" \
        in wrong.output
