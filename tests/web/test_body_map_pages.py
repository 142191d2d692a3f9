"""The body map on the questionnaire and the body chart on the therapist's record, its PDF and
the doctor's letter, as the pages are sent (the map's behaviour is in
tests/browser/test_browser_body_map.py)."""

import re
import shutil
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from flask import render_template_string

from screening.clinic import current_rulebook
from tests.browser.client import OUTCOME_CASES
from tests.engine.rulebook_builder import write_rulebook
from tests.factories import add_screening, add_therapist, consent, form_data, make_app
from tests.web.helpers import first_page_pixels, page, sign_in
from tests.web.test_printing import NEEDS_A_DOCTOR, TYPICAL, pdf_text

CHART = """{% import "_body_map.html" as body_map %}
{{ body_map.chart(rulebook, avoid=avoid, no_touch=no_touch, focus=focus) }}"""
KEYS = {"avoid": "Avoid or treat gently", "no_touch": "Not to be touched (the client's wish)",
        "focus": "Focus on, or painful"}


def chart(app, rulebook, avoid=(), no_touch=(), focus=()):
    with app.test_request_context():
        return page_of(render_template_string(CHART, rulebook=rulebook, avoid=avoid,
                                              no_touch=no_touch, focus=focus))


def page_of(html):
    return BeautifulSoup(html, "html.parser")


def legend(soup):
    """(key, the areas it names) for each key of the chart's legend, in order."""
    return [(key.dt.get_text(" ", strip=True), key.dd.get_text(strip=True))
            for key in soup.select(".body-chart__key")]


def patterned(soup, view):
    """How many shapes of the figure `view` each pattern fills."""
    svg = soup.select(".body-chart__svg")[["front", "back"].index(view)]
    return Counter(re.sub(r"url\(#[a-z-]+?-(front|back)-", "", path["fill"]).rstrip(")")
                   for path in svg.find_all("path", recursive=False)
                   if path["fill"].startswith("url("))


def shapes_of(rulebook, view_id, regions):
    view = next(view for view in rulebook.body_map.views if view.id == view_id)
    return sum(shape.region in regions for shape in view.shapes)


# The questionnaire ---------------------------------------------------------------------------

def test_the_questionnaire_carries_the_map_once_and_a_place_for_it_in_each_area_question(
        client, rulebook):
    soup = page(client.get("/questionnaire"))
    area_questions = [qid for qid, q in rulebook.questions.items() if q.kind.gives_areas]
    assert len(area_questions) == 25  # 22 health follow-ups, 3 intake details
    slots = soup.select("fieldset [data-body-map]")
    assert len(slots) == len(area_questions)
    follow_ups = [slot.find_parent("div", class_="conditional") for slot in slots]
    assert {box["data-follow-up-of"] for box in follow_ups if box} == {
        rulebook.questions[qid].parent for qid in area_questions
        if not rulebook.questions[qid].intake}
    assert [slot.find_parent("fieldset").find("input")["name"] for slot, box in zip(
        slots, follow_ups, strict=True) if box is None] == ["pain_areas", "focus_areas",
                                                            "no_touch_areas"]
    [template] = soup.select("template#body-map")
    regions = [path["data-region"] for path in template.select("path")]
    assert set(regions) == {region.id for region in rulebook.regions}
    assert len(regions) == sum(len(view.shapes) for view in rulebook.body_map.views)
    assert [str(title.string) for title in template.select(".body-map__title")] == [
        "Front", "Back"]  # (BeautifulSoup's get_text leaves out a template's text)
    assert template.select_one(".body-map__inner")["aria-hidden"] == "true"
    assert soup.select_one("svg.body-map__defs pattern#body-map-picked")
    scripts = [script.get("src") for script in soup.select("script")]
    assert scripts[-2:] == ["/static/questionnaire.js", "/static/body-map.js"]


def test_a_question_shown_by_the_server_has_its_list_and_the_place_for_the_map(client,
                                                                              rulebook):
    """Without JavaScript the server shows the follow-ups after the first Continue: the list
    of areas is there to tick, the map's place (filled by the script only) before it."""
    data = form_data(rulebook, {"varicose_veins": "yes"})
    soup = page(client.post("/questionnaire", data=data))
    fieldset = soup.select_one("#vv_location-0").find_parent("fieldset")
    assert fieldset.select_one("[data-body-map]").find_next_sibling("div")["class"] == [
        "choices", "choices--grouped"]
    boxes = fieldset.select("input[type=checkbox]")
    assert len(boxes) == len(rulebook.regions)
    assert all(box.find_parent("label").get_text(strip=True) for box in boxes)


def test_a_rulebook_without_a_map_asks_with_the_list_alone(tmp_path, migrated_db, rulebook):
    shutil.copy(migrated_db, tmp_path / "screening.sqlite3")
    app = make_app(tmp_path / "screening.sqlite3", RULEBOOK=str(write_rulebook(tmp_path / "r")))
    soup = page(app.test_client().get("/questionnaire"))
    assert soup.select("[data-body-map]") and not soup.select("template#body-map")
    with app.app_context():
        small = current_rulebook()
    soup = chart(app, small, avoid=["left_calf"])
    assert not soup.select("svg.body-chart__svg")
    assert legend(soup) == [(KEYS["avoid"], "Left calf")]


# The chart -----------------------------------------------------------------------------------

def test_the_chart_shows_each_kind_of_area_in_its_own_pattern_with_a_legend(app, rulebook):
    soup = chart(app, rulebook, avoid=["left_calf", "lower_back"], no_touch=["buttocks"],
                 focus=["right_shoulder", "lower_back"])
    assert legend(soup) == [(KEYS["avoid"], "Left calf or shin, Lower back"),
                            (KEYS["no_touch"], "Buttocks"),
                            (KEYS["focus"], "Right shoulder, Lower back")]
    assert patterned(soup, "front") == {"avoid": 1, "focus": 1}  # calf, shoulder
    assert patterned(soup, "back") == {"avoid": 2, "no_touch": 1, "focus": 2}
    ids = [element["id"] for element in soup.select("[id]")]
    assert len(ids) == len(set(ids)) == 3 * 2 + 3  # each figure's patterns, each swatch's
    for swatch in soup.select(".body-chart__swatch"):
        assert swatch.find("rect", recursive=False)["fill"] == f"url(#{swatch.pattern['id']})"
    assert soup.select_one(".body-chart__figures")["aria-hidden"] == "true"


def test_the_chart_and_its_legend_hold_only_the_kinds_given(app, rulebook):
    soup = chart(app, rulebook, no_touch=["chest", "face"])
    assert legend(soup) == [(KEYS["no_touch"], "Chest or breasts, Face")]
    assert patterned(soup, "front") == {"no_touch": 2}
    assert not patterned(soup, "back")
    assert [pattern["id"] for pattern in soup.select("pattern")] == [
        "body-chart-front-no_touch", "body-chart-back-no_touch", "body-chart-key-no_touch"]
    assert chart(app, rulebook).get_text(strip=True) == ""


@pytest.fixture
def signed_in(app, client):
    add_therapist(app)
    sign_in(client)
    return client


def test_the_screening_page_charts_the_areas_to_avoid(app, signed_in, rulebook):
    with app.app_context():
        areas = add_screening(rulebook, TYPICAL).body_areas
    assert set(areas) == {"upper_back", "lower_back", "left_calf"}
    soup = page(signed_in.get("/review/screenings/1"))
    section = soup.select_one("section.areas")
    assert section.h2.get_text() == "Body chart"
    assert legend(section) == [(KEYS["avoid"], ", ".join(
        rulebook.region_label(area) for area in areas))]
    assert patterned(section, "front") == {"avoid": shapes_of(rulebook, "front", areas)} == {
        "avoid": 1}
    assert patterned(section, "back") == {"avoid": 3}


def test_no_chart_without_areas_and_the_clients_page_keeps_its_list(app, client, rulebook):
    with app.app_context():
        add_screening(rulebook, OUTCOME_CASES["caution"])  # no areas
    add_therapist(app)
    sign_in(client)
    assert not page(client.get("/review/screenings/1")).select(".areas, .body-chart")
    result = client.post("/submit", data=consent(form_data(rulebook, TYPICAL)))
    soup = page(client.get(result.headers["Location"]))
    assert not soup.select(".body-chart")
    assert [item.get_text() for item in soup.select(".areas li")] == [
        "Upper back or shoulder blades", "Lower back", "Left calf or shin"]


def test_the_doctors_letter_charts_the_areas_its_findings_name(app, signed_in, rulebook):
    with app.app_context():
        add_screening(rulebook, TYPICAL)  # osteoporosis: ask the doctor; the veins: local
        add_screening(rulebook, NEEDS_A_DOCTOR["bleeding"])  # no areas
    soup = page(signed_in.get("/review/screenings/1/doctor-letter"))
    areas = soup.select_one(".letter__areas")
    assert areas.h3.get_text() == "Areas of the body"
    assert legend(areas) == [(KEYS["avoid"], "Upper back or shoulder blades, Lower back")]
    assert patterned(areas, "back") == {"avoid": 2} and not patterned(areas, "front")
    letter = page(signed_in.get("/review/screenings/2/doctor-letter"))
    assert letter.select(".letter__item") and not letter.select(".letter__areas, .body-chart")


# In the PDF ----------------------------------------------------------------------------------

def red_pixels(pdf: bytes) -> dict[str, int]:
    """The first page drawn by poppler (pdftoppm, as a PDF viewer would), and how many of
    its pixels are the avoid pattern's red, in each half of the page."""
    width, pixels = first_page_pixels(pdf, 40)
    counts = {"left": 0, "right": 0}
    for index in range(0, len(pixels), 3):
        red, green, blue = pixels[index:index + 3]
        if red > green + 40 and red > blue + 40:
            counts["left" if (index // 3) % width < width // 2 else "right"] += 1
    return counts


def test_the_record_pdf_draws_the_chart(app, signed_in, rulebook, pdf_renderer):
    """WeasyPrint draws the inline SVG: the areas to avoid are red-hatched in the figures at
    the right of the page (all else prints black), and the legend is text."""
    with app.app_context():
        add_screening(rulebook, TYPICAL)
        add_screening(rulebook, OUTCOME_CASES["caution"])
    response = signed_in.get("/review/screenings/1/record.pdf")
    [text] = pdf_text(response)
    for expected in ("Body chart", "Front", "Back", "Avoid or treat gently",
                     "Upper back or shoulder blades, Lower back, Left calf or shin"):
        assert expected in text
    drawn = red_pixels(response.data)
    assert drawn["right"] > 3 * drawn["left"] > 0, drawn  # the figures; the legend's swatch
    clear = signed_in.get("/review/screenings/2/record.pdf")
    assert "Body chart" not in pdf_text(clear)[0]
    assert red_pixels(clear.data) == {"left": 0, "right": 0}


def test_the_doctors_letter_pdf_draws_its_areas(app, signed_in, rulebook, pdf_renderer):
    with app.app_context():
        add_screening(rulebook, OUTCOME_CASES["medical_clearance"])  # the left knee
    response = signed_in.get("/review/screenings/1/doctor-letter.pdf")
    [text] = pdf_text(response)
    assert "Areas of the body" in text and "Left knee" in text
    assert red_pixels(response.data)["right"] > 5
