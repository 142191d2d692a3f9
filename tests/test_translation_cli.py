"""`flask rules check` on translations, and `flask rules translation` writing a file to
translate, on a copy of the real rule book with the tests' small Spanish file."""

import pytest
import yaml

from screening.rulebook import load_rulebook
from tests.engine.test_rulebook_translations import SPANISH, rules_with
from tests.factories import make_app


@pytest.fixture
def rules_dir(tmp_path):
    return rules_with(tmp_path, es=SPANISH.read_text(encoding="utf-8"))


@pytest.fixture
def cli(tmp_path, rules_dir):
    runner = make_app(tmp_path / "db.sqlite3", RULEBOOK=str(rules_dir)).test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def test_check_warns_of_each_missing_stale_and_extra_translation_and_passes(cli, rules_dir):
    result = cli("rules", "check")
    file = rules_dir / "translations" / "es.yaml"
    assert result.exit_code == 0
    assert f"Warning: {file}: questions.recent_surgery.hint: stale (the English changed after " \
           "it was translated; the English is shown until it is translated again)\n" \
           in result.stderr
    assert f"Warning: {file}: questions.recent_surgery.short: missing (the English is " \
           "shown)\n" in result.stderr
    assert f"Warning: {file}: rules.no_such_rule.client_message: extra (the rule book has no " \
           "such text)\n" in result.stderr
    english = load_rulebook(rules_dir).english
    assert result.stdout.endswith(f"rules; translated: es (13 of {len(english)} texts)\n")


def test_check_strict_fails_on_translation_warnings(cli):
    result = cli("rules", "check", "--strict")
    assert result.exit_code == 1
    assert result.stderr.endswith(" translation warning(s), and --strict.\n")


def test_check_names_a_malformed_translation_and_exits_2(cli, rules_dir):
    (rules_dir / "translations" / "es.yaml").write_text(
        "language: es\nname: Español\nregions:\n  left_knee: Rodilla izquierda\n",
        encoding="utf-8")
    result = cli("rules", "check")
    assert result.exit_code == 2
    assert f"{rules_dir / 'translations' / 'es.yaml'}: regions.left_knee: expected {{en: the " \
           "English, es: its translation}, not 'Rodilla izquierda'" in result.stderr
    assert "Traceback" not in result.output


def test_translation_prints_a_new_language_to_fill_in(cli, rules_dir):
    result = cli("rules", "translation", "fr", "--name", "Français")
    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    assert (data["language"], data["name"]) == ("fr", "Français")
    assert data["regions"]["left_knee"] == {"en": "Left knee", "fr": None}
    (rules_dir / "translations" / "fr.yaml").write_text(result.stdout, encoding="utf-8")
    assert cli("rules", "check").exit_code == 0  # a skeleton is a valid file, all missing


def test_translation_of_an_existing_language_lists_what_is_left_to_do(cli):
    data = yaml.safe_load(cli("rules", "translation", "es", "--only-to-do").stdout)
    assert data["name"] == "Español"
    assert "title" not in data.get("rulebook", {})  # translated already
    assert data["questions"]["recent_surgery"]["short"]["es"] is None


def test_translation_refuses_what_is_not_a_language_code(cli):
    result = cli("rules", "translation", "../es")
    assert result.exit_code == 2
    assert "'../es' is not a language code (such as fr, or pt_BR)" in result.stderr


def test_check_warns_of_a_language_offered_without_its_file(tmp_path, rules_dir):
    app = make_app(tmp_path / "db.sqlite3", RULEBOOK=str(rules_dir), LANGUAGES="en,es,fr")
    result = app.test_cli_runner().invoke(args=["rules", "check"])
    assert result.exit_code == 0
    assert f"Warning: SCREENING_LANGUAGES offers 'fr', but {rules_dir}/translations/fr.yaml " \
           "does not exist: the rule book is shown in English on its pages\n" in result.stderr
    assert "offers 'es'" not in result.stderr
