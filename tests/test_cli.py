"""The clinic owner's commands: `flask rules check`, `flask questions`, `flask screen`.

Most tests use Flask's CLI runner on an app configured with the small rule book of
tests/engine/rulebook_builder.py; the last few run the real `flask` executable.
"""

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from screening.rulebook import RulebookError, load_rulebook
from tests.engine.rulebook_builder import LABEL, edit, write_rulebook
from tests.factories import make_app

FLASK = Path(sys.executable).parent / "flask"

VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "small_flat",
         "vv_symptoms_now": "no"}
SURGERY_DATE = date.today() - timedelta(days=100)  # `screen` refuses dates after today
MINOR_SURGERY = {"recent_surgery": "yes", "surgery_date": SURGERY_DATE.isoformat(),
                 "surgery_where": ["lower_back"], "major_surgery": "no",
                 "wound_healed": "yes", "leg_symptoms_since": "no"}


@pytest.fixture
def rules_dir(tmp_path):
    return write_rulebook(tmp_path / "rules")


@pytest.fixture
def broken_dir(tmp_path):
    """A rule book with three problems in two files."""
    folder = write_rulebook(tmp_path / "broken")
    edit(folder / "conditions/varicose_veins.yaml", "{q: vv_symptoms_now, is: yes}",
         "{q: vv_symptom_now, is: yes}")
    edit(folder / "conditions/varicose_veins.yaml", "    outcome: local\n",
         "    outcome: avoid\n")
    edit(folder / "conditions/osteoporosis.yaml", "areas: [upper_back, lower_back]",
         "areas: [upper_back, low_back]")
    return folder


@pytest.fixture
def app(tmp_path, rules_dir):
    """The app on the small rule book (overrides conftest's app on the real rules/)."""
    return make_app(tmp_path / "db.sqlite3", RULEBOOK=str(rules_dir))


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    return invoke


def no_traceback(result):
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- rules check -----------------------------------------------------------------------------


def test_rules_check_valid_prints_one_line_summary(cli, rules_dir):
    result = cli("rules", "check", str(rules_dir))
    assert result.exit_code == 0
    version = load_rulebook(rules_dir).version
    assert result.stdout == (f"OK {rules_dir}: rule book {version}, 5 conditions, "
                             "27 questions, 15 rules\n")
    assert result.stderr == ""


def test_rules_check_defaults_to_the_apps_rulebook(cli, rules_dir):
    result = cli("rules", "check")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"OK {rules_dir}: rule book {LABEL}+")


def test_rules_check_broken_lists_every_problem_and_exits_2(cli, broken_dir):
    with pytest.raises(RulebookError) as caught:
        load_rulebook(broken_dir)
    problems = caught.value.problems
    assert len(problems) == 3

    result = cli("rules", "check", str(broken_dir))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"{broken_dir}: 3 problem(s) found:"
    assert [line.strip() for line in lines[1:]] == problems
    assert "unknown question id 'vv_symptom_now'" in result.stderr
    assert "unknown body region 'low_back'" in result.stderr
    no_traceback(result)


@pytest.mark.parametrize(("old", "new", "fragments"), [
    ("  - id: vv_severity\n", "  - id: email\n",
     ["varicose_veins.yaml: question 'email', field 'id'", "form uses itself"]),
    ("  - id: vv_symptoms_now\n    ask_afresh: true\n    text: Right now",
     "  - id: vv_symptoms_now\n    ask_afresh: true\n    ask_when: {any: [{q: vv_severity, "
     "is: small_flat}, {not: {q: vv_location, answered: true}}]}\n    text: Right now",
     ["varicose_veins.yaml: question 'vv_symptoms_now', field 'ask_when'", "FHIR enableWhen"]),
])
def test_rules_check_refuses_what_would_break_a_page(cli, rules_dir, old, new, fragments):
    """A follow-up named `email` once passed `rules check` and made /questionnaire a 500; an
    ask_when FHIR cannot express broke the FHIR download. `rules check` OK means the pages
    work."""
    edit(rules_dir / "conditions/varicose_veins.yaml", old, new)
    result = cli("rules", "check", str(rules_dir))
    assert result.exit_code == 2
    assert all(fragment in result.stderr for fragment in fragments), result.stderr
    no_traceback(result)


def test_rules_check_missing_folder(cli, tmp_path):
    result = cli("rules", "check", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "rulebook.yaml: file: not found" in result.stderr
    no_traceback(result)


def test_rules_check_names_a_region_added_without_a_shape_on_the_body_map(cli, tmp_path):
    """A clinic adds a region to its copy of the rule book: the check says what to draw."""
    folder = tmp_path / "clinic"
    shutil.copytree(Path(__file__).parents[1] / "rules", folder)
    edit(folder / "rulebook.yaml", "      - {id: groin, label: Groin}\n",
         "      - {id: groin, label: Groin}\n      - {id: sacrum, label: Sacrum}\n")
    result = cli("rules", "check", str(folder))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1:] == [
        f"  {folder / 'body_map.yaml'}: views: region 'sacrum' (Sacrum) of body_regions in "
        "rulebook.yaml has no shape: draw one in a view, so the map can show it"]
    no_traceback(result)


# --- questions ---------------------------------------------------------------------------------


def test_questions_lists_every_question_as_json(cli, rules_dir):
    result = cli("questions")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    rulebook = load_rulebook(rules_dir)
    assert [item["id"] for item in items] == list(rulebook.questions)
    for item in items:
        assert {"id", "type", "text"} <= set(item)
        assert item["text"] == rulebook.questions[item["id"]].text


def test_questions_give_option_ids_for_choices_and_body_locations(cli, rules_dir):
    items = {item["id"]: item for item in json.loads(cli("questions").stdout)}
    regions = [region.id for region in load_rulebook(rules_dir).regions]
    assert items["vv_severity"]["options"] == ["small_flat", "large_raised"]
    assert items["vv_severity"]["multiple"] is False
    assert items["bp_symptoms"]["options"] == ["headache", "chest_pain", "none"]
    assert items["bp_symptoms"]["multiple"] is True
    assert items["vv_location"]["type"] == "body_location"
    assert items["vv_location"]["options"] == regions
    assert items["varicose_veins"]["options"] == ["yes", "no", "not_sure"]
    assert items["vv_symptoms_now"]["options"] == ["yes", "no"]
    for qid in ("surgery_date", "bp_medicines", "implants", "bp_reading"):
        assert "options" not in items[qid]


def test_questions_say_which_are_follow_ups(cli):
    items = {item["id"]: item for item in json.loads(cli("questions").stdout)}
    assert items["varicose_veins"]["follow_up_of"] is None
    assert items["vv_location"]["follow_up_of"] == "varicose_veins"
    assert items["implants"]["required"] is False
    assert "intake_section" not in items["varicose_veins"]


# --- screen ------------------------------------------------------------------------------------


def assert_screen_json(data, rules_dir, outcome, conditions):
    assert data["outcome"] == outcome
    assert data["urgent"] is False
    assert [(f["condition"], f["outcome"]) for f in data["findings"]] == conditions
    assert data["rulebook_version"] == load_rulebook(rules_dir).version


def test_screen_file(cli, rules_dir, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(VEINS), encoding="utf-8")
    result = cli("screen", str(answers))
    assert result.exit_code == 0, result.output
    assert_screen_json(json.loads(result.stdout), rules_dir, "local",
                       [("varicose_veins", "local")])


def test_screen_stdin(cli, rules_dir):
    result = cli("screen", "-", input=json.dumps(VEINS))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert_screen_json(data, rules_dir, "local", [("varicose_veins", "local")])
    assert data["findings"][0]["body_areas"] == ["left_calf"]
    assert data["screened_on"] == date.today().isoformat()


def test_screen_empty_object_is_clear(cli):
    result = cli("screen", "-", input="{}")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["outcome"] == "clear"


def test_screen_urgent(cli):
    result = cli("screen", "-", input=json.dumps({**VEINS, "vv_symptoms_now": "yes"}))
    data = json.loads(result.stdout)
    assert (data["outcome"], data["urgent"]) == ("postpone", True)


@pytest.mark.parametrize(("days_after", "outcome", "rule"), [
    (40, "medical_clearance", "recent_surgery"),
    (42, "medical_clearance", "recent_surgery"),
    (43, "local", "recent_surgery_minor_healed"),
    (50, "local", "recent_surgery_minor_healed"),
])
def test_screen_on_moves_the_timing_window(cli, days_after, outcome, rule):
    on = (SURGERY_DATE + timedelta(days=days_after)).isoformat()
    result = cli("screen", "--on", on, "-", input=json.dumps(MINOR_SURGERY))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"] == outcome
    assert [f["rule"] for f in data["findings"]] == [rule]
    assert data["screened_on"] == on


ALL_NO = {condition: "no" for condition in ("infectious_skin_condition", "recent_surgery",
                                           "osteoporosis", "high_blood_pressure",
                                           "varicose_veins")}


def test_screen_warns_about_questions_the_form_would_still_ask(cli):
    """Partial answers are screened (clinics test partial files), with a warning on stderr
    naming each required question the form would ask first."""
    result = cli("screen", "-", input=json.dumps({**ALL_NO, "recent_surgery": "yes"}))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["outcome"] == "medical_clearance"
    assert result.stderr == (
        "Warning: incomplete answers, screened as they are: the form would first ask 5 more "
        "required question(s): surgery_date, surgery_where, major_surgery, wound_healed, "
        "leg_symptoms_since\n")


def test_screen_warns_about_unanswered_main_questions_too(cli):
    result = cli("screen", "-", input=json.dumps(VEINS))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["outcome"] == "local"
    warning = result.stderr.removeprefix("Warning: incomplete answers, screened as they are: ")
    assert warning == ("the form would first ask 4 more required question(s): "
                       "infectious_skin_condition, recent_surgery, osteoporosis, "
                       "high_blood_pressure\n")


def test_screen_gives_no_warning_for_complete_answers(cli):
    on = (SURGERY_DATE + timedelta(days=50)).isoformat()
    result = cli("screen", "--on", on, "-", input=json.dumps({**ALL_NO, **MINOR_SURGERY}))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["outcome"] == "local"
    assert result.stderr == ""


def test_screen_bad_on_date(cli):
    result = cli("screen", "--on", "2026-13-01", "-", input="{}")
    assert result.exit_code == 2
    assert "--on" in result.stderr
    no_traceback(result)


def test_screen_reports_each_bad_answer_and_exits_2(cli):
    answers = {**VEINS, "vv_severity": "huge", "vv_locaton": ["left_calf"],
               "recent_surgery": "yes", "surgery_date": "2026-02-30"}
    result = cli("screen", "-", input=json.dumps(answers))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert sorted(line.split(":")[0] for line in lines) == ["surgery_date", "vv_locaton",
                                                            "vv_severity"]
    assert "vv_locaton: unknown question id" in lines
    assert "'huge' is not an answer about how large your varicose veins are" in result.stderr
    no_traceback(result)


@pytest.mark.parametrize("text", ["", "{", "{'varicose_veins': 'yes'}", "yes", "{} {}"])
def test_screen_invalid_json(cli, text):
    result = cli("screen", "-", input=text)
    assert result.exit_code == 2
    assert result.stderr.startswith("<stdin>: not valid JSON")
    assert result.stdout == ""
    no_traceback(result)


@pytest.mark.parametrize("text", ["[]", '["varicose_veins"]', '"yes"', "3", "null"])
def test_screen_json_that_is_not_an_object(cli, text):
    result = cli("screen", "-", input=text)
    assert result.exit_code == 2
    assert "expected a JSON object of answers keyed by question id" in result.stderr
    no_traceback(result)


def test_screen_missing_file(cli, tmp_path):
    result = cli("screen", str(tmp_path / "none.json"))
    assert result.exit_code == 2
    assert "No such file" in result.stderr
    no_traceback(result)


def test_screen_file_that_is_not_utf8(cli, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_bytes(b'{"varicose_veins": "\xff"}')
    result = cli("screen", str(answers))
    assert result.exit_code == 2
    no_traceback(result)


# --- the real `flask` executable -----------------------------------------------------------------


def run_flask(*args, rulebook, input="", tmp_path):
    """Run `flask --app screening ARGS` with a clean SCREENING_* environment and no secret key."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SCREENING_", "FLASK_"))}
    env.update(SCREENING_RULEBOOK=str(rulebook),
               SCREENING_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    return subprocess.run([str(FLASK), "--app", "screening", *args], input=input, env=env,
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)


def test_flask_screen_end_to_end_without_a_secret_key(rules_dir, tmp_path):
    """Commands other than `run` need no secret key."""
    on = (SURGERY_DATE + timedelta(days=50)).isoformat()
    done = run_flask("screen", "--on", on, "-", rulebook=rules_dir,
                     input=json.dumps(MINOR_SURGERY), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["outcome"] == "local"
    assert data["rulebook_version"] == load_rulebook(rules_dir).version


def test_flask_rules_check_reports_a_broken_configured_rulebook(broken_dir, tmp_path):
    """The app still starts for `rules check`, which lists the problems instead of crashing."""
    done = run_flask("rules", "check", rulebook=broken_dir, tmp_path=tmp_path)
    assert done.returncode == 2
    assert "3 problem(s) found" in done.stderr
    assert "unknown question id 'vv_symptom_now'" in done.stderr
    assert "Traceback" not in done.stderr


def test_flask_screen_with_a_broken_configured_rulebook(broken_dir, tmp_path):
    done = run_flask("screen", "-", rulebook=broken_dir, input="{}", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "unknown question id 'vv_symptom_now'" in done.stderr
