"""Issue 11's smaller points, as a client or therapist meets them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from tests.browser.harness import in_ci
from tests.factories import VEINS, consent, form_data
from tests.web.helpers import first_page_pixels
from tests.web.test_printing import pdf_text

TODAY = date.today()


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_a_wrong_signature_date_reads_like_every_other_date(client, rulebook):
    soup = page(client.post("/submit", data=consent(
        form_data(rulebook), signed_on=TODAY - timedelta(days=5))))
    assert [a.get_text() for a in soup.select(".error-summary a")] == [
        f"Enter today's date ({TODAY.day} {TODAY:%B %Y})"]


def test_follow_ups_asked_without_javascript_come_calmly(client, rulebook):
    soup = page(client.post("/questionnaire", data=form_data(
        rulebook, {"varicose_veins": "yes"})))
    assert soup.select_one(".error-summary__title").get_text() == \
        "A few more questions about your answers"
    assert not soup.title.get_text().startswith("Error:")
    assert soup.select(".error-summary a")


def test_a_real_mistake_is_still_a_problem(client, rulebook):
    soup = page(client.post("/questionnaire", data=form_data(
        rulebook, {"varicose_veins": "yes"}, client_name="")))
    assert soup.select_one(".error-summary__title").get_text() == "There is a problem"
    assert soup.title.get_text().startswith("Error:")


def test_the_client_and_therapist_pdfs_have_their_own_names(client, rulebook, signed_in,
                                                            pdf_renderer):
    response = client.post("/submit", data=consent(form_data(rulebook, VEINS)))
    link = response.headers["Location"]
    client_copy = client.get(link + "/record.pdf").headers["Content-Disposition"]
    therapist_copy = client.get("/review/screenings/1/record.pdf").headers[
        "Content-Disposition"]
    stamp = TODAY.isoformat()
    assert client_copy == f'attachment; filename="screening-result-Ann-Example-{stamp}.pdf"'
    assert therapist_copy == f'attachment; filename="screening-record-Ann-Example-{stamp}.pdf"'


def test_the_clinic_is_named_once_at_the_foot_of_the_result(client, rulebook):
    response = client.post("/submit", data=consent(form_data(rulebook)))
    soup = page(client.get(response.headers["Location"]))
    last = soup.select_one("main .keep-private")
    assert not any("Riverside Massage" in sibling.get_text()
                   for sibling in last.find_next_siblings())
    assert soup.select_one("footer").get_text().count("Riverside Massage") == 1


def test_each_unanswered_question_has_a_line_of_its_own_words(client, rulebook):
    """Varicose veins asked about 'a blood clot or phlebitis' and the next question about
    'a blood clot' again: two near-identical lines. Clots now have one question."""
    data = form_data(rulebook, {"varicose_veins": "yes"})
    del data["clot_history"]
    lines = [a.get_text() for a in page(client.post("/questionnaire", data=data)).select(
        ".error-summary a")]
    assert "Select an answer about past phlebitis (an inflamed vein)" in lines
    assert "Select an answer about past blood clots" in lines
    assert len(set(lines)) == len(lines)
    assert not [(a, b) for a in lines for b in lines if a != b and b.startswith(a)]
    assert "clot" not in rulebook.questions["vv_clot_history"].text


def drawn_with(pdf: bytes) -> dict[str, str]:
    """Each font of the PDF's pages (without its subset prefix) -> the characters drawn with
    it, read from its ToUnicode map (as a PDF viewer's copy and paste reads them)."""
    fonts: dict[str, str] = {}
    for pdf_page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (pdf_page["/Resources"].get_object().get("/Font") or {}).values():
            font = font.get_object()
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            entries = "".join(re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S))
            chars = "".join(bytes.fromhex(code).decode("utf-16-be") for code in
                            re.findall(r"<[0-9a-fA-F]{4}>\s*<([0-9a-fA-F]{4,8})>", entries))
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            fonts[name] = "".join(sorted(set(fonts.get(name, "") + chars)))
    return fonts


def coloured_pixels(pdf: bytes) -> int:
    """How many pixels of the first page, drawn by poppler's pdftoppm as a viewer would,
    are clearly coloured (not black, white or grey): a missing glyph's box is not."""
    _width, pixels = first_page_pixels(pdf, 72)
    return sum(1 for index in range(0, len(pixels), 3)
               if max(pixels[index:index + 3]) - min(pixels[index:index + 3]) > 60)


def emoji_font_installed():
    """fonts-noto-color-emoji (.ci/run and the README install it): a skip without it, with
    the hint, except in CI."""
    listed = shutil.which("fc-list") and subprocess.run(
        ["fc-list", ":family=Noto Color Emoji"], capture_output=True, text=True).stdout
    if not listed:
        hint = "emoji in PDFs need an emoji font: apt-get install -y fonts-noto-color-emoji"
        if in_ci():
            pytest.fail(f"CI=true: a failure, not a skip. {hint}", pytrace=False)
        pytest.skip(hint)


def test_an_emoji_in_a_name_is_drawn_in_the_pdf(client, rulebook, pdf_renderer):
    """The name prints with a font that has the emoji (Noto Color Emoji), not as an empty
    box; and only the emoji does: digits and symbols keep the text font."""
    emoji_font_installed()

    def record(name):
        sent = client.post("/submit", data=consent(form_data(
            rulebook, client_name=name, submission_key=(name.encode().hex() * 4)[:32]),
            signature=name))
        return client.get(sent.headers["Location"] + "/record.pdf")

    blossom = "\U0001F338"
    plain, with_emoji = record("Ann Example"), record(f"Ann {blossom} Example")
    assert f"Ann {blossom} Example" in pdf_text(with_emoji)[0]
    fonts = drawn_with(with_emoji.data)
    emoji_fonts = {name: chars for name, chars in fonts.items() if "Emoji" in name}
    assert list(emoji_fonts.values()) == [blossom], fonts  # the blossom, nothing else
    assert not any("Emoji" in name for name in drawn_with(plain.data))
    # drawn in colour, twice (the name and the signature): not empty boxes
    assert coloured_pixels(with_emoji.data) > coloured_pixels(plain.data) + 20
