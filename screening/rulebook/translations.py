"""The rule book's words in other languages: `translations/<language>.yaml` beside it.

Each file is keyed by the rule book's own ids, and every entry keeps the English it was
translated from: `{en: "...", es: "..."}`. So a translation whose English has changed since
(stale: it may be clinically out of date) is found and never used, and a translation of
something the rule book no longer has (extra) is reported. The English is the text as
written in the rule book's files, `{parameter}` placeholders and all (`source_texts`), and a
translation must keep the same placeholders. A file that cannot be read, or an entry of the
wrong shape, is a problem of the rule book (RulebookError); missing, stale and extra entries
are warnings (`Translation.warnings`), and the English is used for them. No Flask here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .parameters import REFERENCE
from .yamlio import Problems, read_yaml

if TYPE_CHECKING:
    from .types import BodyMap

FOLDER = "translations"
#: A translatable text's place: ("questions", "vv_location", "text"), and so on.
Key = tuple[str, ...]
#: The wording fields of a question entry (therapist-facing fields are not translated).
QUESTION_WORDS = ("text", "short", "hint", "unit", "score_label", "record_label")
#: A rule's words: what the client is told, and what the therapist (and, in the letter, the
#: client's doctor) is told, so a clinic or a letter in another language reads its own.
RULE_WORDS = ("client_message", "therapist_action")
_TOP = ("rulebook", "outcomes", "urgent", "region_groups", "regions", "body_map", "sections",
        "conditions", "questions", "rules")


@dataclass(frozen=True)
class Translation:
    """One language's file, checked against the rule book's English."""
    language: str
    name: str  # the language's own name ("Español")
    file: str
    #: The usable translations (current English, same placeholders), placeholders unfilled.
    texts: dict[Key, str] = field(default_factory=dict)
    #: Every missing, stale and extra entry, as "file: key: what".
    warnings: tuple[str, ...] = ()


def dotted(key: Key) -> str:
    return ".".join(key)


# --- The English, as the rule book's files have it -------------------------------------------


def source_texts(index: Mapping, intake: Mapping | None, conditions: Iterable[Mapping],
                 body_map: BodyMap | None) -> dict[Key, str]:
    """Every translatable text of an already validated rule book, by key, in form order:
    the parsed files before their `{parameter}`s are filled (the translator's English)."""
    texts: dict[Key, str] = {}

    def add(key: Key, value: Any) -> None:
        if isinstance(value, str) and value.strip():
            texts[key] = value.strip()

    add(("rulebook", "title"), index.get("title"))
    for oid, words in (index.get("outcomes") or {}).items():
        for name in ("title", "summary", "next"):
            add(("outcomes", oid, name), words.get(name))
    for name in ("title", "text"):
        add(("urgent", name), (index.get("urgent") or {}).get(name))
    for group in index.get("body_regions") or []:
        add(("region_groups", str(group["group"])), str(group["group"]))
        for region in group.get("regions") or []:
            add(("regions", region["id"]), region["label"])
    for view in body_map.views if body_map else ():
        add(("body_map", view.id, "title"), view.title)
        for number, edge in enumerate(view.edges):
            add(("body_map", view.id, "edges", str(number)), edge)
    intake_sections = (intake or {}).get("sections") or []
    for section in [*(index.get("sections") or []), *intake_sections]:
        add(("sections", section["id"], "title"), section.get("title"))
        add(("sections", section["id"], "intro"), section.get("intro"))
    for condition in conditions:
        add(("conditions", condition["id"], "name"), condition.get("name"))
    questions = [*(q for s in intake_sections for q in s.get("questions") or []),
                 *(q for condition in conditions for q in condition.get("questions") or [])]
    for question in questions:
        for name in QUESTION_WORDS:
            add(("questions", question["id"], name), question.get(name))
        for option in question.get("options") or []:
            add(("questions", question["id"], "options", option["id"]), option.get("label"))
    for condition in conditions:
        for rule in condition.get("rules") or []:
            for name in RULE_WORDS:
                add(("rules", rule["id"], name), rule.get(name))
    return texts


# --- Reading a language's file ---------------------------------------------------------------


def load_translations(folder: Path, sources: Mapping[Key, str],
                      problems: Problems) -> dict[str, Translation]:
    """Every `<language>.yaml` of `folder` (none when there is no folder), by language."""
    found: dict[str, Translation] = {}
    for file in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        translation = read_translation(file, sources, problems)
        if translation is not None:
            found[translation.language] = translation
    return found


def read_translation(file: Path, sources: Mapping[Key, str],
                     problems: Problems) -> Translation | None:
    data = _parsed(file, problems)
    if data is None:
        return None
    name, before = str(file), len(problems.items)
    language = data.get("language")
    if language != file.stem:
        problems.add(name, "field 'language'", f"expected {file.stem!r} (the file's name), "
                     f"not {language!r}")
        return None
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        problems.add(name, "field 'name'", "expected the language's own name (Español)")
    unknown = sorted(set(data) - {"language", "name", *_TOP})
    if unknown:
        problems.add(name, "file", f"unknown field(s) {', '.join(unknown)} (expected "
                     f"language, name and some of: {', '.join(_TOP)})")
    entries: dict[Key, tuple[str, str | None]] = {}
    for top in _TOP:
        if top in data and data[top] is not None:
            _flatten(data[top], (top,), language, entries, problems, name)
    if len(problems.items) > before:
        return None
    return _checked(language, str(data["name"]).strip(), name, entries, sources, problems)


def _parsed(file: Path, problems: Problems) -> Any:
    """The file's content, parsed once while it stays the same (a translation is the rule
    book's largest file, and every app, every test's too, loads the rule book afresh).
    Shared between loads: only read, never changed."""
    try:
        status = file.stat()
    except OSError:
        return read_yaml(file, problems)
    data, found = _cached(str(file), status.st_mtime_ns, status.st_size, status.st_ino)
    problems.items.extend(found)
    return data


@lru_cache(maxsize=16)
def _cached(name: str, *_signature: int) -> tuple[Any, tuple[str, ...]]:
    problems = Problems()
    return read_yaml(Path(name), problems), tuple(problems.items)


def _flatten(data: Any, key: Key, language: str, entries: dict, problems: Problems,
             file: str) -> None:
    """The file's nested entries as {key: (en, translation)}; an entry is a mapping with
    `en`, anything else of the wrong shape a problem."""
    if isinstance(data, dict) and "en" in data:
        extra = sorted(set(data) - {"en", language})
        english, text = data.get("en"), data.get(language)
        if extra:
            problems.add(file, dotted(key), f"unexpected field(s) {', '.join(map(str, extra))} "
                         f"(an entry has en and {language})")
        elif not isinstance(english, str) or not (text is None or isinstance(text, str)):
            problems.add(file, dotted(key), f"expected {{en: the English, {language}: its "
                         "translation}, both text")
        else:
            entries[key] = (english.strip(), text.strip() if text else None)
    elif isinstance(data, dict):
        for name, value in data.items():
            _flatten(value, (*key, str(name)), language, entries, problems, file)
    elif isinstance(data, list):
        for number, value in enumerate(data):
            _flatten(value, (*key, str(number)), language, entries, problems, file)
    else:
        problems.add(file, dotted(key), f"expected {{en: the English, {language}: its "
                     f"translation}}, not {data!r}")


def _checked(language: str, name: str, file: str, entries: dict[Key, tuple[str, str | None]],
             sources: Mapping[Key, str], problems: Problems) -> Translation:
    """The translation with its usable texts, and a warning for each entry it cannot use."""
    texts: dict[Key, str] = {}
    warnings: list[str] = []
    for key, english in sources.items():
        entry = entries.get(key)
        if entry is None or not entry[1]:
            warnings.append(f"{file}: {dotted(key)}: missing (the English is shown)")
        elif entry[0] != english:
            warnings.append(f"{file}: {dotted(key)}: stale (the English changed after it was "
                            "translated; the English is shown until it is translated again)")
        elif _placeholders(entry[1]) != _placeholders(english):
            problems.add(file, dotted(key), f"the translation must say "
                         f"{', '.join(sorted(_placeholders(english))) or 'no {parameter}'} as "
                         f"the English does, not "
                         f"{', '.join(sorted(_placeholders(entry[1]))) or 'none'}")
        else:
            texts[key] = entry[1]
    warnings.extend(f"{file}: {dotted(key)}: extra (the rule book has no such text)"
                    for key in entries if key not in sources)
    return Translation(language, name, file, texts, tuple(warnings))


def _placeholders(text: str) -> set[str]:
    return {f"{{{match}}}" for match in REFERENCE.findall(text)}


# --- A file to translate ---------------------------------------------------------------------


def skeleton(language: str, name: str, sources: Mapping[Key, str],
             existing: Translation | None = None, only_to_do: bool = False) -> str:
    """A translation file for `language` as YAML: each usable translation of `existing`
    kept, every other text with its current English and the translation empty (null); with
    `only_to_do`, just the missing and stale ones, to paste into the file."""
    usable = existing.texts if existing else {}
    tree: dict[str, Any] = {"language": language, "name": name}
    for key, english in sources.items():
        if only_to_do and key in usable:
            continue
        node = tree
        for part in key[:-1]:
            node = node.setdefault(part, {})
        node[key[-1]] = {"en": english, language: usable.get(key)}
    _edges_as_lists(tree.get("body_map", {}))
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=100)


def _edges_as_lists(body_map: dict[str, Any]) -> None:
    """A view's edges are a list of two entries in the file, as in body_map.yaml."""
    for view in body_map.values():
        if isinstance(view.get("edges"), dict):
            view["edges"] = [view["edges"][number] for number in sorted(view["edges"])]
