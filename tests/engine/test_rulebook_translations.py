"""The rule book's words in other languages (rulebook/translations.py, translate.py): read and
checked with the rule book, used only when current, English kept and marked otherwise."""

import shutil
from pathlib import Path

import pytest
import yaml
from markupsafe import escape

from screening.date_checks import date_checks
from screening.rulebook import RulebookError, load_rulebook
from screening.rulebook.parameters import Parameter
from screening.rulebook.translate import Untranslated, findings_in, is_translated, translated
from screening.rulebook.translations import skeleton
from tests.conftest import RULES

SPANISH = Path(__file__).parent / "translations" / "es.yaml"


def rules_with(folder: Path, **files: str) -> Path:
    """A copy of the real rule book with these translation files (language: YAML text)."""
    root = folder / "rules"
    shutil.copytree(RULES, root, ignore=shutil.ignore_patterns("translations"))
    (root / "translations").mkdir()
    for language, text in files.items():
        (root / "translations" / f"{language}.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    return load_rulebook(rules_with(tmp_path_factory.mktemp("es"),
                                    es=SPANISH.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def spanish(english):
    return translated(english, "es")


def test_a_current_translation_is_used_with_its_parameter_said_in_the_language(spanish):
    assert spanish.questions["recent_surgery"].text == (
        "¿Le han hecho una operación o un procedimiento médico en los últimos 6 meses?")
    assert spanish.rules[[r.id for r in spanish.rules].index(
        "recent_surgery_not_recent")].client_message.startswith(
        "Su operación fue hace más de 6 meses, así que no es reciente.")
    assert (spanish.title, spanish.urgent["title"]) == ("Antes de su masaje",
                                                        "Busque ayuda médica ahora")
    assert spanish.outcomes["medical_clearance"]["title"] == (
        "Consulte a su médico antes de su masaje")
    assert spanish.conditions["recent_surgery"].name == "Operación o procedimiento médico reciente"
    assert next(s for s in spanish.sections if s.id == "recent").title == (
        "Operaciones, lesiones y tratamientos")
    assert dict(spanish.questions["clot_risk_factors"].choices)["long_journey"] == (
        "Un viaje de más de 4 horas")
    front = spanish.body_map.views[0]
    assert (front.title, front.edges) == ("De frente", ("Derecha", "Izquierda"))


def test_body_area_options_are_the_translated_regions(spanish):
    assert dict(spanish.questions["surgery_what_where"].choices)["left_knee"] == (
        "Rodilla izquierda")
    knee = next(region for region in spanish.regions if region.id == "left_knee")
    assert (knee.label, knee.group) == ("Rodilla izquierda", "Pierna izquierda")


def test_missing_and_stale_fall_back_to_the_english_marked_for_the_page(english, spanish):
    short = spanish.questions["recent_surgery"].short  # missing (es: null)
    hint = spanish.questions["recent_surgery"].hint  # stale (translated from other English)
    assert isinstance(short, Untranslated) and isinstance(hint, Untranslated)
    assert not is_translated(hint) and is_translated(spanish.questions["recent_surgery"].text)
    assert hint == english.questions["recent_surgery"].hint  # never the out-of-date Spanish
    assert str(escape(short)) == ('<span lang="en" class="untranslated">operations or '
                                  'procedures in the last 6 months</span>')
    assert escape(Untranslated("Tom & <Jerry>")) == (
        '<span lang="en" class="untranslated">Tom &amp; &lt;Jerry&gt;</span>')
    assert spanish.questions["surgery_date"].hint == english.questions["surgery_date"].hint


def test_missing_stale_and_extra_are_warnings_naming_file_and_key(english):
    warnings = english.translations["es"].warnings
    file = english.translations["es"].file
    assert f"{file}: questions.recent_surgery.hint: stale (the English changed after it was " \
           "translated; the English is shown until it is translated again)" in warnings
    assert f"{file}: questions.recent_surgery.short: missing (the English is shown)" in warnings
    assert f"{file}: rules.no_such_rule.client_message: extra (the rule book has no such " \
           "text)" in warnings
    assert not any(".text:" in w and "recent_surgery." in w for w in warnings)
    assert len(warnings) == len(english.english) - len(english.translations["es"].texts) + 1


def test_the_translated_rule_book_screens_with_the_same_ids_and_tests(english, spanish):
    assert spanish.version == english.version and list(spanish.questions) == list(
        english.questions)
    assert [rule.when for rule in spanish.rules] == [rule.when for rule in english.rules]
    assert translated(english, "es") is spanish  # made once
    assert translated(spanish, "en") is english
    assert translated(english, "en") is english


def test_a_language_with_no_file_is_all_english_marked(english):
    french = translated(english, "fr")
    assert isinstance(french.questions["recent_surgery"].text, Untranslated)
    assert french.parameters["recent_surgery_window"].text == "6\xa0mois"  # CLDR: a no-break space


def test_parameters_say_their_units_in_the_language(spanish):
    assert spanish.parameters["recent_surgery_window"].text == "6 meses"
    assert spanish.parameters["bp_urgent_reading"].text == "180/110 mmHg"
    day = Parameter("x", 1, "days", "", "", "2026-01-01")
    assert (day.text, Parameter("x", 3, "weeks", "", "", "2026-01-01", "es").text) == (
        "1 day", "3 semanas")
    assert Parameter("x", 1, "days", "", "", "2026-01-01", "es").text == "1 día"
    assert Parameter("x", 2, "days", "", "", "2026-01-01", "zz").text == "2 days"
    assert {check.window for check in date_checks(spanish)} >= {"6 meses"}


@pytest.mark.parametrize(("text", "expected"), [
    ("language: fr\nname: Español\n", "es.yaml: field 'language': expected 'es'"),
    ("language: es\nname: Español\nquestion: {}\n", "es.yaml: file: unknown field(s) question"),
    ("language: es\nname: Español\nrulebook:\n  title: Antes\n",
     "es.yaml: rulebook.title: expected {en: the English, es: its translation}, not 'Antes'"),
    ("language: es\nname: Español\nrulebook:\n  title: {en: Before your massage, es: 3}\n",
     "es.yaml: rulebook.title: expected {en: the English, es: its translation}, both text"),
    ("language: es\nname: Español\nrulebook:\n  title: {en: x, es: y, fr: z}\n",
     "es.yaml: rulebook.title: unexpected field(s) fr"),
    ("language: es\nname: Español\nrules:\n  recent_surgery_not_recent:\n    client_message:\n"
     "      en: >-\n        Your operation was more than {recent_surgery_window} ago, so it is "
     "not a recent one.\n        Your therapist will work gently around the area of it and its "
     "scar, and won't press\n        on any implants.\n      es: Hace más de {recent_window}.\n",
     "es.yaml: rules.recent_surgery_not_recent.client_message: the translation must say "
     "{recent_surgery_window} as the English does, not {recent_window}"),
    ("language: es\nname: [\n", "es.yaml: file: is not valid YAML"),
])
def test_a_malformed_translation_is_a_problem_of_the_rule_book(tmp_path, text, expected):
    with pytest.raises(RulebookError) as error:
        load_rulebook(rules_with(tmp_path, es=text))
    assert any(expected in problem for problem in error.value.problems), error.value.problems


def test_a_skeleton_filled_in_is_a_complete_translation(tmp_path, english):
    data = yaml.safe_load(skeleton("fr", "Français", english.english))
    assert data["questions"]["recent_surgery"]["text"] == {
        "en": "Have you had an operation or medical procedure in the last "
              "{recent_surgery_window}?", "fr": None}

    def fill(node):
        if isinstance(node, dict) and "en" in node:
            node["fr"] = "FR " + node["en"]
        for value in node.values() if isinstance(node, dict) else node if isinstance(
                node, list) else ():
            fill(value)
    fill(data)
    loaded = load_rulebook(rules_with(tmp_path, fr=yaml.safe_dump(data, allow_unicode=True)))
    assert loaded.translations["fr"].warnings == ()
    assert translated(loaded, "fr").questions["recent_surgery"].text.startswith(
        "FR Have you had an operation or medical procedure in the last 6\xa0mois")


def test_the_skeleton_of_an_existing_language_keeps_its_translations(english):
    whole = yaml.safe_load(skeleton("es", "Español", english.english,
                                    english.translations["es"]))
    to_do = yaml.safe_load(skeleton("es", "Español", english.english,
                                    english.translations["es"], only_to_do=True))
    assert whole["rulebook"]["title"]["es"] == "Antes de su masaje"
    assert "rulebook" not in to_do
    assert to_do["questions"]["recent_surgery"]["hint"] == {
        "en": english.english[("questions", "recent_surgery", "hint")], "es": None}
    assert "no_such_rule" not in whole["rules"]


def test_stored_findings_are_reworded_only_when_screened_by_the_same_rule_book(english,
                                                                                spanish):
    stored = [{"rule": "recent_surgery_not_recent", "condition": "recent_surgery",
               "client_message": "Your operation was more than 6 months ago, ...",
               "condition_name": "Recent operation or medical procedure"},
              {"rule": "gone_since", "client_message": "Kept", "condition_name": "Kept"}]
    reworded = findings_in(spanish, stored, english.version)
    assert reworded[0]["client_message"].startswith("Su operación fue hace más de 6 meses")
    assert reworded[0]["condition_name"] == "Operación o procedimiento médico reciente"
    assert reworded[1] == stored[1]
    assert findings_in(spanish, stored, "2025.1+0123456789ab") == stored
