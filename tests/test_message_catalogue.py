"""The app's own catalogue (screening/translations/): never behind the code, never stale.

The messages are extracted from the code and templates exactly as `make translations` does
(babel.cfg, `-k lazy_gettext`), into a temporary file; every one must be in each language's
messages.po with a translation that is neither empty nor fuzzy, and the committed .mo must
say what its .po says.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parent.parent
TRANSLATIONS = ROOT / "screening" / "translations"
LANGUAGES = sorted(path.name for path in TRANSLATIONS.iterdir() if path.is_dir())


def catalogue(path: Path):
    with path.open("rb") as file:
        return read_po(file) if path.suffix in (".po", ".pot") else read_mo(file)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """Every msgid the code and templates say today."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-k", "lazy_gettext",
                    "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True)
    return {message.id for message in catalogue(pot) if message.id}


def forms(text) -> tuple[str, ...]:
    """A message's text, or each form of a plural's (a .mo file gives them as a list)."""
    return (text,) if isinstance(text, str) else tuple(text)


def po_of(language: str):
    return catalogue(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")


def test_there_is_a_spanish_catalogue():
    assert "es" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_code_is_in_the_catalogue(extracted, language):
    known = {message.id for message in po_of(language) if message.id}
    assert sorted(extracted - known) == [], "run `make translations` and translate them"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation_that_is_not_fuzzy(language):
    untranslated = [message.id for message in po_of(language)
                    if message.id and (not all(forms(message.string)) or message.fuzzy)]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_says_what_the_po_says(language):
    po = {forms(message.id): forms(message.string) for message in po_of(language)
          if message.id}
    mo = {forms(message.id): forms(message.string)
          for message in catalogue(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo")
          if message.id}
    assert mo == po, "run `make translations-compile`"


def test_the_catalogues_placeholders_match_their_english():
    """A translation with a placeholder missing or misspelt would fail (or lie) at runtime;
    each form of a plural has the placeholders of the English plural."""
    wrong = [message.id for language in LANGUAGES for message in po_of(language)
             if message.id and any(placeholders(english) != placeholders(text)
                                   for english, text in english_of_each_form(message))]
    assert wrong == []


def english_of_each_form(message) -> list[tuple[str, str]]:
    """(English, translation) of each form: a language's extra plural forms (Spanish has
    one for millions) go with the English plural."""
    english, translated = forms(message.id), forms(message.string)
    english += english[-1:] * (len(translated) - len(english))
    return list(zip(english, translated, strict=True))


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]", text))
