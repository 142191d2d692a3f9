"""The rule book: questions and rules as data, loaded and validated in one place.

A rule book is a folder holding `rulebook.yaml` (wording of outcomes, body
regions, sections), `conditions/*.yaml` (one condition each: its question,
follow-ups and rules) and, optionally, `parameters.yaml` (the thresholds a clinic
may change, named; see parameters.py), `intake.yaml` (the intake details, never
screened; see load_intake.py), `body_map.yaml` and `translations/<language>.yaml` (its words
in other languages; see translations.py). `load_rulebook` checks the
schema and the meaning and raises RulebookError listing every problem with its
file, item and field, so a broken rule book never reaches a client. This package imports no Flask.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

from .body_map import FILE as BODY_MAP_FILE
from .body_map import load_body_map
from .load_conditions import load_conditions
from .load_intake import FILE as INTAKE_FILE
from .load_intake import load_intake
from .parameters import REFERENCE, Parameter, fill_wording, load_parameters
from .predicates import parameter_names
from .translations import FOLDER as TRANSLATIONS
from .translations import load_translations, source_texts
from .types import OUTCOMES, Condition, Region, Rulebook, RulebookError, Section
from .yamlio import (
    Problems,
    check_date,
    check_id,
    check_keys,
    check_mapping,
    read_yaml,
    text_field,
)

PARAMETERS = "parameters.yaml"
#: The questionnaire's own first section ("About you") has the page id `section-details`.
RESERVED_SECTION_IDS = frozenset({"details"})


def load_rulebook(path: str | Path) -> Rulebook:
    """Load and validate the rule book in folder `path` (or its `rulebook.yaml`)."""
    root = Path(path)
    if root.is_file():
        root = root.parent
    problems = Problems()
    parameters_file = root / PARAMETERS
    parameters = load_parameters(read_yaml(parameters_file, problems)
                                 if parameters_file.exists() else None,
                                 problems, str(parameters_file))
    wording = Wording(parameters, problems)
    index_file = root / "rulebook.yaml"
    index = wording.fill(read_yaml(index_file, problems), index_file)
    if index is None:
        raise RulebookError(problems.items)
    index_name = str(index_file)
    check_keys(index, {"title", "version", "reviewed", "outcomes", "urgent", "body_regions",
                       "sections"}, {"title", "version", "outcomes", "urgent", "body_regions",
                                     "sections"}, problems, index_name, "rule book")
    check_date(index.get("reviewed"), problems, index_name, "field 'reviewed'")
    regions = _load_regions(index.get("body_regions"), problems, index_name)
    outcomes = _load_outcomes(index.get("outcomes"), problems, index_name)
    urgent = _load_texts(index.get("urgent"), ("title", "text"), problems, index_name, "urgent")
    sections = _load_sections(index.get("sections"), problems, index_name)
    intake_file = root / INTAKE_FILE
    intake_sections, intake = load_intake(
        wording.fill(read_yaml(intake_file, problems), intake_file)
        if intake_file.exists() else None, regions, {section.id for section in sections},
        problems, str(intake_file))
    files = {file.stem: file for file in sorted((root / "conditions").glob("*.yaml"))}
    raw_conditions = _condition_files(files, sections, wording, problems, index_name)
    conditions, questions = load_conditions(raw_conditions, regions, parameters, problems,
                                            intake)
    body_map = _load_body_map(root / BODY_MAP_FILE, regions, problems)
    wording.check_all_used(conditions, str(parameters_file))
    if problems.items:
        raise RulebookError(problems.items)
    english = source_texts(wording.raw[index_file], wording.raw.get(intake_file),
                           [wording.raw[file] for file, _data in raw_conditions.values()],
                           body_map)
    translations = load_translations(root / TRANSLATIONS, english, problems)
    if problems.items:
        raise RulebookError(problems.items)
    sections = [*intake_sections["before"], *_with_questions(sections, conditions),
                *intake_sections["after"]]
    return Rulebook(
        title=str(index["title"]), label=str(index["version"]),
        digest=_digest(root, [index_file, *files.values(), *(
            [parameters_file] if parameters_file.exists() else []), *(
            [intake_file] if intake_file.exists() else [])]),
        path=str(root), outcomes=outcomes, urgent=urgent, regions=regions,
        sections=tuple(sections), conditions=conditions,
        questions={qid: (intake | questions)[qid] for section in sections
                   for qid in section.questions},
        parameters=parameters, body_map=body_map, english=english, translations=translations)


def _with_questions(sections: list[Section], conditions: dict[str, Condition]) -> list[Section]:
    """The health sections with their questions listed, condition by condition."""
    return [dataclasses.replace(section, questions=tuple(
        qid for cid in section.conditions for qid in conditions[cid].questions))
        for section in sections]


class Wording:
    """Fills each `{parameter}` in the rule book's wording, and notes which were used."""

    def __init__(self, parameters: dict[str, Parameter], problems: Problems):
        self.parameters, self.problems, self.used = parameters, problems, set()
        #: Each file's content as written, placeholders unfilled: what translators translate.
        self.raw: dict[Path, Any] = {}

    def fill(self, data: Any, file: Path) -> Any:
        self.raw[file] = data  # filling makes a new copy: the loaders only read this one
        if data is None or not REFERENCE.search(file.read_text(encoding="utf-8")):
            return data  # most files name no parameter: nothing to walk through
        return fill_wording(data, self.parameters, self.used, self.problems, str(file))

    def check_all_used(self, conditions: dict[str, Condition], file: str) -> None:
        """A parameter no rule and no wording uses is a mistake (a name misspelt)."""
        used = self.used.union(*(parameter_names(rule.when_data)
                                 for condition in conditions.values()
                                 for rule in condition.rules))
        for name in sorted(set(self.parameters) - used):
            self.problems.add(file, f"parameter '{name}'", "is not used by any rule or wording: "
                              "use it, or remove it")


def _condition_files(files: dict[str, Path], sections: list[Section], wording: Wording,
                     problems: Problems, index_name: str) -> dict[str, tuple[Path, Any]]:
    """Each condition the sections list: its file and its parsed content, wording filled."""
    listed = [cid for section in sections for cid in section.conditions]
    for cid in sorted(set(files) - set(listed)):
        problems.add(str(files[cid]), "condition", "is not listed in any section of "
                     "rulebook.yaml, so the form would never ask it")
    raw: dict[str, tuple[Path, Any]] = {}
    for cid in listed:
        if cid not in files:
            problems.add(index_name, "sections", f"condition '{cid}' has no file "
                         f"conditions/{cid}.yaml")
        elif cid in raw:
            problems.add(index_name, "sections", f"condition '{cid}' is listed twice")
        else:
            raw[cid] = (files[cid], wording.fill(read_yaml(files[cid], problems), files[cid]))
    return raw


def _load_body_map(file: Path, regions: tuple[Region, ...], problems: Problems):
    """The figures of body_map.yaml, if the rule book has one (not part of the digest: they
    change how the form looks, never how answers are screened)."""
    if not file.exists():
        return None
    data = read_yaml(file, problems)
    return None if data is None else load_body_map(data, regions, problems, str(file))


def _digest(root: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(str(file.relative_to(root)).encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def _load_regions(data: Any, problems: Problems, file: str) -> tuple[Region, ...]:
    regions: list[Region] = []
    if not isinstance(data, list):
        problems.add(file, "body_regions", "expected a list of groups")
        return ()
    for index, group in enumerate(data):
        where = f"body_regions[{index}]"
        if not check_mapping(
                group, {"group", "regions"}, {"group", "regions"}, problems, file, where):
            continue
        for item in group["regions"] or []:
            spot = f"{where}, region {item.get('id') if isinstance(item, dict) else item!r}"
            if not check_mapping(
                    item, {"id", "label"}, {"id", "label"}, problems, file, spot):
                continue
            if not check_id(item["id"], problems, file, f"{spot}, field 'id'"):
                continue
            if any(region.id == item["id"] for region in regions):
                problems.add(file, spot, "duplicate region id")
            regions.append(Region(item["id"], str(item["label"]), str(group["group"])))
    return tuple(regions)


def _load_texts(data: Any, keys: tuple[str, ...], problems: Problems, file: str,
                where: str) -> dict[str, str]:
    if not isinstance(data, dict):
        problems.add(file, where, f"expected a mapping with {', '.join(keys)}")
        return {}
    check_keys(data, set(keys), set(keys), problems, file, where)
    return {key: text_field(data, key, problems, file, where) for key in keys}


def _load_outcomes(data: Any, problems: Problems, file: str) -> dict[str, dict[str, str]]:
    if not isinstance(data, dict):
        problems.add(file, "outcomes", "expected a mapping with one entry per outcome")
        return {}
    check_keys(data, set(OUTCOMES), set(OUTCOMES), problems, file, "outcomes")
    return {name: _load_texts(data.get(name), ("title", "summary", "next"), problems, file,
                              f"outcomes.{name}") for name in OUTCOMES}


def _load_sections(data: Any, problems: Problems, file: str) -> list[Section]:
    if not isinstance(data, list) or not data:
        problems.add(file, "sections", "expected a list of sections")
        return []
    sections: list[Section] = []
    for index, item in enumerate(data):
        where = f"sections[{index}]"
        if not check_mapping(
                item, {"id", "title", "intro", "conditions"}, {"id", "title", "conditions"},
                problems, file, where):
            continue
        if check_id(item["id"], problems, file, f"{where}, field 'id'"):
            if item["id"] in RESERVED_SECTION_IDS:
                problems.add(file, f"{where}, field 'id'", f"'{item['id']}' is the id of the "
                             "form's own first section: give the section another id")
            if any(section.id == item["id"] for section in sections):
                problems.add(file, f"{where}, field 'id'", f"duplicate section id "
                             f"'{item['id']}'")
        conditions = item["conditions"]
        if not isinstance(conditions, list) or not conditions:
            problems.add(file, f"{where}, field 'conditions'", "expected a list of condition ids")
            continue
        sections.append(Section(str(item["id"]), text_field(item, "title", problems, file, where),
                                text_field(item, "intro", problems, file, where,
                                           required=False),
                                tuple(str(cid) for cid in conditions)))
    return sections
