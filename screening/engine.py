"""The screening engine: answers + rule book + date -> outcome, urgent flag, findings.

Pure and deterministic: no Flask, no database, no clock (the date to screen on
is an argument). Answers are keyed by question id and encoded as in
shared/clinical/README.md; they should first go through `answers.normalise`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .rulebook import OUTCOMES, RANK, Rulebook

#: A condition's rules apply when its main question is answered one of these.
GATE = frozenset({"yes", "not_sure"})


@dataclass(frozen=True)
class Finding:
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


@dataclass(frozen=True)
class Result:
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


def evaluate(rulebook: Rulebook, answers: Mapping[str, Any], on: date) -> Result:
    """Screen `answers` against every rule of `rulebook`, with time windows as of `on`.

    Each rule of a condition whose question was answered Yes or Not sure is
    tested; every matching rule gives a finding, except rules that another
    matching rule of the same condition `overrides` (the catalogue's
    de-escalations). The outcome is the most restrictive finding's.
    """
    findings: list[Finding] = []
    for condition in rulebook.conditions.values():
        if answers.get(condition.id) not in GATE:
            continue
        matched = [rule for rule in condition.rules if rule.when(answers, on)]
        dropped = {target for rule in matched for target in rule.overrides}
        for rule in matched:
            if rule.id not in dropped:
                findings.append(Finding(
                    condition=condition.id, rule=rule.id, outcome=rule.outcome,
                    urgent=rule.urgent, client_message=rule.client_message,
                    therapist_action=rule.therapist_action,
                    body_areas=_areas(rule.areas, rule.areas_from, answers)))
    findings.sort(key=lambda finding: (not finding.urgent, -RANK[finding.outcome]))
    outcome = max((finding.outcome for finding in findings), key=RANK.__getitem__,
                  default=OUTCOMES[0])
    return Result(outcome=outcome, urgent=any(finding.urgent for finding in findings),
                  findings=tuple(findings), rulebook_version=rulebook.version, screened_on=on)


def _areas(fixed: tuple[str, ...], from_questions: tuple[str, ...],
           answers: Mapping[str, Any]) -> tuple[str, ...]:
    if not from_questions:
        return fixed
    named = [area for qid in from_questions for area in answers.get(qid) or ()]
    return tuple(dict.fromkeys((*fixed, *named)))
