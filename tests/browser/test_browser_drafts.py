"""Save and come back later, in a real browser, with and without JavaScript: a client opens
the questionnaire from an invitation's email (through a real SMTP server), answers half,
saves, closes the browser, opens the same link in a new one to find every answer there,
and sends; from the open questionnaire, the new link is shown once and emailed. axe-core
on the saved page and the resumed questionnaire."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from screening.database import db
from screening.invitations import service
from screening.invitations.validation import InvitationDetails
from screening.models import Draft
from tests.browser import test_browser_invitation_smtp as with_smtp
from tests.browser.harness import axe_report, axe_violations
from tests.invitations.helpers import LINK, deliver

RESUME_LINK = r"https?://[^\s\"<>]+/resume/[A-Za-z0-9_-]{43}"
#: The live app sending through a real SMTP server (aiosmtpd), as for the invitations.
smtp_server, live = with_smtp.smtp_server, with_smtp.live


def invite(live, smtp_server, name: str, email: str) -> str:
    """Invite a client for tomorrow; the link in the email that reaches the SMTP server."""
    before = len(smtp_server.inbox.messages)
    with live.app.app_context():
        service.create(InvitationDetails(
            client_name=name, email=email, phone=None,
            appointment_date=date.today() + timedelta(days=1), appointment_time=time(10, 0),
            therapist="", note=""))
        db.session.commit()
    assert deliver(live.app)["sent"] == 1
    message = smtp_server.inbox.wait_for(before + 1, timeout=10)[-1]
    assert message["To"] == email
    [link] = LINK.findall(message.get_body(preferencelist=("plain",)).get_content())
    return link


def halves(visitor) -> tuple[list[str], list[str]]:
    """The main questions of the first three sections, and of the rest."""
    rulebook = visitor.rulebook
    first = {question_id for section in rulebook.sections[:3]
             for condition_id in section.conditions
             for question_id in rulebook.conditions[condition_id].questions}
    main = visitor.main_questions()
    return [q for q in main if q in first], [q for q in main if q not in first]


def answer_no(visitor, questions: list[str]) -> None:
    for question_id in questions:  # the mouse, as a person does it
        visitor.page.check(f'input[name="{question_id}"][value="no"]')


def save_for_later(visitor) -> None:
    visitor.page.get_by_role("button", name="Save and come back later").click()
    visitor.page.wait_for_load_state()
    assert visitor.h1() == "Your answers are saved"


def save_half(visitor, date_of_birth: str) -> tuple[list[str], list[str]]:
    """On the open questionnaire: the date of birth, No to the first half, then save.
    The questions answered, and the rest."""
    visitor.page.fill("#date_of_birth", date_of_birth)
    answered, rest = halves(visitor)
    answer_no(visitor, answered)
    save_for_later(visitor)
    return answered, rest


def shows_what_was_saved(visitor, name: str, date_of_birth: str, answered: list[str],
                         rest: list[str]) -> None:
    """The resumed questionnaire: the details and each answer as saved, the rest empty."""
    assert visitor.page.input_value("#client_name") == name
    assert visitor.page.input_value("#date_of_birth") == date_of_birth
    for question_id in answered:
        assert visitor.page.is_checked(f'input[name="{question_id}"][value="no"]'), question_id
    for question_id in rest:
        assert not visitor.page.is_checked(f'input[name="{question_id}"][value="no"]')


def no_axe_violations(visitor, where: str) -> None:
    violations = axe_violations(visitor.page)
    assert violations == [], axe_report(violations, where)


def saved_drafts(live) -> int:
    with live.app.app_context():
        return len(db.session.scalars(select(Draft).where(Draft.kind == "saved")).all())


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_from_an_invitation_save_halfway_close_the_browser_resume_and_send(
        open_page, live, smtp_server, javascript):
    name = "Cleo Client" if javascript else "Nell Noscript"
    email = "cleo@example.com" if javascript else "nell@example.com"
    link = invite(live, smtp_server, name, email)
    first = open_page(java_script_enabled=javascript)
    first.page.goto(link)
    answered, rest = save_half(first, "1990-07-14")
    assert first.page.locator("#saved-link").inner_text() == link
    if javascript:
        no_axe_violations(first, "the saved page")
    first.page.context.close()  # the browser is closed

    later = open_page(java_script_enabled=javascript)  # a new profile: nothing but the link
    later.page.goto(link)
    notice = later.page.locator(".notice[aria-label='Your saved answers']")
    assert "Welcome back" in notice.inner_text()
    shows_what_was_saved(later, name, "1990-07-14", answered, rest)
    fourth = later.rulebook.sections[3]
    notice.get_by_role("link", name=f"Carry on from “{fourth.title}”").click()
    assert later.page.url.endswith(f"#section-{fourth.id}")
    if javascript:
        no_axe_violations(later, "the resumed questionnaire")
    answer_no(later, rest)
    later.press_continue()
    assert later.h1() == "Check your answers before sending them", later.error_messages()
    key = later.send(signature=name)
    stored = live.screening(key)
    assert stored.client_name == name and stored.invitation_id is not None
    assert stored.answers == {question_id: "no" for question_id in answered + rest}
    assert saved_drafts(live) == 0


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_from_the_open_form_the_link_is_shown_once_and_emailed(open_page, live, smtp_server,
                                                               javascript):
    email = "ann@example.com" if javascript else "ann.nojs@example.com"
    visitor = open_page(java_script_enabled=javascript)
    visitor.goto("/questionnaire")
    visitor.fill_details(email=email)
    answered, rest = halves(visitor)
    answer_no(visitor, answered)
    save_for_later(visitor)
    shown = visitor.page.locator("#saved-link").inner_text()
    assert f"we are also emailing it to {email}" in visitor.page.locator("main").inner_text()
    if javascript:
        no_axe_violations(visitor, "the saved page")
    visitor.page.context.close()

    before = len(smtp_server.inbox.messages)
    assert deliver(live.app)["sent"] == 1
    message = smtp_server.inbox.wait_for(before + 1, timeout=10)[-1]
    assert message["To"] == email
    [emailed] = re.findall(RESUME_LINK, message.get_body(preferencelist=("plain",)).get_content())
    assert emailed == shown

    later = open_page(java_script_enabled=javascript)
    later.page.goto(emailed)
    assert later.page.input_value("#client_name") == "Ann Example"
    for question_id in answered:
        assert later.page.is_checked(f'input[name="{question_id}"][value="no"]'), question_id
    answer_no(later, rest)
    later.press_continue()
    key = later.send()
    assert live.screening(key).email == email
    gone = later.page.goto(emailed)
    assert gone.status == 404
    assert later.h1() == "These saved answers are no longer here"
