"""Screenshots of the client's and the therapist's pages at phone and desktop widths.

    .venv/bin/python -m tests.browser.screenshots [OUTPUT_DIR]

Runs the app on a throwaway database and Debian's Chromium (`apt-get install -y
chromium`), and writes PAGE-phone.png and PAGE-desktop.png into docs/screenshots/ (or
OUTPUT_DIR). Not part of the test run.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright

from screening.database import db
from screening.rulebook import load_rulebook
from tests.browser.client import OUTCOME_CASES, Client
from tests.browser.harness import (
    INSTALL_HINT,
    ROOT,
    LiveApp,
    LiveServer,
    chromium_available,
    launch,
    new_context,
)
from tests.factories import add_therapist, make_app

WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
OUTPUT = ROOT / "docs" / "screenshots"
SEVERAL = {**OUTCOME_CASES["local"], **OUTCOME_CASES["medical_clearance"]}


def start(client: Client):
    client.goto("/")
    return {"full_page": True}


def questionnaire(client: Client):
    client.goto("/questionnaire")
    client.fill_details()
    client.page.evaluate("window.scrollTo(0, 0)")
    return {}


def follow_ups(client: Client):
    client.goto("/questionnaire")
    client.answer({"varicose_veins": "yes", "vv_location": ["left_calf"]})
    client.page.evaluate("document.activeElement.blur()")
    return {"element": "#condition-varicose_veins"}


def body_map(client: Client):
    """A body-area question's map, two areas picked."""
    client.goto("/questionnaire")
    client.answer({"acute_muscle_strain_or_sprain": "yes",
                   "strain_where": ["lower_back", "right_shoulder"]})
    client.page.evaluate("""() => { document.activeElement.blur();
        document.querySelector('fieldset:has([name=strain_where])').scrollIntoView(); }""")
    return {}


def pain_map(client: Client):
    """The intake's "where does it hurt" map: two areas tapped, a pain score given."""
    client.goto("/questionnaire")
    client.answer({"pain_areas": ["lower_back", "right_shoulder"]})
    client.page.select_option("select[name=pain_areas]:has(option[value='lower_back:6'])",
                              "lower_back:6")
    client.page.evaluate("""() => { document.activeElement.blur();
        document.querySelector('[name=pain_areas][value=lower_back]').closest('.scored')
            .scrollIntoView({block: 'end'}); window.scrollBy(0, 40); }""")
    return {}


def errors(client: Client):
    client.goto("/questionnaire")
    client.fill_details(client_name="", phone="")
    client.answer_all_no()
    client.answer({"varicose_veins": "yes", "vv_location": ["left_calf"]})
    client.press_continue()
    client.page.evaluate("window.scrollTo(0, 0)")
    return {}


def check_answers(client: Client):
    client.to_check_page(SEVERAL)
    return {}


def result(name: str):
    """The result page of the client `name` (one of CLIENTS), through their own link."""
    def show(client: Client):
        client.goto(client.live.result_links[name])
        return {"full_page": True}
    return show


def sign_in(client: Client):
    client.goto("/review/sign-in")
    return {}


def therapist(path: str, full_page: bool = False):
    """`path` as the therapist the script creates sees it (signed in once, by main)."""
    def show(client: Client):
        client.goto(path)
        return {"full_page": full_page}
    show.signed_in = True
    return show


def printed_record(path: str):
    """The therapist's record of `path` as it prints (the body chart beside the legend)."""
    def show(client: Client):
        client.goto(path)
        client.page.emulate_media(media="print")
        return {"full_page": True}
    show.signed_in = True
    show.widths = ("desktop",)  # a record is printed on paper, not on a phone
    return show


def signed_in_state(browser, base_url: str) -> dict:
    """The cookies of the therapist, signed in through the sign-in page once for all pages,
    so the audit trail shows one sign-in."""
    context = new_context(browser)
    page = context.new_page()
    page.goto(base_url + "/review/sign-in")
    page.get_by_label("Email address").fill(THERAPIST)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/review/")
    state = context.storage_state()
    context.close()
    return state


#: The screenings shown, stored in this order (ids from 1) before any screenshot is taken.
#: What Tess tells us about her massage (the intake details), as the form posts them.
TESS_INTAKE = {"visit_reasons": ["pain_tension"],
               "pain_areas": ["lower_back", "right_shoulder", "lower_back:6"],
               "no_touch_areas": ["abdomen"], "pressure": "firm",
               "doctor": ["Dr A Patel", "Riverside Surgery", "", ""], "doctor_contact_ok": "yes",
               "emergency_contact": ["Sam Typical", "Partner", "07700 900123"]}
CLIENTS = {"Carol Clear": {}, "Tess Typical": {**SEVERAL, **TESS_INTAKE},
           "Uma Urgent": OUTCOME_CASES["urgent"]}
THERAPIST, PASSWORD = "kim@example.com", "correct horse battery"

PAGES = {
    "start": start,
    "questionnaire": questionnaire,
    "questionnaire-follow-ups": follow_ups,
    "questionnaire-errors": errors,
    "questionnaire-body-map": body_map,
    "questionnaire-pain-map": pain_map,
    "check-answers": check_answers,
    "result": result("Tess Typical"),
    "result-urgent": result("Uma Urgent"),
    "review-sign-in": sign_in,
    "review-queue": therapist("/review/"),
    "review-screening": therapist("/review/screenings/2"),
    "record-printed": printed_record("/review/screenings/2"),
    "review-audit": therapist("/review/audit"),
    "review-appointments": therapist("/review/appointments", full_page=True),
    "doctor-letter": therapist("/review/screenings/2/doctor-letter", full_page=True),
}


def seed(live: LiveApp) -> None:
    """The therapist, the clients' screenings, and a decision on the clear one (through the
    app, so the audit trail shows it; the other two stay first in the queue)."""
    add_therapist(live.app, email=THERAPIST, password=PASSWORD)
    links = invite_clients(live)
    live.result_links = {name: live.seed(answers, opened_first=links.get(name),
                                         client_name=name)
                         for name, answers in CLIENTS.items()}
    show_emails_sent(live)
    therapist_browser = live._seeder.test_client()  # the app with CSRF off, as seed() uses
    therapist_browser.post("/review/sign-in", data={"email": THERAPIST, "password": PASSWORD})
    clear = list(CLIENTS).index("Carol Clear") + 1
    response = therapist_browser.post(f"/review/screenings/{clear}/decision", data={
        "kind": "go_ahead", "note": "Checked with Carol at the desk: nothing has changed."})
    assert response.status_code == 303, response.status_code


#: The appointments shown: (client, days from today, time, email or None, what happened).
APPOINTMENTS = [
    ("Carol Clear", 0, "09:30", "carol@example.com", "answered"),
    ("Nina Notyet", 0, "17:00", "nina@example.com", "invited"),
    ("Uma Urgent", 1, "10:00", "uma@example.com", "answered"),
    ("Rita Reminded", 1, "11:30", "rita@example.com", "reminded"),
    ("Sam Started", 1, "14:00", "sam@example.com", "started"),
    ("Ivy Invited", 1, "16:30", "ivy@example.com", "invited"),
    ("Pat Phone", 3, "10:15", None, "invited"),
    ("Dan Bounced", 3, "12:00", "dan@exampel.com", "refused"),
]


def invite_clients(live: LiveApp) -> dict[str, str]:
    """The invitations of APPOINTMENTS; each client's link (its path), by name."""
    from datetime import date, timedelta

    from screening.invitations import service
    from screening.invitations.validation import InvitationDetails, parse_time

    links = {}
    with live.app.app_context():
        for name, days, at, email, _state in APPOINTMENTS:
            invitation = service.create(InvitationDetails(
                client_name=name, email=email, phone=None if email else "07700 900461",
                appointment_date=date.today() + timedelta(days=days),
                appointment_time=parse_time(at), therapist="Kim Lee", note=""))
            db.session.flush()
            links[name] = "/start/" + service.link_token(invitation.link_key)
        db.session.commit()
    return links


def show_emails_sent(live: LiveApp) -> None:
    """Record the emails as they would have gone (the screenshots send none)."""
    from datetime import UTC, datetime

    from screening.invitations.models import Invitation
    from screening.outbox import queue

    states = {name: state for name, *_rest, state in APPOINTMENTS}
    with live.app.app_context():
        for invitation in db.session.scalars(db.select(Invitation)):
            state = states[invitation.client_name]
            if state == "started":
                invitation.opened_at = datetime.now(UTC)
            if state == "reminded":
                queue("reminder", invitation.email, invitation=invitation)
            db.session.flush()
            for message in invitation.messages:
                message.status, message.sent_at = "sent", datetime.now(UTC)
                if state == "refused":
                    message.status, message.attempts = "failed", 1
                    message.last_error = ("The mail server refused the address (dan@exampel.com:"
                                          " 550 5.1.1 no such mailbox). Check the address.")
        db.session.commit()


def main(output: Path = OUTPUT) -> list[Path]:
    if not chromium_available():
        sys.exit(INSTALL_HINT)
    output.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "screening.sqlite3"
        with make_app(path).app_context():
            upgrade()
            db.engine.dispose()
        live = LiveApp(path, load_rulebook(ROOT / "rules"))
        seed(live)
        server = LiveServer()
        server.serve(live.app)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                therapist_state = signed_in_state(browser, server.url)
                for width_name, viewport in WIDTHS.items():
                    for page_name, show in PAGES.items():
                        if width_name not in getattr(show, "widths", WIDTHS):
                            continue
                        signed_in = getattr(show, "signed_in", False)
                        context = new_context(browser, viewport=viewport, **(
                            {"storage_state": therapist_state} if signed_in else {}))
                        client = Client(context.new_page(), live, server.url)
                        how = show(client)
                        target = output / f"{page_name}-{width_name}.png"
                        if "element" in how:
                            client.page.locator(how["element"]).screenshot(path=str(target))
                        else:
                            client.page.screenshot(path=str(target),
                                                   full_page=how.get("full_page", False))
                        context.close()
                        saved.append(target)
                        print(target.relative_to(ROOT) if target.is_relative_to(ROOT)
                              else target)
                browser.close()
        finally:
            server.stop()
            live.close()
    return saved


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else OUTPUT)
