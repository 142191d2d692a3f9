"""Loading `conditions/*.yaml`: each condition's questions and rules.

Questions are read first, for every condition, so that a rule may test an
answer given under another condition; then `ask_when` trees and rules are
compiled against the full set of questions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .flat_tests import FlatError, follow_up_tests
from .parameters import Parameter
from .predicates import PredicateError, compile_predicate, referenced_questions
from .question_types import TYPES
from .types import OUTCOMES, Condition, Question, Region, Rule
from .yamlio import Problems, check_date, check_id, check_keys, flag, text_field

CONDITION_KEYS = {"id", "name", "seed", "added_by_clinic", "reviewed", "questions", "rules",
                  "notes"}
#: Fields every question may have; its type adds its own (`QuestionType.fields`).
QUESTION_KEYS = {"id", "text", "short", "type", "hint", "optional", "ask_when", "ask_afresh"}
#: Operators that test an answer against a time window ending on the screening's date.
WINDOW_OPERATORS = frozenset({"within", "older_than"})
RULE_KEYS = {"id", "when", "outcome", "urgent", "client_message", "therapist_action", "areas",
             "areas_from", "overrides", "source", "suggested_default", "note", "ask_to_check",
             "reads_intake"}
#: Names the questionnaire form uses itself: its detail and consent fields, its attributes and
#: methods (WTForms sets each field as an attribute of the form), and the two properties of
#: a <form> element its script uses. A question with one of these ids would break the
#: questionnaire; tests/web/test_intake.py checks that this holds every name the form has.
RESERVED_IDS = frozenset({
    "client_name", "date_of_birth", "phone", "email", "appointment_date", "submission_key",
    "from_draft", "confirm", "signature", "signed_on", "csrf_token",
    "answers", "carried_fields", "data", "details", "errors", "expired", "form_errors",
    "hidden_tag", "is_submitted", "meta", "populate_obj", "post_process", "process", "rulebook",
    "shown_questions", "today", "validate", "validate_appointment_date",
    "validate_date_of_birth", "validate_email", "validate_on_submit", "validate_phone",
    "validate_signed_on", "guardian", "guardian_name", "guardian_relationship", "is_minor",
    "validate_guardian_name", "validate_guardian_relationship", "only_follow_ups_to_answer",
    "declaration", "dates_checked", "dates_to_check", "date_notes", "date_summary",
    "screened_on",
    "dataset", "elements",
    "opened"})  # a returning client's questionnaire posts it (invitations/_last_time.html)
#: Operators a follow-up's `ask_when` may use: the form shows or hides it in the browser.
ASK_WHEN_OPERATORS = {"is", "in", "includes", "answered"}


def load_conditions(raw: dict[str, tuple[Path, Any]], regions: tuple[Region, ...],
                    parameters: Mapping[str, Parameter], problems: Problems,
                    intake: Mapping[str, Question] | None = None,
                    ) -> tuple[dict[str, Condition], dict[str, Question]]:
    """Build conditions and questions (in form order) from the parsed condition files.

    `intake` holds the intake details (intake.yaml), already read: their ids are taken, and
    a rule may test them only with `reads_intake: true`. They are not in the result."""
    intake = dict(intake or {})
    questions: dict[str, Question] = dict(intake)
    asked_when: dict[str, tuple[str, Any]] = {}
    for cid, (file, data) in raw.items():
        if data is None:
            continue
        name = str(file)
        check_keys(data, CONDITION_KEYS, {"id", "name", "questions", "rules"}, problems, name,
                   "condition")
        if data.get("id") != cid:
            problems.add(name, "field 'id'", f"{data.get('id')!r} must match the file name "
                         f"'{cid}'")
        check_date(data.get("reviewed"), problems, name, "field 'reviewed'")
        for question in _read_questions(cid, data.get("questions"), regions, problems, name):
            if question.id in questions:
                other = questions[question.id]
                where = "intake.yaml" if other.intake else f"conditions/{other.condition}.yaml"
                problems.add(name, f"question '{question.id}'", "duplicate question id (also in "
                             f"{where})")
                continue
            questions[question.id] = question
            if question.ask_when_data is not None:
                asked_when[question.id] = (name, question.ask_when_data)

    for qid, (name, tree) in asked_when.items():
        questions[qid] = _with_ask_when(questions[qid], tree, questions, problems, name)

    conditions: dict[str, Condition] = {}
    rule_ids: dict[str, str] = {}  # rule id -> the file it was first seen in
    for cid, (file, data) in raw.items():
        if data is None:
            continue
        rules = _read_rules(cid, data.get("rules"), questions, regions, parameters, rule_ids,
                            problems, str(file))
        conditions[cid] = _condition(cid, data, questions, rules, problems, str(file))
    _check_asked_afresh(conditions, questions, problems)
    return conditions, {qid: question for qid, question in questions.items()
                        if qid not in intake}


def _check_asked_afresh(conditions: dict[str, Condition], questions: dict[str, Question],
                        problems: Problems) -> None:
    """Every question a rule tests over a time window, and every question of an urgent rule
    (a red flag), is marked `ask_afresh`: a returning client must answer it again, since
    last time's answer says nothing about today."""
    for condition in conditions.values():
        for rule in condition.rules:
            why = {qid: f"is tested over a time window by rule '{rule.id}'"
                   for qid in windowed_questions(rule.when_data)}
            if rule.urgent:
                why = {qid: f"is a red flag (urgent rule '{rule.id}')"
                       for qid in referenced_questions(rule.when_data or {})} | why
            for qid, reason in sorted(why.items()):
                question = questions.get(qid)
                if question is not None and not question.ask_afresh:
                    problems.add(conditions[question.condition].file if question.condition
                                 in conditions else condition.file, f"question '{qid}'",
                                 f"{reason}: mark it 'ask_afresh: true', so a returning client "
                                 "is asked it again, never shown last time's answer")


def windowed_questions(tree: Any) -> set[str]:
    """The questions a predicate tree tests against a time window."""
    if isinstance(tree, dict):
        if "q" in tree:
            return {tree["q"]} if WINDOW_OPERATORS & set(tree) else set()
        return set().union(*(windowed_questions(value) for value in tree.values()))
    if isinstance(tree, list):
        return set().union(*(windowed_questions(item) for item in tree))
    return set()


def _condition(cid: str, data: dict, questions: dict[str, Question], rules: list[Rule],
               problems: Problems, name: str) -> Condition:
    seed = flag(data, "seed", problems, name, "condition")
    added = flag(data, "added_by_clinic", problems, name, "condition")
    if seed and added:
        problems.add(name, "condition", "a seed is one of the catalogue's conditions, so the "
                     "clinic did not add it: drop seed or added_by_clinic")
    return Condition(
        id=cid, name=text_field(data, "name", problems, name, "condition"), seed=seed,
        questions=tuple(q.id for q in questions.values() if q.condition == cid),
        rules=tuple(rules), file=name, added_by_clinic=added)


def _read_questions(cid: str, items: Any, regions: tuple[Region, ...], problems: Problems,
                    name: str) -> list[Question]:
    if not isinstance(items, list) or not items:
        problems.add(name, "field 'questions'", "expected a list: the main question first, "
                     "then its follow-ups")
        return []
    result = []
    for index, item in enumerate(items):
        where = f"question '{item.get('id')}'" if isinstance(item, dict) else f"questions[{index}]"
        if not isinstance(item, dict):
            problems.add(name, where, "expected a mapping of fields")
            continue
        question = _read_question(cid, item, index == 0, regions, problems, name, where)
        if question is not None:
            result.append(question)
    return result


def read_question(item: dict, regions: tuple[Region, ...], problems: Problems, name: str,
                  where: str, **identity: Any) -> Question | None:
    """One question's entry, checked against its type; `identity` gives the Question's
    condition and parent (a health question) or intake and section (an intake detail)."""
    qtype = item.get("type")
    kind = TYPES.get(qtype) if isinstance(qtype, str) else None
    if kind is None and "type" in item:
        problems.add(name, f"{where}, field 'type'", f"unknown type {qtype!r} (expected one "
                     f"of: {', '.join(TYPES)})")
        return None
    common = QUESTION_KEYS - {"ask_when"} if identity.get("intake") else QUESTION_KEYS
    allowed = common | kind.fields if kind else common
    ok = check_keys(item, allowed, {"id", "text", "short", "type"}, problems, name,
                    f"{where} (a {qtype} question)" if kind else where)
    if not ok or not check_id(item["id"], problems, name, f"{where}, field 'id'"):
        return None
    if item["id"] in RESERVED_IDS:
        problems.add(name, f"{where}, field 'id'", f"'{item['id']}' is a name the questionnaire "
                     "form uses itself: give the question another id")
    return Question(
        id=item["id"], type=kind.name,
        text=text_field(item, "text", problems, name, where),
        short=text_field(item, "short", problems, name, where),
        hint=text_field(item, "hint", problems, name, where, required=False),
        required=not flag(item, "optional", problems, name, where),
        ask_afresh=flag(item, "ask_afresh", problems, name, where),
        ask_when_data=item.get("ask_when"), **identity,
        **kind.definition(item, regions, problems, name, where),
    )


def _read_question(cid: str, item: dict, is_main: bool, regions: tuple[Region, ...],
                   problems: Problems, name: str, where: str) -> Question | None:
    question = read_question(item, regions, problems, name, where, condition=cid,
                             parent=None if is_main else cid)
    if question is None:
        return None
    kind = question.kind
    if is_main:
        if item["id"] != cid:
            problems.add(name, f"{where}, field 'id'", f"the main question's id must be the "
                         f"condition id '{cid}'")
        if kind.name != "yes_no" or "optional" in item or "ask_when" in item:
            problems.add(name, where, "the main question must be a required yes_no question "
                         "without ask_when")
    return question


def _with_ask_when(question: Question, tree: Any, questions: dict[str, Question],
                   problems: Problems, name: str) -> Question:
    """The follow-up with its ask_when compiled, checked to be one FHIR can express too."""
    predicate = _compile_ask_when(question, tree, questions, problems, name)
    question = dataclasses.replace(question, ask_when=predicate)
    if predicate is not None:
        try:
            follow_up_tests(questions, question)
        except FlatError as error:
            problems.add(name, f"question '{question.id}', field 'ask_when'", str(error))
    return question


def _compile_ask_when(question: Question, tree: Any, questions: dict[str, Question],
                      problems: Problems, name: str):
    where = f"question '{question.id}', field 'ask_when'"
    same_condition = [qid for qid, q in questions.items() if q.condition == question.condition]
    earlier = set(same_condition[:same_condition.index(question.id)])
    others = sorted(referenced_questions(tree) - earlier)
    if others:
        problems.add(name, where, f"may only look at earlier questions of the same condition, "
                     f"not {', '.join(map(repr, others))}")
        return None
    used = _operators(tree) - ASK_WHEN_OPERATORS
    if used:
        problems.add(name, where, f"operator {', '.join(sorted(used))} cannot be used to show a "
                     f"question (use one of: {', '.join(sorted(ASK_WHEN_OPERATORS))})")
        return None
    return _compile(tree, questions, problems, name, f"question '{question.id}'", "ask_when")


def _operators(tree: Any) -> set[str]:
    if isinstance(tree, dict):
        if "q" in tree:
            return {key for key in tree if key != "q"}
        return set().union(*(_operators(value) for value in tree.values()))
    if isinstance(tree, list):
        return set().union(*(_operators(item) for item in tree))
    return set()


def _compile(tree: Any, questions: dict[str, Question], problems: Problems, name: str,
             where: str, path: str, parameters: Mapping[str, Parameter] | None = None):
    try:
        return compile_predicate(tree, questions, path, parameters)
    except PredicateError as error:
        problems.add(name, f"{where}, field '{error.path}'", error.message)
        return None


def _read_rules(cid: str, items: Any, questions: dict[str, Question],
                regions: tuple[Region, ...], parameters: Mapping[str, Parameter],
                rule_ids: dict[str, str], problems: Problems, name: str) -> list[Rule]:
    if not isinstance(items, list) or not items:
        problems.add(name, "field 'rules'", "expected a list of rules")
        return []
    rules = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.add(name, f"rules[{index}]", "expected a mapping of fields")
            continue
        where = f"rule '{item.get('id')}'"
        rule = _read_rule(cid, item, questions, regions, parameters, problems, name, where)
        if rule is None:
            continue
        if rule.id in rule_ids:
            problems.add(name, where, f"duplicate rule id (also in {rule_ids[rule.id]})")
        rule_ids.setdefault(rule.id, name)
        rules.append(rule)
    own = {rule.id for rule in rules}
    for rule in rules:
        for target in rule.overrides:
            if target not in own or target == rule.id:
                problems.add(name, f"rule '{rule.id}', field 'overrides'", f"'{target}' is not "
                             f"another rule of condition '{cid}'")
    return rules


def _read_rule(cid: str, item: dict, questions: dict[str, Question],
               regions: tuple[Region, ...], parameters: Mapping[str, Parameter],
               problems: Problems, name: str, where: str) -> Rule | None:
    required = {"id", "outcome", "client_message", "therapist_action", "source"}
    if not check_keys(item, RULE_KEYS, required, problems, name, where):
        return None
    if not check_id(item["id"], problems, name, f"{where}, field 'id'"):
        return None
    outcome = item["outcome"]
    if outcome == OUTCOMES[0]:
        problems.add(name, f"{where}, field 'outcome'", f"a rule cannot give '{outcome}': "
                     "clear is what a client gets when no rule matches")
    elif outcome not in OUTCOMES[1:]:
        problems.add(name, f"{where}, field 'outcome'", f"unknown outcome {outcome!r} "
                     f"(expected one of: {', '.join(OUTCOMES[1:])})")
    when = (lambda answers, on: True) if item.get("when") is None else _compile(
        item["when"], questions, problems, name, where, "when", parameters)
    region_ids = {region.id for region in regions}
    areas = _id_list(item, "areas", problems, name, where)
    for area in areas:
        if area not in region_ids:
            problems.add(name, f"{where}, field 'areas'", f"unknown body region {area!r}")
    areas_from = _id_list(item, "areas_from", problems, name, where)
    for qid in areas_from:
        if questions.get(qid) is None or not questions[qid].kind.gives_areas:
            problems.add(name, f"{where}, field 'areas_from'", f"{qid!r} is not a body_location "
                         "question")
    suggested = flag(item, "suggested_default", problems, name, where)
    note = text_field(item, "note", problems, name, where, required=suggested)
    ask_to_check = flag(item, "ask_to_check", problems, name, where)
    if ask_to_check:
        _check_date_window(cid, item.get("when"), questions, parameters, problems, name, where)
    reads_intake = flag(item, "reads_intake", problems, name, where)
    _check_intake_read(item, areas_from, questions, reads_intake, problems, name, where)
    if when is None:
        return None
    return Rule(
        id=item["id"], condition=cid, outcome=outcome, when=when, when_data=item.get("when"),
        urgent=flag(item, "urgent", problems, name, where),
        client_message=text_field(item, "client_message", problems, name, where),
        therapist_action=text_field(item, "therapist_action", problems, name, where),
        source=text_field(item, "source", problems, name, where),
        areas=tuple(areas), areas_from=tuple(areas_from),
        overrides=tuple(_id_list(item, "overrides", problems, name, where)),
        suggested_default=suggested, note=note, ask_to_check=ask_to_check,
        reads_intake=reads_intake)


def _check_date_window(cid: str, tree: Any, questions: dict[str, Question],
                       parameters: Mapping[str, Parameter], problems: Problems, name: str,
                       where: str) -> None:
    """A rule the form asks the client about (`ask_to_check`) tests one date of its own
    condition against a named window: `{q: DATE_QUESTION, older_than: PARAMETER}`."""
    question = questions.get(tree.get("q")) if isinstance(tree, dict) else None
    if (question is None or set(tree) != {"q", "older_than"} or question.type != "date"
            or question.condition != cid or tree["older_than"] not in parameters):
        problems.add(name, f"{where}, field 'ask_to_check'", "the form can only ask the "
                     "client to check a date: the rule's 'when' must be one test "
                     "{q: DATE_QUESTION, older_than: PARAMETER} on a date question of this "
                     "condition, with a window from parameters.yaml")


def _check_intake_read(item: dict, areas_from: list[str], questions: dict[str, Question],
                       reads_intake: bool, problems: Problems, name: str, where: str) -> None:
    """Intake details never change an outcome by accident: a rule reading one must say so
    (`reads_intake: true`), and one that says so must read one."""
    read = referenced_questions(item.get("when")) if item.get("when") is not None else set()
    intake = sorted(qid for qid in read | set(areas_from)
                    if qid in questions and questions[qid].intake)
    if intake and not reads_intake:
        problems.add(name, where, f"reads the intake detail {', '.join(map(repr, intake))}: "
                     "intake details do not change the outcome; if this rule should, add "
                     "reads_intake: true")
    elif reads_intake and not intake:
        problems.add(name, f"{where}, field 'reads_intake'", "the rule reads no intake "
                     "detail: remove reads_intake")


def _id_list(item: dict, key: str, problems: Problems, name: str, where: str) -> list[str]:
    value = item.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        problems.add(name, f"{where}, field '{key}'", "expected a list of ids")
        return []
    return value
