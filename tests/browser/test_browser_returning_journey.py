"""The issue's whole "done means" as one flow, in a real browser, with JavaScript and without:
a therapist invites a new client; the client starts from the link, answers about half,
saves, closes the browser, opens the link again to find every answer there, and sends
(varicose veins in the left calf); a week later (the clock moved with time-machine) the
therapist invites the same client again, picking their record; the client sees "Last time
you told us", keeps every section but one, where the veins are gone; the therapist's page
for the new screening says "Returning client, last screened on ...", shows the change
answer by answer, how the outcome moved, and the client's history. axe-core (a script: with
JavaScript only) on the returning questionnaire and the screening page.

Then one interplay: a returning client who saves on the "has anything changed?" page gets
every answer back from the link, the kept sections' too, and sends a screening that has
them all."""

from __future__ import annotations

from datetime import date, time, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import select

from screening.clinic import clinic_today
from screening.database import db
from screening.invitations import service
from screening.invitations.validation import InvitationDetails
from screening.models import Screening
from tests.browser.harness import axe_report, axe_violations
from tests.browser.test_browser_drafts import (
    answer_no,
    save_for_later,
    save_half,
    shows_what_was_saved,
)
from tests.browser.test_browser_review import DESKTOP, PASSWORD, sign_in
from tests.factories import add_therapist

VEINS = {"vv_location": ["left_calf"], "vv_severity": "large_raised",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}
VEINS_QUESTION = "Do you have varicose veins"


@pytest.fixture(scope="module")
def therapists(live):
    add_therapist(live.app, password=PASSWORD)
    return live


def no_axe_violations(client, where: str) -> None:
    violations = axe_violations(client.page)
    assert violations == [], axe_report(violations, where)


def long_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def invite(therapist, name: str, phone: str, at: str, existing: bool = False) -> str:
    """Appointments, "Invite a client" for tomorrow, as the therapist does it; for a client
    we know, the page asks which record is theirs and the therapist picks it. The link."""
    page = therapist.page
    therapist.goto("/review/")
    page.get_by_role("link", name="Appointments", exact=True).click()
    page.get_by_role("button", name="Invite a client").click()
    page.get_by_label("Client's name").fill(name)
    page.get_by_label("Phone number (optional)").fill(phone)  # the link goes by text
    page.get_by_label("Appointment date").fill((date.today() + timedelta(days=1)).isoformat())
    page.get_by_label("Appointment time").fill(at)
    page.get_by_role("button", name="Save and send the invitation").click()
    if existing:
        assert "Which client is this?" in page.locator("main").inner_text()
        page.get_by_label(f"{name} (client ").check()
        page.get_by_role("button", name="Save and send the invitation").click()
    assert therapist.h1() == name
    return urlsplit(page.get_by_label(f"Link for {name}").input_value()).path


def answer_afresh(client) -> None:
    """No to each main question asked afresh (about today), as a person clicks them."""
    questions = client.rulebook.questions
    for question_id in client.main_questions():
        if questions[question_id].ask_afresh:
            client.page.check(f'input[name="{question_id}"][value="no"]')


def keep_all_but(client, changed: str, javascript: bool) -> None:
    """"No change" for every section asking, "Something has changed" for `changed`: its
    questions show (at once, or after Continue without JavaScript)."""
    page = client.page
    for radio in page.locator('input[data-change-of][value="same"]').all():
        radio.check()
    page.check(f'input[name="change-{changed}"][value="changed"]')
    if not javascript:
        client.press_continue()
        assert "Change what is different below" in page.locator(
            f"#last-time-{changed}").inner_text()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_invited_saved_resumed_sent_and_a_week_later_back_with_one_change(
        open_page, therapists, javascript):
    live = therapists
    name, phone = ("Rosa Return", "07700 900123") if javascript else \
        ("Nina Noscript", "07700 900456")

    # Today: a new client, invited; half answered, saved, the browser closed.
    therapist = open_page(viewport=DESKTOP)
    sign_in(therapist)
    link = invite(therapist, name, phone, "10:00")
    first = open_page(java_script_enabled=javascript)
    first.goto(link)
    assert f"Hello {name}." in first.page.locator(".notice").first.inner_text()
    answered, rest = save_half(first, "1985-05-20")
    first.page.context.close()

    # The link again, in a new browser: every answer there; the rest, then send.
    later = open_page(java_script_enabled=javascript)
    later.goto(link)
    assert "Welcome back" in later.page.locator(
        ".notice[aria-label='Your saved answers']").inner_text()
    shows_what_was_saved(later, name, "1985-05-20", answered, rest)
    answer_no(later, [question_id for question_id in rest if question_id != "varicose_veins"])
    later.page.check('input[name="varicose_veins"][value="yes"]')
    if not javascript:  # the server asks the follow-ups after Continue
        later.press_continue()
        assert "Where are they?" in later.page.locator("main").inner_text()
    later.answer(VEINS)
    later.press_continue()
    assert later.h1() == "Check your answers before sending them", later.error_messages()
    first_key = later.send(signature=name)
    with live.app.app_context():
        first_day = clinic_today()
    first_screening = live.screening(first_key)
    assert first_screening.answers["vv_location"] == ["left_calf"]
    assert first_screening.outcome == "local"

    # A week later: invited again, for the same client's record.
    with time_machine.travel(timedelta(days=7)):
        therapist = open_page(viewport=DESKTOP)
        sign_in(therapist)
        again = invite(therapist, name, phone, "11:00", existing=True)
        assert again != link

        client = open_page(java_script_enabled=javascript)
        client.goto(again)
        page = client.page
        assert f"you last answered these questions on {long_day(first_day)}" in page.locator(
            ".notice").first.inner_text()
        circulation = page.locator("#last-time-circulation")
        assert "Last time you told us" in circulation.inner_text()
        assert "Left calf or shin" in circulation.inner_text()
        assert "Last time you told us" in page.locator("#last-time-bones").inner_text()
        assert not page.locator('input[name="varicose_veins"][value="yes"]').is_visible()
        if javascript:
            no_axe_violations(client, "the returning client's questionnaire")

        answer_afresh(client)
        keep_all_but(client, "circulation", javascript)
        assert page.locator('input[name="varicose_veins"][value="yes"]').is_checked()
        page.check('input[name="varicose_veins"][value="no"]')  # the veins were treated
        client.press_continue()
        assert client.h1() == "Check your answers before sending them", client.error_messages()
        key = client.send(signature=name)
        stored = live.screening(key)
        assert stored.answers["varicose_veins"] == "no"
        assert stored.answers["osteoporosis"] == "no"  # kept: "No change"

        therapist.goto(f"/review/screenings/{stored.id}")
        screen = therapist.page
        since = screen.locator("section", has=screen.locator("#since-last-title"))
        assert since.locator("h2").inner_text().startswith(
            f"Returning client, last screened on {long_day(first_day)}")
        assert "The outcome was Avoid some areas then and is Clear now: less restrictive." \
            in since.inner_text()
        row = since.locator("tbody tr", has_text=VEINS_QUESTION)
        assert row.locator("td").all_inner_texts() == ["Yes", "No"]
        row = since.locator("tbody tr", has_text="Where are they?")
        assert row.locator("td").all_inner_texts() == ["Left calf or shin", "Not answered"]
        assert since.locator("tbody tr", has_text="osteoporosis").count() == 0
        history = screen.locator("section", has=screen.locator("#client-history-title"))
        items = history.locator("li").all_inner_texts()
        assert len(items) == 2, items
        assert "This screening" in items[0] and "Clear" in items[0]
        assert f"Screening sent {long_day(first_day)}" in items[1]
        assert "Avoid some areas" in items[1]
        if javascript:
            no_axe_violations(therapist, "the returning client's screening")


@pytest.fixture
def returning_invitation(therapists, request):
    """A client screened once (varicose veins in the left calf), invited again for their
    record: the second link, and the first screening's answers."""
    live = therapists
    name = f"Sam Saver {request.node.callspec.id}"
    with live.app.app_context():
        invitation = service.create(InvitationDetails(
            name, None, "07700 900789", date.today() + timedelta(days=1), time(9, 0), "", ""))
        db.session.commit()
        first_link = "/start/" + service.link_token(invitation.link_key)
        invitation_id, client_id = invitation.id, invitation.client_id
    live.seed({"varicose_veins": "yes", **VEINS}, opened_first=first_link, client_name=name)
    with live.app.app_context():
        first = db.session.scalars(select(Screening).where(
            Screening.invitation_id == invitation_id)).one()
        answers = dict(first.answers)
        again = service.create(InvitationDetails(
            name, None, "07700 900789", date.today() + timedelta(days=2), time(9, 0), "", "",
            client_id=client_id))
        db.session.commit()
        return "/start/" + service.link_token(again.link_key), answers, name


def is_answered(page, question_id: str, value) -> bool:
    return all(page.is_checked(f'input[name="{question_id}"][value="{item}"]')
               for item in (value if isinstance(value, list) else [value]))


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_returning_client_saves_on_the_has_anything_changed_page_and_gets_it_all_back(
        open_page, returning_invitation, therapists, javascript):
    link, last_time, name = returning_invitation
    client = open_page(java_script_enabled=javascript)
    client.goto(link)
    page = client.page
    assert "Last time you told us" in page.locator("#last-time-circulation").inner_text()
    answer_afresh(client)
    keep_all_but(client, "circulation", javascript)
    page.check('input[name="vv_symptoms_now"][value="no"]')
    page.locator('input[name="vv_location"][value="left_calf"]').uncheck()
    page.locator('input[name="vv_location"][value="right_calf"]').check()
    save_for_later(client)
    page.context.close()

    expected = {**last_time, "vv_location": ["right_calf"]}
    later = open_page(java_script_enabled=javascript)
    later.goto(link)
    assert "Welcome back" in later.page.locator(
        ".notice[aria-label='Your saved answers']").inner_text()
    assert later.page.input_value("#client_name") == name
    missing = [question_id for question_id, value in expected.items()
               if not is_answered(later.page, question_id, value)]
    assert missing == []
    assert not later.page.is_checked('input[name="vv_location"][value="left_calf"]')
    later.press_continue()
    assert later.h1() == "Check your answers before sending them", later.error_messages()
    stored = therapists.screening(later.send(signature=name))
    assert stored.answers == expected
    assert stored.invitation_id is not None
