"""A client filling in the forms in a real browser (with the mouse; keyboard-only is in
test_browser_keyboard.py). Fast helpers for getting pages into the states the tests check."""

from __future__ import annotations

from datetime import date, timedelta

from tests.browser.harness import LiveApp
from tests.factories import DETAILS

TODAY = date.today()

#: Answers giving each outcome (and the urgent flag), as the questionnaire would post them.
OUTCOME_CASES = {
    "clear": {},
    "caution": {"osteoporosis": "yes", "recent_fracture": "no", "spine_changes": "no",
                "long_term_steroids": "no"},
    "local": {"varicose_veins": "yes", "vv_location": ["left_calf", "right_calf"],
              "vv_severity": "large_raised", "vv_symptoms_now": "no", "vv_clot_history": "no"},
    "medical_clearance": {"recent_surgery": "yes",
                          "surgery_date": (TODAY - timedelta(days=20)).isoformat(),
                          "surgery_what": "Knee replacement",
                          "surgery_what_where": ["left_knee"], "major_surgery": "yes",
                          "wound_healed": "yes", "wound_problem": "no",
                          "leg_symptoms_since": "no"},
    "postpone": {"infectious_skin_condition": "yes", "skin_what": "impetigo",
                 "skin_where": ["face"], "skin_covered_small": "no", "skin_unwell": "no"},
    "urgent": {"varicose_veins": "yes", "vv_location": ["left_calf"],
               "vv_severity": "large_raised", "vv_symptoms_now": "yes",
               "vv_clot_history": "not_sure"},
}
#: The outcome each case's result page shows (the urgent case is also "postpone").
OUTCOME_OF = {**{name: name for name in OUTCOME_CASES}, "urgent": "postpone"}


class Client:
    """One browser page on the live app, with the steps a client takes."""

    def __init__(self, page, live: LiveApp, base_url: str):
        self.page = page
        self.live = live
        self.rulebook = live.rulebook
        self.base_url = base_url

    # Navigation ---------------------------------------------------------------------------

    def goto(self, path: str, status: int = 200):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == status, (path, response)
        return response

    def h1(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def focused(self) -> dict:
        """What has the keyboard focus: tag, type, id, name, value, classes."""
        return self.page.evaluate("""() => { const e = document.activeElement;
            return {tag: e.tagName.toLowerCase(), type: e.type || null, id: e.id || null,
                    name: e.name || null, value: e.value ?? null, checked: !!e.checked,
                    classes: e.className || '',
                    text: (e.innerText || '').trim().slice(0, 80)}; }""")

    # The questionnaire ----------------------------------------------------------------------

    def main_questions(self) -> list[str]:
        """Each condition's main question, in the order of the page."""
        rulebook = self.rulebook
        return [question_id for section in rulebook.sections
                for condition_id in section.conditions
                for question_id in rulebook.conditions[condition_id].questions
                if rulebook.questions[question_id].parent is None]

    def fill_details(self, **overrides) -> None:
        details = {**DETAILS, **overrides}
        for name, value in details.items():
            self.page.fill(f"#{name}", value)

    def answer_all_no(self) -> None:
        """No to every main question (clicks, so the page's script sees each change)."""
        self.page.evaluate("""(names) => names.forEach((name) => document.querySelector(
            `input[name="${name}"][value="no"]`).click())""", self.main_questions())

    def answer(self, answers: dict) -> None:
        """Answer questions in the given order (main question before its follow-ups)."""
        for question_id, value in answers.items():
            question = self.rulebook.questions[question_id]
            if isinstance(value, list):
                for item in value:
                    self.page.check(f'input[name="{question_id}"][value="{item}"]')
            elif question.type in ("yes_no", "choice"):
                self.page.check(f'input[name="{question_id}"][value="{value}"]')
            else:
                self.page.fill(f"#{question_id}", value)

    def fill_questionnaire(self, answers: dict | None = None, **details) -> None:
        self.goto("/questionnaire")
        self.fill_quickly(answers, **details)

    def fill_quickly(self, answers: dict | None = None, **details) -> None:
        """Details, No to everything, then `answers`: in one step, as setup for other checks.

        Radios and boxes are clicked and text is set with input and change events, so the
        page's script reacts as it would to a person (tests of the form itself use
        `answer`, which goes through Playwright's real mouse and keyboard).
        """
        values = [(f"#{name}", None, value) for name, value in {**DETAILS, **details}.items()]
        values += [(f'input[name="{question_id}"][value="no"]', True, None)
                   for question_id in self.main_questions()]
        for question_id, value in (answers or {}).items():
            question = self.rulebook.questions[question_id]
            if isinstance(value, list) or question.type in ("yes_no", "choice"):
                values += [(f'input[name="{question_id}"][value="{item}"]', True, None)
                           for item in (value if isinstance(value, list) else [value])]
            else:
                values.append((f"#{question_id}", None, value))
        self.page.evaluate("""(values) => values.forEach(([selector, click, value]) => {
            const element = document.querySelector(selector);
            if (!element) { throw new Error(`no ${selector}`); }
            if (element.disabled) { throw new Error(`${selector} is disabled`); }
            if (click) { if (!element.checked) { element.click(); } return; }
            element.value = value;
            element.dispatchEvent(new Event('input', {bubbles: true}));
            element.dispatchEvent(new Event('change', {bubbles: true}));
        })""", values)

    def press_continue(self) -> None:
        self.page.get_by_role("button", name="Continue").click()
        self.page.wait_for_load_state()

    def to_check_page(self, answers: dict | None = None, **details) -> None:
        self.fill_questionnaire(answers, **details)
        self.press_continue()
        assert self.h1() == "Check your answers before sending them", self.error_messages()

    def error_messages(self) -> list[str]:
        return [text.strip() for text in
                self.page.locator(".error-summary a").all_inner_texts()]

    # Check your answers, consent and the result ----------------------------------------------

    def submission_key(self) -> str:
        """The form's submission key, which the stored screening keeps (see LiveApp)."""
        return self.page.input_value("form.consent input[name=submission_key]")

    def send(self, signature: str = "Ann Example") -> str:
        """Confirm and sign on the check page, send, and return the submission key."""
        key = self.submission_key()
        self.page.check("#confirm")
        self.page.fill("#signature", signature)
        self.page.get_by_role("button", name="Send my answers").click()
        self.page.wait_for_url("**/result/*")
        return key

    def outcome_title(self) -> str:
        return self.page.locator(".outcome__title").inner_text().strip()
