"""The screening engine: answers + rule book + date -> outcome, urgent flag, findings.

Pure and deterministic: no Flask, no database, no clock (the date to screen on
is an argument). Answers are keyed by question id and encoded as in
shared/clinical/README.md; they should first go through `answers.normalise`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from .rulebook import OUTCOMES, RANK, Rule, Rulebook

#: A condition's rules apply when its main question is answered one of these.
GATE = frozenset({"yes", "not_sure"})


class Finding(NamedTuple):
    """One matching rule: immutable, so a rule without answer-dependent areas shares one."""

    condition: str
    rule: str
    outcome: str
    urgent: bool
    client_message: str
    therapist_action: str
    body_areas: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"condition": self.condition, "rule": self.rule, "outcome": self.outcome,
                "urgent": self.urgent, "client_message": self.client_message,
                "therapist_action": self.therapist_action, "body_areas": list(self.body_areas)}


class Result(NamedTuple):
    outcome: str
    urgent: bool
    findings: tuple[Finding, ...]
    rulebook_version: str
    screened_on: date

    @property
    def body_areas(self) -> tuple[str, ...]:
        """Every body area any finding involves, without repeats, in finding order."""
        return tuple(dict.fromkeys(area for finding in self.findings
                                   for area in finding.body_areas))

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "urgent": self.urgent,
                "findings": [finding.to_dict() for finding in self.findings],
                "body_areas": list(self.body_areas),
                "rulebook_version": self.rulebook_version,
                "screened_on": self.screened_on.isoformat()}


#: Per condition: its id, per rule (rule, its test or None, its finding if shared), and
#: whether any of its rules overrides another.
Plan = tuple[tuple[str, tuple[tuple[Rule, Any, Finding | None], ...], bool], ...]
_PLAN = "_screening_engine_plan"


def _plan(rulebook: Rulebook) -> Plan:
    """What does not depend on the answers, worked out once per rule book and kept in the
    rule book object's own __dict__ (as functools.cached_property does): reading it back
    is a plain dictionary lookup, several times cheaper than a weak-key dictionary's."""
    plan = rulebook.__dict__[_PLAN] = tuple(
        (condition.id, tuple(
            (rule, None if rule.when_data is None else rule.when,
             None if rule.areas_from else _finding(rule, rule.areas))
            for rule in condition.rules), any(rule.overrides for rule in condition.rules))
        for condition in rulebook.conditions.values())
    return plan


def evaluate(rulebook: Rulebook, answers: Mapping[str, Any], on: date) -> Result:
    """Screen `answers` against every rule of `rulebook`, with time windows as of `on`.

    Each rule of a condition whose question was answered Yes or Not sure is
    tested; every matching rule gives a finding, except rules that another
    matching rule of the same condition `overrides` (the catalogue's
    de-escalations). The outcome is the most restrictive finding's.
    """
    findings: list[Finding] = []
    answer = answers.get
    for condition_id, rules, overrides in rulebook.__dict__.get(_PLAN) or _plan(rulebook):
        if answer(condition_id) not in GATE:
            continue
        if not overrides:  # most conditions: every matching rule is a finding
            for rule, test, shared in rules:
                if test is None or test(answers, on):
                    findings.append(shared or _finding(rule, _areas(rule, answers)))
            continue
        matched = [item for item in rules if item[1] is None or item[1](answers, on)]
        dropped = {target for item in matched for target in item[0].overrides}
        for rule, _test, shared in matched:
            if rule.id not in dropped:
                findings.append(shared or _finding(rule, _areas(rule, answers)))
    if not findings:  # most clients
        return Result(OUTCOMES[0], False, (), rulebook.version, on)
    findings.sort(key=_order)
    outcome = max((finding.outcome for finding in findings), key=RANK.__getitem__)
    return Result(outcome, findings[0].urgent, tuple(findings), rulebook.version, on)


def _order(finding: Finding) -> tuple[bool, int]:
    """Urgent first, then the most restrictive; otherwise rule book order (a stable sort)."""
    return (not finding.urgent, -RANK[finding.outcome])


def _finding(rule: Rule, areas: tuple[str, ...]) -> Finding:
    return Finding(rule.condition, rule.id, rule.outcome, rule.urgent, rule.client_message,
                   rule.therapist_action, areas)


def _areas(rule: Rule, answers: Mapping[str, Any]) -> tuple[str, ...]:
    named = [area for qid in rule.areas_from for area in answers.get(qid) or ()]
    return tuple(dict.fromkeys((*rule.areas, *named)))
