"""Done means for the therapist side in a Spanish clinic (SCREENING_LANGUAGE=es): a therapist
goes through every review page, with what makes each page's conditional parts show (flagged
and clear screenings, decisions, a returning client who sent the same answers twice, a merged
record, an invitation, emails that could not be delivered, searches with and without a match,
a capped count, several pages, forms with errors), the printed record and its PDF, the letter
for a doctor, and the alert email: no English is left on any of them, by the same nets as the
client side (tests/web/test_no_english_left.py).

The client answered in English and typed English: what they typed is shown as they typed it
(it is on the page, and taken out of what is scanned). The same pages in an English clinic
are caught by the nets, so the nets would catch English here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import select, update

from screening.clients import new_client
from screening.clinic import rulebook_in
from screening.database import db
from screening.invitations import routes as invitation_routes
from screening.languages import in_language
from screening.mail import COMPOSERS
from screening.outbox import OutboxMessage
from screening.presenters import date_time
from screening.review import routes as review_routes
from screening.sender import deliver_due
from tests.factories import add_screening, add_therapist, make_app_on, sign_in
from tests.web.helpers import CHECK, URGENT_CHECK
from tests.web.test_no_english_left import english_in, page_text
from tests.web.test_printing import pdf_text

TODAY = date.today()
#: What the client typed, in English: shown as typed, so never English left.
TYPED = {"visit_goals": "Ease my lower back after the house move",
         "medicines": "Ibuprofen when the back is sore"}
VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "large_raised",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}
#: An operation 40 days before a screening ten days ago: inside six weeks then, not now.
THEN = TODAY - timedelta(days=10)
SURGERY = {"recent_surgery": "yes", "surgery_date": (THEN - timedelta(days=40)).isoformat(),
           "surgery_what": "Quitar un lunar", "surgery_what_where": ["upper_back"],
           "major_surgery": "no", "wound_healed": "yes", "wound_problem": "no",
           "leg_symptoms_since": "no"}


#: What shows on a page only when its conditional part does: each page has it.
SHOWS = {"sign-in, errors": ".error-summary", "decision, errors": ".error-summary",
         "screening, decided (flash)": "main > .notice[role=status]",
         "screening, returning client": "#since-last-title",
         "screening, sent again": "#copies-title",
         "screening, different today": "#result-today-title",
         "client, merged into (flash)": "main > .notice[role=status]",
         "client, merged": "form[action$='/unmerge']",
         "client, not merged (flash)": "main > .notice[role=status]",
         "invitation, cancelled (flash)": "main > .notice[role=status]",
         "client, candidates": "form[action$='/merge']",
         "invite, errors": ".error-summary", "invite, too long and a formula": ".error-summary",
         "invite, suggestions": "#client-hint",
         "invitation, errors": ".error-summary", "invitation": "#client-link",
         "emails": "form[action$='/retry']", "queue, one client": ".notice[role=note]",
         "queue, no such client": ".notice[role=note]", "sessions": "form[action$='-others']",
         "queue, more than counted": ".pagination", "appointments, second page": ".pagination",
         "emails, second page": ".pagination"}


@pytest.fixture(autouse=True)
def _morning():
    """Today at 09:00 on this machine's clock, so that an appointment later today (18:30)
    is still to come whenever the suite runs."""
    with time_machine.travel(datetime.combine(TODAY, time(9)).astimezone(), tick=True):
        yield


@pytest.fixture
def clinic(app, tmp_path):
    """The app on the test's database as a clinic in a language, with alerts, and a mail
    server that is not there (so emails are not delivered); its connections closed after
    the test (an unclosed PostgreSQL connection warns when it is collected, in whichever
    test that happens)."""
    made = []

    def in_clinic_language(language: str):
        made.append(make_app_on(
            app.config["DATABASE_URL"], LANGUAGE=language,
            LANGUAGES=f"{language},{'en' if language == 'es' else 'es'}",
            CLINIC_NAME="Clínica Río", ALERT_EMAILS="equipo@rio.example",
            MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_TIMEOUT=1,
            MAIL_FROM="Clínica Río <citas@rio.example>",
            BASE_URL="https://rio.example", OUTBOX_FOLDER=str(tmp_path / "outbox")))
        return made[-1]

    yield in_clinic_language
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def seed(app, rulebook) -> dict[str, int]:
    """A returning client (Ana) who answered in English: a clear screening 40 days ago, an
    urgent one today sent twice; another record of her to merge; a client answering in
    Spanish whose operation would not need a doctor's clearance today; a record with
    nothing."""
    with app.app_context():
        ana = new_client("Ana Ejemplo", date_of_birth=date(1980, 3, 27), email="ana@ejemplo.es")
        earlier = add_screening(rulebook, VEINS, client_name="Ana Ejemplo", client=ana,
                                on=TODAY - timedelta(days=40), email="ana@ejemplo.es",
                                language="en")
        earlier.submitted_at = datetime.now(UTC) - timedelta(days=40)
        flagged = add_screening(rulebook, {**URGENT_CHECK, **TYPED}, client_name="Ana Ejemplo",
                                client=ana, email="ana@ejemplo.es", language="en",
                                appointment_date=TODAY + timedelta(days=2))
        again = add_screening(rulebook, {**URGENT_CHECK, **TYPED}, client_name="Ana Ejemplo",
                              client=ana, email="ana@ejemplo.es", language="en",
                              appointment_date=TODAY + timedelta(days=2))
        other = new_client("Ana M. Ejemplo", email="ana.m@ejemplo.es")
        checked = add_screening(rulebook, CHECK, client_name="Ana M. Ejemplo", client=other,
                      email="ana.m@ejemplo.es", language="es")
        then = add_screening(rulebook, SURGERY, on=THEN, client_name="Luis Prueba",
                             client=new_client("Luis Prueba"), language="es")
        nobody = new_client("Eva Nadie")
        db.session.commit()
        return {"ana": ana.id, "other": other.id, "nobody": nobody.id, "earlier": earlier.id,
                "flagged": flagged.id, "again": again.id, "checked": checked.id, "then": then.id}


def scanned(text: str) -> list[str]:
    for typed in TYPED.values():
        text = text.replace(typed, " ")
    return english_in(text)


def english_on_page(response, lang: str = "es") -> list[str]:
    """English left on a page: rule book text marked untranslated, and what the nets find in
    its text and in the attributes a screen reader says."""
    assert response.status_code in (200, 400), response.status_code  # 400: a form's errors
    marked, shown = page_text(response, lang, left_out="script, style, template")
    return marked + scanned(shown)


def therapist_pages(app, rulebook, monkeypatch) -> dict[str, object]:
    """Every page a therapist sees, as they come to it: name -> response (or text)."""
    ids = seed(app, rulebook)
    pages = {}
    signed_out = app.test_client()
    pages["sign-in"] = signed_out.get("/review/sign-in")
    pages["sign-in, errors"] = signed_out.post("/review/sign-in", data={"email": "",
                                                                        "password": ""})
    add_therapist(app)
    elsewhere = app.test_client()
    assert sign_in(elsewhere).status_code == 302
    browser = app.test_client()
    assert sign_in(browser).status_code == 302
    get = browser.get
    flagged, again = (f"/review/screenings/{ids[key]}" for key in ("flagged", "again"))
    pages["decision, errors"] = browser.post(f"{flagged}/decision",
                                             data={"kind": "cleared_by_doctor"})
    decided = browser.post(f"{flagged}/decision", data={
        "kind": "cleared_by_doctor", "note": "Habló con su médica", "cleared_by": "Dra. Ruiz",
        "cleared_on": TODAY.isoformat()}, follow_redirects=True)
    pages["screening, decided (flash)"] = decided
    browser.post(f"/review/screenings/{ids['earlier']}/decision", data={"kind": "go_ahead"})
    pages["screening, returning client"] = get(flagged)
    pages["screening, sent again"] = get(again)
    pages["screening, answered in Spanish"] = get(f"/review/screenings/{ids['checked']}")
    pages["screening, clear"] = get(f"/review/screenings/{ids['earlier']}")
    pages["screening, different today"] = get(f"/review/screenings/{ids['then']}")
    pages["doctor's letter"] = get(f"/review/screenings/{ids['checked']}/doctor-letter")
    merged = browser.post(f"/review/clients/{ids['ana']}/merge", data={"other": ids["other"]},
                          follow_redirects=True)
    pages["client, merged into (flash)"] = merged
    pages["client, merged"] = get(f"/review/clients/{ids['other']}")
    pages["client, not merged (flash)"] = browser.post(
        f"/review/clients/{ids['ana']}/merge", data={"other": ids["other"]},
        follow_redirects=True)  # already merged
    pages["client, no match"] = get(f"/review/clients/{ids['ana']}?q=zzzz")
    pages["client, candidates"] = get(f"/review/clients/{ids['nobody']}?q=Ana")
    pages["client, nothing"] = get(f"/review/clients/{ids['nobody']}")
    pages["clients"] = get("/review/clients")
    pages["clients, found"] = get("/review/clients?q=Ana")
    pages["clients, no match"] = get("/review/clients?q=zzzz")
    pages["invite, form"] = get("/review/invitations/new")
    pages["invite, errors"] = browser.post("/review/invitations/new", data={})
    pages["invite, too long and a formula"] = browser.post("/review/invitations/new", data={
        "client_name": "x" * 101, "email": "ana@ejemplo.es", "note": "=SUMA(A1)",
        "phone": "\t612", "appointment_date": "mañana", "appointment_time": "tarde"})
    pages["invite, a known client"] = get(f"/review/invitations/new?client={ids['ana']}")
    pages["invite, suggestions"] = browser.post("/review/invitations/new", data={
        "client_name": "Ana Ejemplo", "email": "ana@ejemplo.es",
        "appointment_date": (TODAY + timedelta(days=1)).isoformat(),
        "appointment_time": "10:00", "language": "es"})
    for name, email in (("Ana Ejemplo", "ana@ejemplo.es"), ("Pablo Nuevo", "")):
        made = browser.post(f"/review/invitations/new?client={ids['ana']}"
                            if email else "/review/invitations/new", data={
                                "client_name": name, "email": email, "phone": "612 000 333",
                                "client": ids["ana"],
                                "appointment_date": TODAY.isoformat(),
                                "appointment_time": "18:30", "therapist": "Kim Lee",
                                "language": "en", "note": "Prefiere por la tarde"})
        assert made.status_code in (302, 303), made.get_data(as_text=True)[:2000]
    with app.app_context():
        deliver_due()  # the mail server is not there: the emails wait to be tried again
        db.session.execute(update(OutboxMessage).where(OutboxMessage.kind == "alert")
                           .values(status="failed"))  # given up on: tried again on request
        db.session.commit()
        alert = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "alert")).first()
        composed = COMPOSERS["alert"](alert)
        pages["alert email"] = f"{composed.subject} {composed.text} {composed.html}"
    pages["invitation"] = get("/review/invitations/1")
    pages["invitation, no email"] = get("/review/invitations/2")
    pages["invitation, errors"] = browser.post("/review/invitations/1/resend",
                                               data={"email": "not an address"})
    pages["appointments"] = get("/review/appointments")
    pages["emails"] = get("/review/emails")
    pages["queue"] = get("/review/")
    pages["queue, every filter"] = get(
        f"/review/?q=Ana&outcome=medical_clearance&state=reviewed&from={TODAY}&to={TODAY}")
    pages["queue, one client"] = get(f"/review/?client={ids['ana']}")
    pages["queue, no such client"] = get("/review/?client=9999")
    pages["queue, no match"] = get("/review/?q=zzzz")
    pages["audit"] = get("/review/audit")
    pages["sessions"] = get("/review/sessions")
    pages["record (PDF)"] = " ".join(pdf_text(get(f"{flagged}/record.pdf")))
    pages["letter (PDF)"] = " ".join(pdf_text(
        get(f"/review/screenings/{ids['checked']}/doctor-letter.pdf")))
    for module in (review_routes, invitation_routes):
        monkeypatch.setattr(module, "PER_PAGE", 1)
    monkeypatch.setattr(review_routes, "NAME_COUNT_UP_TO", 1)
    pages["queue, more than counted"] = get("/review/?q=Ana&page=2")
    pages["appointments, second page"] = get("/review/appointments?page=2")
    pages["emails, second page"] = get("/review/emails?page=2")
    pages["invitation, cancelled (flash)"] = browser.post("/review/invitations/1/cancel",
                                                          follow_redirects=True)
    for name, selector in SHOWS.items():
        soup = BeautifulSoup(pages[name].get_data(as_text=True), "html.parser")
        assert soup.select_one(selector) is not None, (name, selector)
    return pages


def test_every_therapist_page_of_a_spanish_clinic_has_no_english_left(
        clinic, rulebook, monkeypatch, pdf_renderer):
    spanish = clinic("es")
    with spanish.app_context():
        rulebook = rulebook_in("en")
    pages = therapist_pages(spanish, rulebook, monkeypatch)
    shown = pages["screening, returning client"].get_data(as_text=True)
    assert all(typed in shown for typed in TYPED.values())  # as typed, not translated
    assert "inglés (English)" in shown  # the language the client answered in
    assert [name for name, page in pages.items()
            if getattr(page, "status_code", 200) not in (200, 400)] == []  # 400: errors
    left = {name: english_on_page(page) if hasattr(page, "status_code") else scanned(page)
            for name, page in pages.items()}
    summary = BeautifulSoup(pages["invite, too long and a formula"].get_data(as_text=True),
                            "html.parser").select_one(".error-summary").get_text(" ", strip=True)
    assert "100 caracteres" in summary and "Quite el = del principio" in summary
    failing = {name: found for name, found in left.items() if found}
    assert failing == {}, "\n".join(f"{name}: {found}" for name, found in failing.items())


def test_the_nets_catch_the_same_pages_in_english(clinic, rulebook, monkeypatch, pdf_renderer):
    english = clinic("en")
    with english.app_context():
        rulebook = rulebook_in("en")
    pages = therapist_pages(english, rulebook, monkeypatch)
    missed = [name for name, page in pages.items()
              if not (english_on_page(page, "en-GB") if hasattr(page, "status_code")
                      else scanned(page))]
    assert missed == ["letter (PDF)"]  # the letter is in the client's language: Spanish


def test_a_therapist_s_dates_are_written_in_the_clinic_s_language(app):
    """The queue's, the audit trail's, a decision's: the date written out as the clinic's
    language does, the time as a 24-hour clock, in the clinic's time zone."""
    moment = datetime(2026, 3, 27, 13, 5, tzinfo=UTC)
    app.config["TIMEZONE"] = "Europe/Madrid"  # an hour ahead of UTC in March
    with app.test_request_context("/review/"):
        assert date_time(moment) == "27 March 2026, 14:05"
        with in_language("es"):
            assert date_time(moment) == "27 de marzo de 2026, 14:05"
