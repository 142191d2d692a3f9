"""The whole questionnaire with the keyboard alone, on a phone-sized screen (375 x 667).

Only Tab, Shift+Tab, Space, the arrow keys and Enter, plus typing into text and date
fields. Radio groups are one Tab stop each; arrow keys choose within a group.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.client import TODAY, Client
from tests.browser.harness import date_keys

#: What has the focus, and whether it shows it: an outline or a box shadow (see site.css).
#: A date field's last Tab stop is Chromium's calendar button inside the field, which has
#: the browser's own focus ring (the field itself then doesn't match :focus).
FOCUSED = """() => { const e = document.activeElement, s = getComputedStyle(e);
    const visible = (e.type === 'date' && !e.matches(':focus'))
        || (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
        || s.boxShadow !== 'none';
    return {tag: e.tagName.toLowerCase(), type: e.type || null, id: e.id || null,
            name: e.name || null, value: e.value ?? null, checked: !!e.checked,
            classes: e.className || '', text: (e.innerText || '').trim().slice(0, 80),
            visible}; }"""


class Keyboard:
    """Moves through the page by Tab / Shift+Tab, checking focus is visible at each stop."""

    def __init__(self, client: Client, date_order: str):
        self.client = client
        self.page = client.page
        self.date_order = date_order
        self.stops: list[dict] = []

    def press(self, key: str) -> dict:
        self.page.keyboard.press(key)
        focused = self.page.evaluate(FOCUSED)
        if key in ("Tab", "Shift+Tab") and focused["tag"] != "body":
            assert focused["visible"], f"no visible focus on {focused}"
        return focused

    def tab_to(self, *, name=None, id=None, value=None, text=None, back=False, limit=250):
        """Press Tab (or Shift+Tab) until the matching element has the focus."""
        key = "Shift+Tab" if back else "Tab"
        for _ in range(limit):
            focused = self.press(key)
            self.stops.append(focused)
            if ((name is None or focused["name"] == name) and (id is None or focused["id"] == id)
                    and (value is None or focused["value"] == value)
                    and (text is None or focused["text"] == text)):
                return focused
        raise AssertionError(f"{key} x{limit} never reached name={name} id={id} "
                             f"value={value} text={text}; last stops: {self.stops[-5:]}")

    def choose(self, name: str, value: str) -> None:
        """In the focused radio group, choose `value` with Space or the arrow keys."""
        focused = self.client.focused()
        assert focused["name"] == name and focused["type"] == "radio", focused
        if focused["value"] == value and not focused["checked"]:
            self.press("Space")
        values = self.page.eval_on_selector_all(
            f'input[name="{name}"]', "inputs => inputs.map(i => i.value)")
        for _ in range(len(values)):
            if self.checked(name) == value:
                return
            self.press("ArrowDown")
        assert self.checked(name) == value, (name, value, self.checked(name))

    def checked(self, name: str) -> str | None:
        return self.page.evaluate(
            "(name) => document.querySelector(`input[name='${name}']:checked`)?.value ?? null",
            name)

    def type_date(self, iso: str) -> None:
        """Type a date into the focused, empty date field, in the browser's field order."""
        self.page.keyboard.type(date_keys(iso, self.date_order))
        assert self.client.focused()["value"] == iso

    def tick(self, name: str, value: str) -> None:
        self.tab_to(name=name, value=value)
        self.press("Space")
        assert self.client.focused()["checked"], (name, value)

    def answer_radio(self, name: str, value: str) -> None:
        self.tab_to(name=name)
        self.choose(name, value)

    def enter_and_wait(self) -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")


@pytest.fixture
def keyboard(visitor, date_order):
    return Keyboard(visitor, date_order)


def start_and_fill_details(visitor: Client, keyboard: Keyboard) -> None:
    visitor.goto("/")
    keyboard.tab_to(text="Start now")
    keyboard.enter_and_wait()
    assert visitor.h1() == "Health questions before your massage"
    first = keyboard.press("Tab")
    assert "skip-link" in first["classes"], "the first Tab stop is the skip link"
    keyboard.tab_to(id="client_name")
    visitor.page.keyboard.type("Ann Example")
    keyboard.tab_to(id="date_of_birth")
    keyboard.type_date("1950-03-27")
    keyboard.tab_to(id="phone")
    visitor.page.keyboard.type("07700 900982")


def sign_and_send(visitor: Client, keyboard: Keyboard) -> str:
    assert visitor.h1() == "Check your answers before sending them", visitor.error_messages()
    key = visitor.submission_key()
    keyboard.tab_to(id="confirm")
    keyboard.press("Space")
    assert visitor.page.is_checked("#confirm")
    keyboard.tab_to(id="signature")
    visitor.page.keyboard.type("Ann Example")
    keyboard.tab_to(text="Send my answers")
    keyboard.enter_and_wait()
    visitor.page.wait_for_url("**/result/*")
    return key


def test_all_no_client_by_keyboard(visitor, keyboard, live, rulebook):
    start_and_fill_details(visitor, keyboard)
    questions = visitor.main_questions()
    assert len(questions) == len(rulebook.conditions)
    keyboard.tab_to(name=questions[0])
    for number, question_id in enumerate(questions):
        if number:
            # exactly one Tab stop per radio group: the next Tab reaches the next question
            focused = keyboard.press("Tab")
            assert (focused["name"], focused["value"]) == (question_id, "yes"), focused
        keyboard.press("ArrowRight")  # Yes -> No, chosen by moving to it
        assert keyboard.checked(question_id) == "no"
    # nothing was opened on the way: every follow-up stays hidden
    assert visitor.page.locator(".conditional:visible").count() == 0

    # Then the intake details (every one optional, left blank), then Continue.
    before = len(keyboard.stops)
    keyboard.tab_to(text="Continue")
    passed = {stop["name"] for stop in keyboard.stops[before:-1]}
    assert passed == {q.id for q in rulebook.questions.values() if q.intake} - {
        "visit_reasons", "visit_goals"}, passed  # (those two come before the health questions)
    keyboard.enter_and_wait()
    key = sign_and_send(visitor, keyboard)

    assert visitor.outcome_title() == rulebook.outcomes["clear"]["title"]
    screening = live.screening(key)
    assert screening.outcome == "clear" and not screening.urgent
    assert screening.answers == {question_id: "no" for question_id in questions}
    assert screening.phone == "07700 900982" and screening.signature == "Ann Example"


def test_client_with_several_conditions_by_keyboard(visitor, keyboard, live, rulebook):
    surgery_on = (TODAY - timedelta(days=20)).isoformat()
    questions = visitor.main_questions()
    conditions = {"recent_surgery", "varicose_veins"}
    start_and_fill_details(visitor, keyboard)

    for question_id in questions:
        keyboard.answer_radio(question_id, "yes" if question_id in conditions else "no")
        if question_id == "recent_surgery":
            # a date, a text, a body area, then yes/no follow-ups
            keyboard.tab_to(id="surgery_date")
            keyboard.type_date(surgery_on)
            keyboard.tab_to(id="surgery_what")
            visitor.page.keyboard.type("Knee arthroscopy")
            keyboard.tick("surgery_what_where", "left_knee")
            keyboard.answer_radio("major_surgery", "no")
            keyboard.answer_radio("wound_healed", "yes")
            keyboard.answer_radio("wound_problem", "no")
            keyboard.answer_radio("leg_symptoms_since", "no")
        elif question_id == "varicose_veins":
            keyboard.tick("vv_location", "left_calf")
            keyboard.tick("vv_location", "right_calf")
            keyboard.answer_radio("vv_severity", "small_flat")
            keyboard.answer_radio("vv_symptoms_now", "no")
            # Shift+Tab back to the previous group to change an answer
            keyboard.tab_to(name="vv_severity", back=True)
            assert visitor.focused()["value"] == "small_flat"
            keyboard.choose("vv_severity", "large_raised")
            keyboard.tab_to(name="vv_symptoms_now")
            assert keyboard.checked("vv_symptoms_now") == "no"
            keyboard.answer_radio("vv_clot_history", "yes")

    keyboard.tab_to(text="Continue")
    keyboard.enter_and_wait()
    key = sign_and_send(visitor, keyboard)

    # recent surgery (check with your doctor) outranks varicose veins (avoid the area)
    assert visitor.outcome_title() == rulebook.outcomes["medical_clearance"]["title"]
    findings = visitor.page.locator(".findings").inner_text()
    for condition_id in ("recent_surgery", "varicose_veins"):
        assert rulebook.conditions[condition_id].name in findings
    areas = visitor.page.locator(".areas").inner_text()
    assert "Left knee" in areas and "Left calf or shin" in areas

    screening = live.screening(key)
    assert screening.outcome == "medical_clearance"
    answers = screening.answers
    assert answers["surgery_date"] == surgery_on
    assert answers["surgery_what"] == "Knee arthroscopy"
    assert answers["surgery_what_where"] == ["left_knee"]
    assert sorted(answers["vv_location"]) == ["left_calf", "right_calf"]
    assert answers["vv_severity"] == "large_raised"
    assert answers["vv_clot_history"] == "yes"
    assert {finding["rule"] for finding in screening.findings} >= {
        "recent_surgery", "varicose_veins", "varicose_veins_clot_history"}
