"""Printing in a real browser: print emulation of the therapist's record, the client's result
and the doctor's letter, and Chromium's own PDF of them on A4 and US Letter, read back page by
page (what a printer would get from the browser's Print command)."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader

from tests.browser.client import OUTCOME_CASES
from tests.browser.test_browser_review import DESKTOP, PASSWORD, TYPICAL, sign_in
from tests.factories import add_therapist
from tests.web.test_printing import LONG, NEEDS_A_DOCTOR, REPLY, needing_a_doctor

PAPERS = ("A4", "Letter")
#: Long records: the LONG case plus this many more conditions.
LONGER = (0, 3, 6, 9)
#: A two-line note, as a therapist types it.
NOTE = ("Sent her to her GP today about the painful, swollen calf.\n"
        "Rebook once the GP has seen her; letter for the doctor given.")
#: Client names, in the order their screenings are stored (screening ids from 1).
CLIENTS = {"Tess Typical": TYPICAL, "Uma Urgent": OUTCOME_CASES["urgent"],
           "Dora Doctor": OUTCOME_CASES["medical_clearance"],
           **{f"Lena Long{count}": {**LONG, **needing_a_doctor(count)} for count in LONGER},
           **{f"Many Letter{count}": needing_a_doctor(count)
              for count in range(3, len(NEEDS_A_DOCTOR) + 1)}}
ID = {name: number for number, name in enumerate(CLIENTS, start=1)}
#: What a printed page must not show.
SCREEN_ONLY = ("nav", ".site-header", ".site-footer", ".skip-link", "button", ".button",
               ".link-button", ".no-print", "form")


@pytest.fixture(scope="module")
def seeded(live):
    add_therapist(live.app, password=PASSWORD)
    links = {name: live.seed(answers, client_name=name) for name, answers in CLIENTS.items()}
    live.result_links = links
    return live


@pytest.fixture
def therapist(open_page, seeded):
    client = open_page(viewport=DESKTOP)
    sign_in(client)
    return client


@pytest.fixture
def desk(open_page, seeded):
    """A desktop browser, not signed in: a client printing at home."""
    return open_page(viewport=DESKTOP)


def wait_for_print_styles(page) -> None:
    """Print-only style sheets load without blocking the page: wait for them."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('link[rel=stylesheet]')].every(link => link.sheet)")


def printed(page, paper: str) -> list[str]:
    """Chromium's PDF of the page on `paper` (print media): each page's text, on one line
    (ligatures such as "ﬁ" spelt out)."""
    wait_for_print_styles(page)
    reader = PdfReader(io.BytesIO(page.pdf(format=paper)))
    return [flat(unicodedata.normalize("NFKC", sheet.extract_text())) for sheet in reader.pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_nothing_screen_only_is_printed(page) -> None:
    wait_for_print_styles(page)
    page.emulate_media(media="print")
    try:
        for selector in SCREEN_ONLY:
            shown = [element for element in page.locator(selector).all()
                     if element.is_visible()]
            assert not shown, f"{selector} is printed: {shown}"
    finally:
        page.emulate_media(media=None)


def test_printed_screening_hides_navigation_and_keeps_the_record(therapist):
    page = therapist.page
    therapist.goto(f"/review/screenings/{ID['Tess Typical']}")
    assert_nothing_screen_only_is_printed(page)
    page.emulate_media(media="print")
    for selector in (".decision", "#answers-title", "#audit-title"):
        assert not page.locator(selector).is_visible(), f"{selector} is printed"
    for selector in (".record-header", ".outcome", ".findings", ".areas", ".body-chart__figures",
                     ".record-decision", ".signatures"):
        assert page.locator(selector).is_visible(), f"{selector} is not printed"
    text = page.locator("body").inner_text()
    for expected in ("Tess Typical", "Riverside Massage", "Client's signature",
                     "Therapist's signature", therapist.rulebook.version):
        assert expected in text


@pytest.mark.parametrize("paper", PAPERS)
def test_chromium_prints_a_typical_screening_on_one_page(therapist, paper):
    therapist.goto(f"/review/screenings/{ID['Tess Typical']}")
    pages = printed(therapist.page, paper)
    assert len(pages) == 1, pages
    assert "Tess Typical, born 27 March 1980" in pages[0]  # the running footer
    assert "Page 1 of 1" in pages[0]
    assert "Osteoporosis or fragile bones" in pages[0] and "Varicose veins" in pages[0]
    assert "Body chart" in pages[0] and "Avoid or treat gently" in pages[0]


def test_a_flagged_screening_with_a_decision_and_a_note_prints_on_one_page(therapist):
    """The therapist opens the urgent screening, records "waiting for the doctor" with a
    two-line note, and prints: one page on A4 and on US Letter, signature lines included."""
    page = therapist.page
    therapist.goto(f"/review/screenings/{ID['Uma Urgent']}")
    page.get_by_label("Waiting for doctor's clearance").check()
    page.get_by_label("Note (optional)").fill(NOTE)
    page.get_by_role("button", name="Save decision").click()
    assert "Decision recorded." in page.locator(".notice").inner_text()
    rulebook = therapist.rulebook
    for paper in PAPERS:
        pages = printed(page, paper)
        assert len(pages) == 1, f"{paper}: {len(pages)} pages, the last: {pages[-1]!r}"
        text = pages[0]
        for expected in ("Riverside Massage", "Uma Urgent", flat(rulebook.urgent["title"]),
                         flat(rulebook.outcomes["postpone"]["title"]), "Varicose veins",
                         "Waiting for doctor's clearance by Kim Lee", *NOTE.split("\n"),
                         rulebook.version, "Client's signature", "Therapist's signature",
                         "Uma Urgent, born 27 March 1980", "Page 1 of 1"):
            assert expected in text, f"{paper}: {expected!r} is not printed"


def letter_paths(seeded, name: str) -> dict[str, str]:
    return {"client": seeded.result_links[name] + "/doctor-letter",
            "therapist": f"/review/screenings/{ID[name]}/doctor-letter"}


#: Every element with its own text, and how it prints: colour, background, font size.
PRINTED_TEXT = """() => [...document.querySelectorAll('main *')].filter((e) =>
    e.checkVisibility() && [...e.childNodes].some((n) => n.nodeType === 3 && n.data.trim())
).map((e) => { const s = getComputedStyle(e); let background = 'rgba(0, 0, 0, 0)';
    for (let a = e; a && background === 'rgba(0, 0, 0, 0)'; a = a.parentElement) {
        background = getComputedStyle(a).backgroundColor; }
    return {element: e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''),
            text: e.textContent.trim().slice(0, 40), color: s.color, background,
            points: parseFloat(s.fontSize) * 72 / 96}; })"""
WHITE = {"rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"}


@pytest.mark.parametrize("where", ["therapist's record", "client's result", "doctor's letter"])
def test_printed_pages_are_black_on_white_and_at_least_10pt(request, seeded, where):
    if where == "therapist's record":
        person = request.getfixturevalue("therapist")
        person.goto(f"/review/screenings/{ID['Uma Urgent']}")
    else:
        person = request.getfixturevalue("desk")
        person.goto(seeded.result_links["Uma Urgent"] if where == "client's result"
                     else letter_paths(seeded, "Dora Doctor")["client"])
    page = person.page
    wait_for_print_styles(page)
    page.emulate_media(media="print")
    texts = page.evaluate(PRINTED_TEXT)
    if where != "doctor's letter":
        assert any(text["element"] == "span.finding__areas" for text in texts)
    grey = [text for text in texts if text["color"] != "rgb(0, 0, 0)"]
    assert not grey, f"printed in colour or grey: {grey}"
    shaded = [text for text in texts if text["background"] not in WHITE]
    assert not shaded, f"printed on a background: {shaded}"
    small = [text for text in texts if text["points"] < 9.99]  # 10pt is 13.33 px
    assert not small, f"printed smaller than 10pt: {small}"


@pytest.mark.parametrize("paper", PAPERS)
def test_long_records_break_between_findings_with_the_name_on_every_page(therapist, paper):
    """Records of 7 to 15 conditions: wherever the pages end, no finding is split, and every
    page has the client's name and its number."""
    page = therapist.page
    for count in LONGER:
        name = f"Lena Long{count}"
        therapist.goto(f"/review/screenings/{ID[name]}")
        wait_for_print_styles(page)
        page.emulate_media(media="print")
        findings = page.locator(".finding").evaluate_all("""(findings) => findings.map((f) =>
            [f.querySelector('.finding__title').innerText,
             ...[...f.querySelectorAll('li')].map((li) => li.innerText)])""")
        page.emulate_media(media=None)
        assert len(findings) >= 7
        pages = printed(page, paper)
        assert len(pages) >= 2, (paper, count)
        for number, text in enumerate(pages, start=1):
            assert f"{name}, born 27 March 1980" in text, (paper, count, number)
            assert f"Page {number} of {len(pages)}" in text, (paper, count, number)
        # Spaces left out: a line may break after a hyphen ("past-" / "clot").
        squeezed = ["".join(text.split()) for text in pages]
        for finding in findings:
            on = [number for number, text in enumerate(squeezed, start=1)
                  if all("".join(part.split()) in text for part in finding)]
            assert on, f"{paper}, {count}: the finding {finding[0]!r} is split between pages"


def reply_pages(pages: list[str]) -> list[set[int]]:
    """For each part of the reply, the pages it is printed on."""
    return [{number for number, text in enumerate(pages, start=1) if part in text}
            for part in REPLY]


@pytest.mark.parametrize("audience", ["client", "therapist"])
def test_a_typical_doctors_letter_prints_on_one_page(request, seeded, audience):
    person = request.getfixturevalue("therapist" if audience == "therapist" else "desk")
    page = person.page
    person.goto(letter_paths(seeded, "Dora Doctor")[audience])
    assert_nothing_screen_only_is_printed(page)
    for paper in PAPERS:
        pages = printed(page, paper)
        assert len(pages) == 1, f"{paper}: {len(pages)} pages, the last: {pages[-1]!r}"
        text = pages[0]
        for expected in ("a question for Dora Doctor's doctor", "Recent operation", *REPLY,
                         "Dora Doctor, born 27 March 1980", "Page 1 of 1"):
            assert expected in text, f"{paper}: {expected!r} is not printed"
        for screen_only in ("Download the letter", "Sign out", "Audit trail"):
            assert screen_only not in text, f"{paper}: {screen_only!r} is printed"


@pytest.mark.parametrize("paper", PAPERS)
def test_a_long_doctors_letter_keeps_the_reply_on_one_page(therapist, seeded, paper):
    """Letters of 3 to 10 conditions: wherever the page ends, the doctor's reply (the boxes to
    tick, the lines for limits, name, practice, signature and date) is never split."""
    lengths = set()
    for count in range(3, len(NEEDS_A_DOCTOR) + 1):
        therapist.goto(letter_paths(seeded, f"Many Letter{count}")["therapist"])
        pages = printed(therapist.page, paper)
        lengths.add(len(pages))
        where = reply_pages(pages)
        assert all(len(found) == 1 for found in where) and len(set.union(*where)) == 1, (
            f"{paper}, {count} conditions: the reply is split over pages "
            f"{dict(zip(REPLY, where, strict=True))}")
    assert max(lengths) >= 3  # the longest letters run over several pages
