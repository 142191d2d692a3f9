"""A submission with errors: the error summary takes the focus, each of its links moves the
focus to its field, and the answers already given are still there."""

from __future__ import annotations

IN_VIEW = """(e) => { const r = e.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight && r.right > 0
        && r.left < window.innerWidth; }"""


def summary_links(client) -> list[str]:
    return client.page.eval_on_selector_all(
        ".error-summary a", "links => links.map(a => a.getAttribute('href'))")


def assert_summary_focused(client) -> None:
    focused = client.focused()
    assert "error-summary" in focused["classes"], f"focus is on {focused}, not the summary"


def assert_each_link_focuses_its_field(client) -> list[str]:
    links = summary_links(client)
    assert links
    for number, href in enumerate(links):
        link = client.page.locator(".error-summary a").nth(number)
        if number == 0:
            client.page.keyboard.press("Tab")  # from the focused summary to its first link
            assert client.focused()["tag"] == "a"
            client.page.keyboard.press("Enter")
        else:
            link.click()
        focused = client.focused()
        assert focused["id"] == href[1:], f"{href} moved the focus to {focused}"
        assert client.page.locator(href).evaluate(IN_VIEW), f"{href} is not scrolled into view"
    return links


def test_questionnaire_errors_take_focus_and_link_to_fields(visitor, rulebook):
    visitor.goto("/questionnaire")
    visitor.fill_details(client_name="", date_of_birth="2099-01-01")
    visitor.answer_all_no()
    visitor.page.evaluate("() => document.querySelectorAll(\"input[name='osteoporosis']\")"
                          ".forEach(i => { i.checked = false; })")
    visitor.answer({"recent_surgery": "yes", "surgery_what": "Mole removal",
                    "surgery_what_where": ["left_upper_arm"], "varicose_veins": "yes",
                    "vv_location": ["left_calf"], "vv_severity": "small_flat"})
    visitor.press_continue()

    assert visitor.page.title().startswith("Error:")
    assert_summary_focused(visitor)
    links = assert_each_link_focuses_its_field(visitor)
    for expected in ("#client_name", "#date_of_birth", "#osteoporosis-0", "#surgery_date",
                     "#major_surgery-0", "#vv_symptoms_now-0"):
        assert expected in links, (expected, links)

    # what was given is still there, and the follow-ups asked are still open
    page = visitor.page
    assert page.input_value("#phone") == "07700 900982"
    assert page.input_value("#email") == "ann@example.com"
    assert page.input_value("#surgery_what") == "Mole removal"
    for name, value in [("recent_surgery", "yes"), ("surgery_what_where", "left_upper_arm"),
                        ("varicose_veins", "yes"), ("vv_location", "left_calf"),
                        ("vv_severity", "small_flat"), ("fever_acute_illness", "no"),
                        ("heart_condition", "no")]:
        assert page.is_checked(f"input[name='{name}'][value='{value}']"), (name, value)
    assert page.locator("[name='osteoporosis']:checked").count() == 0
    assert page.locator(".conditional[data-follow-up-of='varicose_veins']:visible").count() == 4
    # each field's own message is next to it
    assert "Enter your full name" in page.locator(".field:has(#client_name)").inner_text()


def test_consent_errors_take_focus_and_link_to_fields(visitor):
    visitor.to_check_page()
    visitor.page.fill("#signature", "Ann Example")
    visitor.page.get_by_role("button", name="Send my answers").click()
    visitor.page.wait_for_load_state()

    assert visitor.h1() == "Check your answers before sending them"
    assert summary_links(visitor) == ["#confirm"]
    assert visitor.page.input_value("#signature") == "Ann Example"
    assert_summary_focused(visitor)
    assert_each_link_focuses_its_field(visitor)
