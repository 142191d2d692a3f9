"""Issue 11's six kinds of client, on a phone (390 x 844, a touch screen): each fills in the
questionnaire by tapping, checks and signs, and reads what their result page tells them.

What each should see comes from their clinical case (tests/clinical_cases/, its dates moved
so they stand as far from today as from the case's day) and the rule book's own wording:
the outcome's title and next steps, one reason per rule the case expects, the urgent advice
when the case is urgent, and the letter for the doctor when a reason needs one.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from screening.clinic import clinic_today
from screening.red_flags import red_flags
from tests.browser.harness import axe_report, axe_violations
from tests.clinical import clinical_cases

PHONE_TOUCH = {"width": 390, "height": 844}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SIX_CLIENTS = {
    "a fresh strain": ("acute_muscle_strain_or_sprain", "Pulled calf yesterday, swollen"),
    "osteoporosis with an old fracture": (
        "osteoporosis", "Osteoporosis and a wrist plate from a break 2 years ago, healed"),
    "a knee operation 3 weeks ago": ("recent_surgery", "Knee operation 3 weeks ago, wound closed"),
    "a swollen calf after a flight": (
        "dvt_suspected", "Swollen, painful left calf after a long flight"),
    "ringworm on the forearm": (
        "infectious_skin_condition", "Ringworm, not sure it can be covered"),
    "varicose veins": ("varicose_veins", "Large varicose veins on the left calf, no symptoms"),
}


def the_case(stem: str, name: str) -> dict:
    return next(case for file, case in clinical_cases() if file == stem and case["name"] == name)


def moved_to(case: dict, today: date) -> dict:
    """The case's answers with each date as far before `today` as it was before its day."""
    shift = today - case["on"]
    return {qid: (date.fromisoformat(value) + shift).isoformat()
            if isinstance(value, str) and _ISO.match(value) else value
            for qid, value in case["answers"].items()}


class Tapper:
    """A client's thumb on the questionnaire: taps radios, boxes and buttons, types text."""

    def __init__(self, page, rulebook):
        self.page, self.rulebook = page, rulebook
        self.flags = red_flags(rulebook)
        self.urgent_seen: list[str] = []

    def tap_choice(self, question_id: str, value: str) -> None:
        self.page.locator(f'input[name="{question_id}"][value="{value}"]').tap()
        if value in self.flags.get(question_id, ()):
            # before any further input: the urgent advice beside this answer, on screen
            advice = self.page.locator(f".urgent-now[data-red-flag-of='{question_id}'] .urgent")
            expect(advice).to_be_visible()
            expect(advice).to_be_in_viewport()
            assert "Stop: get medical help now" in advice.inner_text()
            self.urgent_seen.append(question_id)

    def type_into(self, selector: str, text: str) -> None:
        field = self.page.locator(selector)
        field.tap()
        if field.get_attribute("type") == "date":
            field.fill(text)  # the date field's own picker is the browser's, not ours
        else:
            self.page.keyboard.type(text)

    def answer(self, question_id: str, value) -> None:
        question = self.rulebook.questions[question_id]
        if isinstance(value, list):
            for item in value:
                self.tap_choice(question_id, item)
        elif question.choices:
            self.tap_choice(question_id, value)
        else:
            self.type_into(f"#{question_id}", str(value))

    def questionnaire(self, answers: dict, then="**/check/*") -> None:
        """Details, then every condition in page order: its answers from the case (main
        question first, follow-ups as they appear), else No; then Continue."""
        for name, text in (("client_name", "Ann Example"), ("date_of_birth", "1980-03-27"),
                           ("phone", "07700 900982"), ("email", "ann@example.com")):
            self.type_into(f"#{name}", text)
        for section in self.rulebook.sections:
            for condition_id in section.conditions:
                if condition_id not in answers:
                    self.tap_choice(condition_id, "no")
                    continue
                for question_id in self.rulebook.conditions[condition_id].questions:
                    if question_id in answers:
                        self.answer(question_id, answers[question_id])
        self.page.get_by_role("button", name="Continue").tap()
        self.page.wait_for_url(then)

    def sign_and_send(self) -> None:
        self.page.locator("#confirm").tap()
        self.type_into("#signature", "Ann Example")
        self.page.get_by_role("button", name="Send my answers").tap()
        self.page.wait_for_url("**/result/*")


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("client_kind", SIX_CLIENTS)
def test_the_client_taps_through_and_sees_their_result(open_page, rulebook, live, client_kind):
    case = the_case(*SIX_CLIENTS[client_kind])
    expected = case["expect"]
    with live.app.app_context():
        answers = moved_to(case, clinic_today())
    client = open_page(viewport=PHONE_TOUCH, has_touch=True, is_mobile=True)
    client.goto("/questionnaire")
    thumb = Tapper(client.page, rulebook)
    thumb.questionnaire(answers)
    assert client.h1() == "Check your answers before sending them"
    thumb.sign_and_send()

    page = client.page
    texts = rulebook.outcomes[expected["outcome"]]
    assert client.outcome_title() == texts["title"]
    assert flat(page.locator("section.next").inner_text()).endswith(flat(texts["next"]))
    rules = {rule.id: rule for rule in rulebook.rules}
    reasons = [flat(item) for item in page.locator(".findings .finding__list li").all_inner_texts()]
    assert len(reasons) == len(expected["rules"]), reasons
    for rule_id in expected["rules"]:
        message = flat(rules[rule_id].client_message)
        assert any(message in reason for reason in reasons), (rule_id, reasons)

    urgent = page.locator("main section.urgent")
    if expected["urgent"]:
        assert thumb.urgent_seen, "no urgent advice while the form was being filled in"
        expect(urgent).to_be_visible()
        assert flat(rulebook.urgent["text"]) in flat(urgent.inner_text())
    else:
        assert thumb.urgent_seen == [] and urgent.count() == 0
    doctor = any(rules[rule_id].outcome == "medical_clearance" for rule_id in expected["rules"])
    letter = page.get_by_role("link", name="Letter for your doctor")
    assert letter.count() == (1 if doctor else 0)


def test_the_clot_client_is_told_before_the_next_question(open_page, rulebook):
    """The swollen calf after a flight: the advice is on screen straight after the tap on
    'Yes', before the next question is answered (Tapper checks it at the tap itself)."""
    client = open_page(viewport=PHONE_TOUCH, has_touch=True, is_mobile=True)
    client.goto("/questionnaire")
    thumb = Tapper(client.page, rulebook)
    assert "yes" in thumb.flags["dvt_suspected"]
    thumb.tap_choice("dvt_suspected", "yes")
    assert thumb.urgent_seen == ["dvt_suspected"]
    next_question = client.page.locator("input[name='pe_symptoms']").first
    assert next_question.is_visible() and not next_question.is_checked()
    assert client.page.locator("input:checked").count() == 1  # nothing else answered yet
    advice = client.page.locator(".urgent-now[data-red-flag-of='dvt_suspected'] .urgent")
    assert advice.bounding_box()["y"] < next_question.bounding_box()["y"]


def test_an_operation_two_years_ago_is_checked_and_then_screened_by_its_date(
        open_page, rulebook, live):
    """The client meant 'Yes' with a date two years ago: the page asks them to check it,
    beside the date; they say it is right, and are not told they are still healing."""
    case = the_case("recent_surgery", "Knee operation 3 weeks ago, wound closed")
    with live.app.app_context():
        today = clinic_today()
    answers = {**moved_to(case, today),
               "surgery_date": (today - timedelta(days=730)).isoformat()}
    client = open_page(viewport=PHONE_TOUCH, has_touch=True, is_mobile=True)
    client.goto("/questionnaire")
    thumb = Tapper(client.page, rulebook)
    thumb.questionnaire(answers, then="**/questionnaire")
    page = client.page
    assert page.locator(".error-summary__title").inner_text() == \
        "A few more questions about your answers"
    note = page.locator("#surgery_date-check")
    expect(note).to_be_visible()
    assert "more than 6 months ago" in note.inner_text()
    violations = axe_violations(page)
    assert not violations, axe_report(violations, "questionnaire asking to check a date")
    date_field = page.locator("#surgery_date")
    date_field.fill((today - timedelta(days=20)).isoformat())  # the note is about that date
    expect(note).to_be_hidden()
    date_field.fill(answers["surgery_date"])
    expect(note).to_be_visible()
    page.locator(".error-summary a").first.tap()  # the summary's link goes to the box
    expect(page.locator("#surgery_date-checked")).to_be_focused()
    page.locator("#surgery_date-checked").tap()
    page.get_by_role("button", name="Continue").tap()
    page.wait_for_url("**/check/*")
    thumb.sign_and_send()
    assert client.outcome_title() == rulebook.outcomes["local"]["title"]
    reasons = flat(page.locator(".findings").inner_text())
    assert "still healing" not in reasons and "not a recent one" in reasons


def test_dates_are_moved_to_stand_as_far_from_today():
    case = {"on": date(2026, 11, 26), "answers": {"strain_when": "2026-11-25", "x": "yes"}}
    assert moved_to(case, date(2027, 1, 2)) == {
        "strain_when": (date(2027, 1, 2) - timedelta(days=1)).isoformat(), "x": "yes"}
