"""How stored answers and outcomes read on a page: shared by every template."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext, lazy_gettext
from wtforms import SelectChoice

from . import languages
from .answers import is_empty
from .clinic import clinic_zone, current_rulebook, screening_findings
from .engine import GATE
from .models import as_utc
from .red_flags import red_flag_answered, red_flags
from .returning import outcome_move
from .rulebook import Question, Rulebook
from .settings import CONTACT_SETTINGS

OUTCOME_ICONS = {"clear": "✓", "caution": "!", "local": "◐", "medical_clearance": "✚",
                 "postpone": "✕"}
#: The outcomes' labels in records that stay English (the FHIR QuestionnaireResponse).
OUTCOME_LABELS = {"clear": "Clear", "caution": "Go ahead with care", "local": "Avoid some areas",
                  "medical_clearance": "Check with doctor first", "postpone": "Postpone"}
#: The same labels on pages, in the page's language.
OUTCOME_WORDS = {"clear": lazy_gettext("Clear"), "caution": lazy_gettext("Go ahead with care"),
                 "local": lazy_gettext("Avoid some areas"),
                 "medical_clearance": lazy_gettext("Check with doctor first"),
                 "postpone": lazy_gettext("Postpone")}


def date_time(value: datetime | None) -> str:
    """A moment in the clinic's time zone (stored times are UTC), its date written out in the
    language in force: 27 March 2026, 14:05; 27 de marzo de 2026, 14:05."""
    if value is None:
        return ""
    local = as_utc(value).astimezone(clinic_zone())
    return f"{languages.long_date(local.date())}, {local:%H:%M}"


def outcome_text(result: Any) -> str:
    """A screening's (or a result's) outcome in words, and whether it is urgent: "Postpone,
    urgent"."""
    label = OUTCOME_WORDS[result.outcome]
    return gettext("%(outcome)s, urgent", outcome=label) if result.urgent else str(label)


def format_answer(question: Question, value: Any) -> str:
    """An answer as the client would say it (option labels, long dates, units: as its
    question type shows it)."""
    if is_empty(value):
        return gettext("Not answered")
    return question.kind.display(question, value)


def intake_rows(rulebook: Rulebook, answers: Mapping[str, Any],
                brief: bool = False) -> list[tuple[Question, str]]:
    """(question, answer as read) for each intake detail answered, as the record lists them:
    not the body areas the chart's legend names (with their scores) already; `brief` (the
    client's result, with no chart) lists those, and leaves out what they typed and contacts.
    Lines typed (a list of medicines) read as one, separated by semicolons, so the record
    stays short."""
    rows = []
    for question in rulebook.questions.values():
        value = answers.get(question.id)
        if not question.intake or is_empty(value):
            continue
        if (question.chart and not brief) or (brief and question.kind.free_text):
            continue
        text = format_answer(question, value)
        rows.append((question, "; ".join(line.strip() for line in text.splitlines()
                                         if line.strip())))  # one line each: a list typed
    return rows


def question_macro(question: Question):
    """The macro that renders `question` in the form: its type's `macro`, in its type's
    `template` (templates/_macros.html for the built-in types)."""
    kind = question.kind
    return getattr(current_app.jinja_env.get_template(kind.template).module, kind.macro)


def group_findings(findings: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Stored findings grouped by condition name, most restrictive condition first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        groups.setdefault(finding.get("condition_name", finding["condition"]), []).append(finding)
    return list(groups.items())


def region_groups(rulebook: Rulebook) -> dict[str, str]:
    return {region.id: region.group for region in rulebook.regions}


def region_choices(rulebook: Rulebook) -> list[SelectChoice]:
    """The body regions as the choices of a body-area question."""
    return [SelectChoice(region.id, region.label) for region in rulebook.regions]


def region_labels(rulebook: Rulebook, region_ids: list[str]) -> list[str]:
    return [rulebook.region_label(region_id) for region_id in region_ids]


def clinic_contact(config: Mapping[str, Any]) -> dict[str, Any] | None:
    """How clients and their doctors reach the clinic (SCREENING_CLINIC_ADDRESS, _PHONE,
    _EMAIL), or None when none is set. The address is split into lines at new lines and
    commas; the phone number gets a `tel:` link."""
    address, phone, email = (config.get(key) for key in CONTACT_SETTINGS)
    if not (address or phone or email):
        return None
    return {"address": [line.strip() for line in re.split(r"[\n,]", address or "")
                        if line.strip()],
            "phone": phone, "phone_link": _dialled(phone) if phone else None,
            "email": email}


def _dialled(phone: str) -> str:
    """The digits a `tel:` link dials: "+44 (0)117 496 0000" is +441174960000 (the "(0)"
    of an international number is for callers in the same country)."""
    if phone.startswith("+"):
        phone = phone.replace("(0)", "")
    return re.sub(r"[^0-9+]", "", phone)


def init_app(app: Flask) -> None:
    app.add_template_filter(languages.long_date)  # in the page's (or document's) language
    app.add_template_filter(date_time)
    app.add_template_filter(languages.number)
    app.add_template_global(outcome_text)
    app.add_template_global(format_answer)
    app.add_template_global(question_macro)
    app.add_template_global(intake_rows)
    app.add_template_global(group_findings)
    app.add_template_global(screening_findings)
    app.add_template_global(sorted(GATE), "gate")
    app.add_template_global(region_groups)
    app.add_template_global(red_flags)
    app.add_template_global(red_flag_answered)
    app.add_template_global(region_choices)
    app.add_template_global(outcome_move)
    app.add_template_global(OUTCOME_ICONS, "outcome_icons")
    app.add_template_global(OUTCOME_WORDS, "outcome_labels")

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"clinic_name": app.config["CLINIC_NAME"], "rulebook": current_rulebook(),
                "region_labels": region_labels, "clinic": clinic_contact(app.config)}
