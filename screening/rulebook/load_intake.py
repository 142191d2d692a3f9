"""Loading `intake.yaml`: the intake details (reason for visit, areas, preferences, medicines,
the client's doctor, an emergency contact), asked in sections of their own.

They are questions like the health questions (the same types, the same form, pages and
exports) but belong to no condition: every one is asked, none has follow-ups, and no rule
reads one unless it says `reads_intake: true` (load_conditions.py checks that), so they
never change an outcome by accident.
"""

from __future__ import annotations

from typing import Any

from .load_conditions import read_question
from .types import Question, Region, Section
from .yamlio import Problems, check_id, check_mapping, flag, text_field

FILE = "intake.yaml"
PLACES = ("before", "after")  # the health questions
#: Fields only an intake question has (see intake.yaml).
INTAKE_KEYS = frozenset({"chart", "record_label", "addressee"})
CHARTS = ("focus", "no_touch")


def load_intake(data: dict[str, Any] | None, regions: tuple[Region, ...], taken: set[str],
                problems: Problems, file: str
                ) -> tuple[dict[str, list[Section]], dict[str, Question]]:
    """({place: sections}, questions in form order) of an intake.yaml already parsed (None:
    the rule book has none). `taken` holds the health sections' ids."""
    sections: dict[str, list[Section]] = {place: [] for place in PLACES}
    questions: dict[str, Question] = {}
    if data is None:
        return sections, questions
    check_mapping(data, {"sections"}, {"sections"}, problems, file, "intake")
    items = data.get("sections")
    if not isinstance(items, list) or not items:
        problems.add(file, "sections", "expected a list of sections")
        return sections, questions
    for index, item in enumerate(items):
        where = f"sections[{index}]"
        if not check_mapping(item, {"id", "title", "intro", "place", "questions"},
                             {"id", "title", "place", "questions"}, problems, file, where):
            continue
        if not check_id(item["id"], problems, file, f"{where}, field 'id'"):
            continue
        if item["id"] in taken:
            problems.add(file, f"{where}, field 'id'", f"duplicate section id '{item['id']}' "
                         "(the rule book has a section with this id)")
        taken.add(item["id"])
        if item["place"] not in PLACES:
            problems.add(file, f"{where}, field 'place'", f"expected before or after (the "
                         f"health questions), not {item['place']!r}")
            continue
        own = _questions(item, regions, problems, file, f"section '{item['id']}'")
        for question in own:
            if question.id in questions:
                problems.add(file, f"question '{question.id}'", "duplicate question id")
            questions.setdefault(question.id, question)
        sections[item["place"]].append(Section(
            str(item["id"]), text_field(item, "title", problems, file, where),
            text_field(item, "intro", problems, file, where, required=False), (),
            tuple(question.id for question in own), kind="intake"))
    addressees = [qid for qid, question in questions.items() if question.addressee]
    if len(addressees) > 1:
        problems.add(file, f"question '{addressees[1]}', field 'addressee'", "only one contact "
                     f"can be the client's doctor (also '{addressees[0]}')")
    return sections, questions


def _questions(item: dict, regions: tuple[Region, ...], problems: Problems, file: str,
               where: str) -> list[Question]:
    entries = item["questions"]
    if not isinstance(entries, list) or not entries:
        problems.add(file, f"{where}, field 'questions'", "expected a list of questions")
        return []
    found = []
    for index, entry in enumerate(entries):
        spot = f"question '{entry.get('id')}'" if isinstance(entry, dict) \
            else f"{where}, questions[{index}]"
        if not isinstance(entry, dict):
            problems.add(file, spot, "expected a mapping of fields")
            continue
        own = {key: entry[key] for key in INTAKE_KEYS & set(entry)}
        entry = {key: value for key, value in entry.items() if key not in INTAKE_KEYS}
        question = read_question(entry, regions, problems, file, spot, condition="",
                                 intake=True, section=str(item["id"]), **_intake_fields(
                                     own, entry, problems, file, spot))
        if question is not None:
            found.append(question)
    return found


def _intake_fields(own: dict, entry: dict, problems: Problems, file: str,
                   where: str) -> dict[str, Any]:
    chart = own.get("chart", "")
    if chart and (chart not in CHARTS or entry.get("type") not in ("body_location",
                                                                    "body_areas_scored")):
        problems.add(file, f"{where}, field 'chart'", f"expected one of {', '.join(CHARTS)}, "
                     "on a body-area question")
        chart = ""
    addressee = flag(own, "addressee", problems, file, where)
    if addressee and entry.get("type") != "contact":
        problems.add(file, f"{where}, field 'addressee'", "only a contact question can be "
                     "the one the doctor's letter is addressed to")
    return {"chart": chart, "addressee": addressee,
            "record_label": text_field(own, "record_label", problems, file, where,
                                       required=False)}
