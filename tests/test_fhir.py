"""FHIR R4: the questionnaire, screenings as QuestionnaireResponses, and reading them back.

Every resource is validated with fhirclient's FHIR R4 (4.0.1) models, strictly, and with the
fhir.resources models (its R4B package, which checks types more closely: R4B changed
nothing in Questionnaire, QuestionnaireResponse or Observation from R4 4.0.1). Those models
check structure and data types but not codes, so the checks below also hold each answer to
its Questionnaire item, and a small FHIR R4 enableWhen evaluator shows that a FHIR form
filler asks exactly the follow-ups the app's form asks.
"""

import dataclasses
import itertools
import json
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from fhirclient.models.questionnaire import Questionnaire as R4Questionnaire
from fhirclient.models.questionnaireresponse import QuestionnaireResponse as R4Response
from sqlalchemy import select

from screening import fhir
from screening.answers import asked, normalise
from screening.database import db
from screening.engine import evaluate
from screening.models import AuditEvent
from screening.rulebook.predicates import compile_predicate, referenced_questions
from tests.clinical import CASES, clinical_cases
from tests.factories import add_screening, add_therapist, all_no

ITEM_TYPES_R4 = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time",
                 "string", "text", "url", "choice", "open-choice", "attachment", "reference",
                 "quantity"}
VALUE_KEYS = {"choice": "valueCoding", "date": "valueDate", "decimal": "valueDecimal",
              "string": "valueString", "text": "valueString", "integer": "valueInteger"}
TODAY = date.today()


@pytest.fixture(scope="module")
def questionnaire(rulebook):
    return json.loads(json.dumps(fhir.questionnaire(rulebook, publisher="Riverside Massage")))


@pytest.fixture(scope="module")
def items(questionnaire):
    """Every Questionnaire item by linkId, nested ones included."""
    found = {}

    def walk(children):
        for item in children:
            assert item["linkId"] not in found, f"duplicate linkId {item['linkId']}"
            found[item["linkId"]] = item
            walk(item.get("item", []))

    walk(questionnaire["item"])
    return found


def screened(rulebook, answers, on, screening_id=7):
    """A screening as the app stores it (without the database), and the engine's result."""
    checked, problems = normalise(rulebook, answers, today=on)
    assert problems == {}, problems
    result = evaluate(rulebook, checked, on)
    findings = [{**finding.to_dict(), "condition_name": rulebook.conditions[finding.condition].name}
                for finding in result.findings]
    screening = SimpleNamespace(
        id=screening_id, client_name="Ann Example", answers=checked, outcome=result.outcome,
        urgent=result.urgent, findings=findings, body_areas=list(result.body_areas),
        rulebook_version=rulebook.version, screened_on=on,
        submitted_at=datetime(2026, 11, 26, 9, 30, tzinfo=UTC))
    return screening, result


def response_for(rulebook, answers, on=TODAY):
    screening, _result = screened(rulebook, answers, on)
    return json.loads(json.dumps(fhir.questionnaire_response(rulebook, screening)))


def check_response(resource, items):
    """Valid R4 structure, and every answer fits its Questionnaire item."""
    FhirResponse.model_validate(resource)
    R4Response(resource, strict=True)  # FHIR 4.0.1 itself, contained Observations included
    assert resource["status"] == "completed"
    for link in fhir.linkids(resource):
        assert link in items, f"linkId {link} is not in the Questionnaire"
    for item in _response_items(resource["item"]):
        definition = items[item["linkId"]]
        if definition["type"] == "group":
            assert "answer" not in item
            continue
        answers = item["answer"]
        assert answers and (definition.get("repeats") or len(answers) == 1)
        for answer in answers:  # (and the items nested in it: a pain area's score)
            assert [key for key in answer if key != "item"] == [VALUE_KEYS[definition["type"]]], (
                item["linkId"], answer)
        if definition["type"] == "choice":
            options = [option["valueCoding"] for option in definition["answerOption"]]
            assert all(answer["valueCoding"] in options for answer in answers)


def _response_items(children):
    for item in children:
        yield item
        yield from _response_items(item.get("item", []))


# --- the Questionnaire -----------------------------------------------------------------------


def test_questionnaire_is_a_valid_r4_questionnaire_of_every_question(rulebook, questionnaire,
                                                                   items):
    FhirQuestionnaire.model_validate(questionnaire)
    R4Questionnaire(questionnaire, strict=True)
    assert questionnaire["resourceType"] == "Questionnaire"
    assert questionnaire["version"] == rulebook.version
    assert questionnaire["url"] == fhir.QUESTIONNAIRE_URL
    assert questionnaire["status"] == "active"
    assert questionnaire["publisher"] == "Riverside Massage"
    questions = [link for link, item in items.items() if item["type"] not in ("group", "display")
                 or link in rulebook.questions]  # (a contact is a group of its parts)
    parts = [link for link in questions if link not in rulebook.questions]
    assert [link for link in questions if link in rulebook.questions] == list(
        rulebook.questions)  # form order
    assert parts == ["pain_areas-score", "doctor-name", "doctor-practice", "doctor-phone",
                     "doctor-email", "emergency_contact-name", "emergency_contact-relationship",
                     "emergency_contact-phone"]
    assert [group["text"] for group in questionnaire["item"]] == [
        section.title for section in rulebook.sections]
    for item in items.values():
        assert item["type"] in ITEM_TYPES_R4


def test_items_carry_type_options_and_required(rulebook, items):
    for question in rulebook.questions.values():
        item = items[question.id]
        assert item["type"] == question.kind.fhir_type
        assert item["text"] == question.text
        assert item["required"] is question.required
        assert item.get("repeats", False) is question.multiple
        if question.kind.coded:
            codes = [option["valueCoding"]["code"] for option in item["answerOption"]]
            assert codes == [value for value, _label in question.choices]
            assert {option["valueCoding"]["system"] for option in item["answerOption"]} == {
                fhir.answer_system(question)}
        else:
            assert "answerOption" not in item
        if question.hint:
            assert item["item"][0]["type"] == "display"
            assert item["item"][0]["text"] == question.hint


def test_yes_no_codes_and_body_regions(rulebook, items):
    main = items["osteoporosis"]["answerOption"]
    assert [option["valueCoding"] for option in main] == [
        {"system": "urn:massage-screening:answer", "code": "yes", "display": "Yes"},
        {"system": "urn:massage-screening:answer", "code": "no", "display": "No"},
        {"system": "urn:massage-screening:answer", "code": "not_sure", "display": "Not sure"}]
    regions = [option["valueCoding"] for option in items["painful_areas"]["answerOption"]]
    assert [region["code"] for region in regions] == [region.id for region in rulebook.regions]
    assert {region["system"] for region in regions} == {"urn:massage-screening:body-region"}


def test_enable_when_is_well_formed(rulebook, items):
    order = list(items)
    for link, item in items.items():
        conditions = item.get("enableWhen", [])
        question = rulebook.questions.get(link)
        assert bool(conditions) == (question is not None and question.parent is not None)
        assert ("enableBehavior" in item) == (len(conditions) > 1)  # que-12
        for condition in conditions:
            assert order.index(condition["question"]) < order.index(link)
            assert condition["operator"] in ("exists", "=", "!=")
            key = "answerBoolean" if condition["operator"] == "exists" else "answerCoding"
            assert set(condition) == {"question", "operator", key}
            if key == "answerCoding":
                options = [option["valueCoding"]
                           for option in items[condition["question"]]["answerOption"]]
                assert condition["answerCoding"] in options


# A FHIR R4 form filler: which questions does it show for these answers? `=` holds when some
# answer equals the value, `!=` when none does, `exists` when answered (or not); the answers
# of a question that is not shown do not count.


def _holds(condition, answers):
    if condition["operator"] == "exists":
        return bool(answers) == condition["answerBoolean"]
    coding = condition["answerCoding"]
    equal = any(answer.get("valueCoding", {}).get("code") == coding["code"]
                and answer["valueCoding"]["system"] == coding["system"] for answer in answers)
    return equal if condition["operator"] == "=" else not equal


def fhir_shown(questionnaire, response_items, questions):
    given = {item["linkId"]: item["answer"] for item in _response_items(response_items)
             if "answer" in item}
    seen, shown = {}, []

    def visit(children):
        for item in children:
            conditions = item.get("enableWhen")
            if conditions:
                results = [_holds(condition, seen.get(condition["question"], []))
                           for condition in conditions]
                if not (any if item.get("enableBehavior") == "any" else all)(results):
                    continue
            if item["type"] == "display":
                continue
            if item["linkId"] in questions:  # (not a part of one: a contact's, a score)
                shown.append(item["linkId"])
                seen[item["linkId"]] = given.get(item["linkId"], [])
            visit(item.get("item", []))

    visit(questionnaire["item"])
    return shown


def sample_values(question):
    """A few answers of each kind, unanswered (None) first."""
    if question.type in ("yes_no", "choice", "body_location"):
        values = [value for value, _label in question.choices]
        if question.multiple:
            return [None, *([value] for value in values[:4]), values[:2], values[2:4]]
        return [None, *values]
    return [None, {"date": "2026-01-05", "number": 12, "blood_pressure": "135/85"}.get(
        question.type, "some text")]


def assert_same_questions_asked(rulebook, questionnaire, answers):
    expected = [question.id for question in asked(rulebook, answers)]
    items = fhir.response_items(rulebook, answers)  # every answer, asked or not
    assert fhir_shown(questionnaire, items, rulebook.questions) == expected, answers


def test_a_fhir_form_filler_asks_exactly_the_follow_ups_the_form_asks(rulebook, questionnaire):
    checked = 0
    for question in rulebook.questions.values():
        if question.parent is None:
            continue
        parent = rulebook.questions[question.parent]
        tested = sorted(referenced_questions(question.ask_when_data) - {parent.id})
        pools = [sample_values(parent), *(sample_values(rulebook.questions[qid])
                                          for qid in tested)]
        for values in itertools.product(*pools):
            answers = {qid: value for qid, value in zip([parent.id, *tested], values, strict=True)
                       if value is not None}
            assert_same_questions_asked(rulebook, questionnaire, answers)
            checked += 1
    assert checked > 200


@pytest.mark.parametrize("case", CASES)
def test_clinical_case_answers_show_the_same_questions(rulebook, questionnaire, case):
    answers, _problems = normalise(rulebook, case["answers"], today=case["on"])
    assert_same_questions_asked(rulebook, questionnaire, answers)


def _with_ask_when(rulebook, qid, tree):
    question = rulebook.questions[qid]
    changed = dataclasses.replace(question, ask_when_data=tree,
                                  ask_when=compile_predicate(tree, rulebook.questions))
    return dataclasses.replace(rulebook, questions={**rulebook.questions, qid: changed})


@pytest.mark.parametrize("tree", [
    {"all": [{"q": "spine_changes", "is": "yes"}, {"q": "painful_areas", "includes": ["neck"]}]},
    {"any": [{"q": "spine_changes", "in": ["yes", "not_sure"]},
             {"q": "painful_areas", "includes": ["neck", "upper_back"]}]},
    {"q": "spine_changes", "in": ["no", "not_sure"]},
    {"q": "osteoporosis", "is": "not_sure"},
    {"not": {"q": "spine_changes", "is": "yes"}},
    {"not": {"q": "spine_changes", "in": ["yes", "no"]}},
    {"not": {"q": "painful_areas", "includes": ["neck", "upper_back"]}},
    {"not": {"q": "painful_areas", "answered": True}},
    {"not": {"any": [{"q": "spine_changes", "is": "yes"}, {"q": "long_term_steroids",
                                                           "is": "yes"}]}},
    {"all": [{"not": {"q": "spine_changes", "is": "no"}}, {"q": "long_term_steroids",
                                                           "is": "no"}]},
], ids=lambda tree: json.dumps(tree))
def test_other_ask_when_shapes_keep_their_meaning(rulebook, tree):
    changed = _with_ask_when(rulebook, "painful_areas_diagnosed", tree)
    questionnaire = fhir.questionnaire(changed)
    FhirQuestionnaire.model_validate(questionnaire)
    pools = [sample_values(changed.questions[qid]) for qid in
             ("osteoporosis", "spine_changes", "long_term_steroids", "painful_areas")]
    for values in itertools.product(*pools):
        answers = {qid: value for qid, value in zip(
            ("osteoporosis", "spine_changes", "long_term_steroids", "painful_areas"), values,
            strict=True) if value is not None}
        assert_same_questions_asked(changed, questionnaire, answers)


def test_an_ask_when_fhir_cannot_express_is_named(rulebook):
    changed = _with_ask_when(rulebook, "painful_areas_diagnosed", {"any": [
        {"q": "spine_changes", "is": "yes"}, {"not": {"q": "long_term_steroids", "is": "yes"}}]})
    with pytest.raises(fhir.FhirError, match="painful_areas_diagnosed"):
        fhir.questionnaire(changed)


# --- QuestionnaireResponse -------------------------------------------------------------------


def seed_answers(rulebook):
    """For each seed condition, the answers of its first clinical case that finds something."""
    chosen = {}
    for cid, case in clinical_cases():
        if cid in rulebook.conditions and rulebook.conditions[cid].seed and cid not in chosen \
                and case["expect"]["outcome"] != "clear":
            chosen[cid] = case
    return chosen


def test_there_is_a_case_for_each_of_the_five_seed_conditions(rulebook):
    assert len(seed_answers(rulebook)) == 5


def test_all_no_response_is_valid_and_clear(rulebook, items):
    resource = response_for(rulebook, all_no(rulebook))
    check_response(resource, items)
    assert resource["questionnaire"] == f"{fhir.QUESTIONNAIRE_URL}|{rulebook.version}"
    assert resource["subject"] == {"display": "Ann Example"}
    assert resource["authored"] == "2026-11-26T09:30:00+00:00"
    assert resource["identifier"] == {"system": fhir.SCREENING_SYSTEM, "value": "7"}
    outcome, = resource["contained"]
    assert outcome["valueCodeableConcept"]["coding"][0]["code"] == "clear"
    assert outcome["derivedFrom"] == [{"reference": "#"}]
    assert [item["linkId"] for item in _response_items(resource["item"])
            if "answer" in item] == list(rulebook.conditions)


@pytest.mark.parametrize("cid", ["osteoporosis", "recent_surgery", "varicose_veins",
                                 "infectious_skin_condition", "unhealed_wound_or_rash"])
def test_each_seed_condition_response_is_valid_with_its_findings(rulebook, items, cid):
    case = seed_answers(rulebook)[cid]
    screening, result = screened(rulebook, case["answers"], case["on"])
    resource = json.loads(json.dumps(fhir.questionnaire_response(rulebook, screening)))
    check_response(resource, items)
    outcome, *findings = resource["contained"]
    assert outcome["id"] == "outcome"
    assert outcome["valueCodeableConcept"]["coding"][0]["code"] == result.outcome
    assert {"code": {"coding": [{"system": fhir.OBSERVATION_SYSTEM, "code": "urgent",
                                 "display": fhir.OBSERVATION_CODES["urgent"]}]},
            "valueBoolean": result.urgent} in outcome["component"]
    assert outcome["hasMember"] == [{"reference": f"#{finding['id']}"} for finding in findings]
    assert len(findings) == len(result.findings) >= 1
    for observation, finding in zip(findings, result.findings, strict=True):
        assert observation["code"]["coding"][0] == {
            "system": fhir.CONDITION_SYSTEM, "code": finding.condition,
            "display": rulebook.conditions[finding.condition].name}
        assert observation["valueCodeableConcept"]["coding"][0]["code"] == finding.outcome
        values = {component["code"]["coding"][0]["code"]: component for component in
                  observation["component"]}
        assert values["rule"]["valueCodeableConcept"]["coding"][0]["code"] == finding.rule
        assert values["therapist-action"]["valueString"] == finding.therapist_action
        areas = [component["valueCodeableConcept"]["coding"][0]["code"]
                 for component in observation["component"]
                 if component["code"]["coding"][0]["code"] == "body-area"]
        assert areas == list(finding.body_areas)


@pytest.mark.parametrize("case", CASES)
def test_round_trip_gives_the_same_result_for_every_clinical_case(rulebook, items, case):
    """answers -> QuestionnaireResponse (valid R4) -> answers -> screen: nothing changes."""
    on = case["on"]
    screening, result = screened(rulebook, case["answers"], on)
    resource = json.loads(json.dumps(fhir.questionnaire_response(rulebook, screening)))
    check_response(resource, items)
    raw, problems = fhir.answers_from_response(rulebook, resource)
    assert problems == {}
    answers, problems = normalise(rulebook, raw, today=on)
    assert problems == {}
    assert answers == screening.answers
    again = evaluate(rulebook, answers, on)
    assert again.to_dict() == result.to_dict()
    assert (again.outcome, again.urgent) == (case["expect"]["outcome"],
                                             case["expect"].get("urgent", False))


def test_flat_and_nested_responses_read_the_same(rulebook):
    case = seed_answers(rulebook)["varicose_veins"]
    resource = response_for(rulebook, case["answers"], case["on"])
    grouped, _ = fhir.answers_from_response(rulebook, resource)
    flat = [item for group in resource["item"] for item in group["item"]]
    assert fhir.answers_from_response(rulebook, {**resource, "item": flat}) == (grouped, {})
    # follow-ups under the main question's answer, as some form fillers write them
    own = rulebook.conditions["varicose_veins"].questions
    main = next(item for item in flat if item["linkId"] == own[0])
    follow_ups = [item for item in flat if item["linkId"] in own[1:]]
    assert follow_ups
    nested = [{**main, "answer": [{**main["answer"][0], "item": follow_ups}]},
              *(item for item in flat if item["linkId"] not in own)]
    assert fhir.answers_from_response(rulebook, {**resource, "item": nested}) == (grouped, {})


def test_reading_names_every_problem(rulebook):
    yes = {"valueCoding": {"system": fhir.ANSWER_SYSTEM, "code": "yes"}}
    resource = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
        {"linkId": "no_such_question", "answer": [yes]},
        {"linkId": "osteoporosis", "answer": [{"valueString": "yes"}]},
        {"linkId": "varicose_veins", "answer": [yes, yes]},
        {"linkId": "recent_surgery", "answer": [
            {"valueCoding": {"system": "http://snomed.info/sct", "code": "yes"}}]},
        {"linkId": "surgery_date", "answer": [{"valueString": "last week"}]},
        {"linkId": "fever_acute_illness", "answer": [yes]},
        {"linkId": "fever_acute_illness", "answer": [yes]},
        {"answer": [yes]}]}
    _raw, problems = fhir.answers_from_response(rulebook, resource)
    assert set(problems) == {"no_such_question", "osteoporosis", "varicose_veins",
                             "recent_surgery", "surgery_date", "fever_acute_illness", "item[7]"}
    assert "unknown" in problems["no_such_question"]
    assert "valueCoding" in problems["osteoporosis"]
    assert "more than once" in problems["fever_acute_illness"]
    assert fhir.answers_from_response(rulebook, {"resourceType": "Patient"})[1] == {
        "resourceType": "expected a FHIR QuestionnaireResponse, not 'Patient'"}
    other = {"resourceType": "QuestionnaireResponse", "questionnaire": "http://example.org/q"}
    assert "questionnaire" in fhir.answers_from_response(rulebook, other)[1]


# --- CLI ---------------------------------------------------------------------------------


def no_traceback(result):
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_prints_the_questionnaire(runner, rulebook, questionnaire):
    result = runner.invoke(args=["fhir", "questionnaire"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    FhirQuestionnaire.model_validate(printed)
    assert printed == questionnaire


def test_cli_screens_a_response_like_the_same_plain_answers(runner, rulebook, tmp_path):
    checked = 0
    cases = [*seed_answers(rulebook).values(), {"answers": all_no(rulebook), "on": TODAY}]
    for case in cases:
        on = case["on"].isoformat()
        plain = tmp_path / "answers.json"
        plain.write_text(json.dumps(normalise(rulebook, case["answers"], today=TODAY)[0]))
        resource = tmp_path / "response.json"
        resource.write_text(json.dumps(response_for(rulebook, case["answers"], case["on"])))
        expected = runner.invoke(args=["screen", str(plain), "--on", on])
        result = runner.invoke(args=["screen", "--fhir", str(resource), "--on", on])
        assert expected.exit_code == result.exit_code == 0, result.output
        assert result.stdout == expected.stdout
        checked += 1
    assert checked == 6


def test_cli_reads_a_response_from_stdin(runner, rulebook):
    surgery = (TODAY - timedelta(days=10)).isoformat()
    answers = {"recent_surgery": "yes", "surgery_date": surgery, "major_surgery": "yes",
               "surgery_what_where": ["right_hip"], "wound_healed": "yes",
               "leg_symptoms_since": "no"}
    result = runner.invoke(args=["screen", "--fhir", "-"],
                           input=json.dumps(response_for(rulebook, answers)))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["outcome"] == "medical_clearance"


@pytest.mark.parametrize(("content", "expected"), [
    ("{not json", "not valid JSON"),
    ('{"resourceType": "Patient", "id": "x"}', "resourceType: expected a FHIR "
                                               "QuestionnaireResponse, not 'Patient'"),
    ("[1, 2]", "resourceType: expected a FHIR QuestionnaireResponse"),
    (json.dumps({"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
        {"linkId": "osteoporosis", "answer": [{"valueCoding": {"code": "maybe"}}]},
        {"linkId": "not_a_question", "answer": [{"valueString": "x"}]}]}),
     "not_a_question: unknown question id"),
])
def test_cli_refuses_bad_fhir_with_exit_2_and_no_traceback(runner, tmp_path, content, expected):
    path = tmp_path / "response.json"
    path.write_text(content)
    result = runner.invoke(args=["screen", "--fhir", str(path)])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert result.stdout == ""
    no_traceback(result)


def test_cli_names_each_bad_answer(runner, tmp_path):
    path = tmp_path / "response.json"
    path.write_text(json.dumps({"resourceType": "QuestionnaireResponse", "item": [
        {"linkId": "osteoporosis", "answer": [{"valueCoding": {"code": "maybe"}}]},
        {"linkId": "not_a_question", "answer": [{"valueString": "x"}]}]}))
    result = runner.invoke(args=["screen", "--fhir", str(path)])
    assert result.exit_code == 2
    assert "osteoporosis: 'maybe' is not an answer" in result.stderr
    assert "not_a_question: unknown question id" in result.stderr
    no_traceback(result)


# --- downloads -------------------------------------------------------------------------------


def sign_in(app, client):
    add_therapist(app)
    response = client.post("/review/sign-in", data={"email": "kim@example.com",
                                                    "password": "correct horse battery"})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/review/questionnaire.fhir.json",
                                  "/review/screenings/1/fhir.json"])
def test_downloads_need_a_signed_in_therapist(app, client, rulebook, path):
    with app.app_context():
        add_screening(rulebook)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/review/sign-in?next=")


def test_therapist_downloads_the_questionnaire(app, client, questionnaire):
    sign_in(app, client)
    response = client.get("/review/questionnaire.fhir.json")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_json(force=True) == questionnaire


def test_therapist_downloads_a_screening_and_it_is_audited(app, client, rulebook, items):
    case = seed_answers(rulebook)["varicose_veins"]
    with app.app_context():
        screening_id = add_screening(rulebook, case["answers"], on=case["on"],
                                     client_name="Zoë Example").id
    sign_in(app, client)
    response = client.get(f"/review/screenings/{screening_id}/fhir.json")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert f'filename="screening-{screening_id}.fhir.json"' in \
        response.headers["Content-Disposition"]
    resource = response.get_json(force=True)
    check_response(resource, items)
    assert resource["subject"] == {"display": "Zoë Example"}
    assert resource["id"] == f"screening-{screening_id}"
    raw, problems = fhir.answers_from_response(rulebook, resource)
    assert problems == {}
    assert normalise(rulebook, raw, today=case["on"])[0] == normalise(
        rulebook, {**all_no(rulebook), **case["answers"]}, today=case["on"])[0]
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "download_fhir")).one()
        assert event.screening_id == screening_id
        assert event.subject == "kim@example.com"
    assert "Downloaded the screening (FHIR)" in client.get(
        f"/review/screenings/{screening_id}").get_data(as_text=True)


def test_screening_page_links_to_the_fhir_downloads(app, client, rulebook):
    with app.app_context():
        screening_id = add_screening(rulebook).id
    sign_in(app, client)
    html = client.get(f"/review/screenings/{screening_id}").get_data(as_text=True)
    assert f'href="/review/screenings/{screening_id}/fhir.json"' in html
    assert 'href="/review/questionnaire.fhir.json"' in html


def test_unknown_screening_is_not_found(app, client):
    sign_in(app, client)
    assert client.get("/review/screenings/999/fhir.json").status_code == 404


def test_intake_details_round_trip_through_a_valid_response(rulebook, items):
    """Areas with their scores (nested in each area's answer) and contacts (a group of
    parts) are strictly valid R4, fit their items, and read back as they were stored."""
    from tests.web.test_intake_record import STORED

    answers = {**all_no(rulebook), **STORED}
    resource = response_for(rulebook, answers)
    check_response(resource, items)
    by_link = {item["linkId"]: item for item in _response_items(resource["item"])}
    assert [answer.get("item", [{}])[0].get("answer") for answer in
            by_link["pain_areas"]["answer"]] == [[{"valueInteger": 6}], None]
    assert "answer" not in by_link["doctor"]
    assert by_link["doctor-name"]["answer"] == [{"valueString": "Dr A Patel"}]
    assert items["doctor"]["type"] == "group"
    assert items["pain_areas-score"]["type"] == "integer"
    raw, problems = fhir.answers_from_response(rulebook, resource)
    assert problems == {}
    assert normalise(rulebook, raw, today=TODAY)[0] == normalise(rulebook, answers,
                                                                 today=TODAY)[0]


def test_wrong_intake_items_are_named(rulebook):
    resource = response_for(rulebook, {**all_no(rulebook), "doctor": {"name": "Dr A Patel"},
                                       "pain_areas": {"neck": 2}})
    for group in resource["item"]:
        for item in group["item"]:
            if item["linkId"] == "doctor":
                item["item"][0]["linkId"] = "doctor-fax"
            if item["linkId"] == "pain_areas":
                item["answer"][0]["item"][0]["linkId"] = "pain_areas-other"
    _raw, problems = fhir.answers_from_response(rulebook, resource)
    assert problems["doctor"].startswith("expected items doctor-name, doctor-practice")
    assert problems["pain_areas"] == "expected only pain_areas-score items in an answer"


def test_the_questionnaire_carries_translations_and_stays_valid(tmp_path):
    """Each text translated into another language goes with it in FHIR's translation extension
    (on `_text` and `_title`); English kept for a missing translation is left out."""
    from screening.rulebook import load_rulebook
    from screening.rulebook.translate import translated
    from tests.engine.test_rulebook_translations import SPANISH, rules_with

    english = load_rulebook(rules_with(tmp_path, es=SPANISH.read_text(encoding="utf-8")))
    for book, other in ((english, "es"), (translated(english, "es"), "en")):
        resource = fhir.questionnaire(book)
        FhirQuestionnaire.model_validate(resource)
        R4Questionnaire(resource, strict=True)
        assert resource["language"] == book.language
        items = {item["linkId"]: item for item in _response_items(resource["item"])}
        words = translated(english, other)
        assert _translations(items["recent_surgery"]["_text"]) == {
            other: words.questions["recent_surgery"].text}
        assert _translations(resource["_title"]) == {other: words.title}
    spanish_items = {item["linkId"]: item for item in _response_items(
        fhir.questionnaire(english)["item"])}
    assert "_text" not in spanish_items["recent_surgery-hint"]  # stale: not translated
    assert _translations(spanish_items["recent_surgery"]["_text"]) == {
        "es": "¿Le han hecho una operación o un procedimiento médico en los últimos 6 meses?"}


def _translations(element):
    found = {}
    for extension in element["extension"]:
        assert extension["url"] == "http://hl7.org/fhir/StructureDefinition/translation"
        parts = {part["url"]: part for part in extension["extension"]}
        found[parts["lang"]["valueCode"]] = parts["content"]["valueString"]
    return found
