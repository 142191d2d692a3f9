"""The rule book in another language: a copy with the same ids and the same tests (so every
answer screens exactly as in English) and the words of that language's translation file.

A text with no usable translation (missing, or stale: its English changed since) keeps its
English, as `Untranslated`: a str that Jinja writes as `<span lang="en"
class="untranslated">...</span>`, so the page shows the clinic the gap and a screen reader
reads it in English; never a blank, never an out-of-date translation. No Flask here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from markupsafe import Markup

from .parameters import REFERENCE
from .question_types import Option
from .translations import RULE_WORDS, Key
from .types import BodyMap, Condition, Question, Region, Rulebook, Section

ENGLISH = "en"
_COPIES = "_screening_in_languages"


class Untranslated(str):
    """English shown in a page of another language: marked for the clinic and for screen
    readers when written into HTML (Jinja and markupsafe call `__html__`); plain text
    everywhere else (emails' text part, JSON, FHIR)."""

    __slots__ = ()

    def __html__(self) -> Markup:
        return Markup('<span lang="en" class="untranslated">{}</span>').format(str(self))


def translated(rulebook: Rulebook, language: str) -> Rulebook:
    """`rulebook` in `language` (made once per rule book and language, then kept): the
    English rule book itself for English, else a copy in the words of its translation file
    (every text English, marked, for a language with no file)."""
    original = rulebook.original or rulebook
    if language == ENGLISH:
        return original
    copies = original.__dict__.setdefault(_COPIES, {})
    if language not in copies:  # two requests at once may both make it: the first is kept
        copies.setdefault(language, _copy(original, language))
    return copies[language]


def is_translated(text: str) -> bool:
    """Whether a rule-book text is in its rule book's language (not English kept)."""
    return not isinstance(text, Untranslated)


def _copy(rulebook: Rulebook, language: str) -> Rulebook:
    translation = rulebook.translations.get(language)
    texts = translation.texts if translation else {}
    parameters = {name: dataclasses.replace(parameter, language=language)
                  for name, parameter in rulebook.parameters.items()}

    def word(key: Key, english: str) -> str:
        """The translation of the text at `key`, its parameters said in the language."""
        if not english:
            return english
        if key not in texts:
            return Untranslated(english)
        return REFERENCE.sub(lambda match: parameters[match.group(1)].text, texts[key])

    regions = tuple(Region(region.id, word(("regions", region.id), region.label),
                           word(("region_groups", region.group), region.group))
                    for region in rulebook.regions)
    return dataclasses.replace(
        rulebook, title=word(("rulebook", "title"), rulebook.title),
        outcomes={oid: {name: word(("outcomes", oid, name), text)
                        for name, text in words.items()}
                  for oid, words in rulebook.outcomes.items()},
        urgent={name: word(("urgent", name), text) for name, text in rulebook.urgent.items()},
        regions=regions,
        sections=tuple(_section(section, word) for section in rulebook.sections),
        conditions={cid: _condition(condition, word)
                    for cid, condition in rulebook.conditions.items()},
        questions={qid: _question(question, word, {r.id: r.label for r in regions})
                   for qid, question in rulebook.questions.items()},
        parameters=parameters, body_map=_body_map(rulebook.body_map, word),
        language=language, original=rulebook)


Word = Callable[[Key, str], str]


def _section(section: Section, word: Word) -> Section:
    return dataclasses.replace(section, title=word(("sections", section.id, "title"),
                                                   section.title),
                               intro=word(("sections", section.id, "intro"), section.intro))


def _condition(condition: Condition, word: Word) -> Condition:
    return dataclasses.replace(
        condition, name=word(("conditions", condition.id, "name"), condition.name),
        rules=tuple(dataclasses.replace(rule, **{name: word(("rules", rule.id, name),
                                                            getattr(rule, name))
                                                 for name in RULE_WORDS})
                    for rule in condition.rules))


def _question(question: Question, word: Word, region_labels: dict[str, str]) -> Question:
    """The question's words; a body-area question's options are the regions, translated."""
    words = {name: word(("questions", question.id, name), getattr(question, name))
             for name in ("text", "short", "hint", "unit", "score_label", "record_label")}
    if question.kind.gives_areas:
        options = tuple(Option(option.id, region_labels.get(option.id, option.label))
                        for option in question.options)
    else:
        options = tuple(Option(option.id, word(("questions", question.id, "options", option.id),
                                               option.label)) for option in question.options)
    return dataclasses.replace(question, **words, options=options)


def _body_map(body_map: BodyMap | None, word: Word) -> BodyMap | None:
    if body_map is None:
        return None
    return dataclasses.replace(body_map, views=tuple(dataclasses.replace(
        view, title=word(("body_map", view.id, "title"), view.title),
        edges=tuple(word(("body_map", view.id, "edges", str(number)), edge)
                    for number, edge in enumerate(view.edges)))
        for view in body_map.views))


def findings_in(rulebook: Rulebook, findings: list[dict], version: str) -> list[dict]:
    """A stored screening's findings (dicts with `rule`, `client_message`, `condition_name`)
    worded in `rulebook`'s language, when the screening was screened by this very rule book
    (`version` is its version): the same rules, so the same messages in other words. Screened
    by another version, they stay as stored: what the client was told then."""
    if version != rulebook.version:
        return findings
    rules = rulebook.rule_by_id
    return [{**finding, **{name: getattr(rules[finding["rule"]], name) for name in RULE_WORDS},
             "condition_name": rulebook.conditions[rules[finding["rule"]].condition].name}
            if finding.get("rule") in rules else finding for finding in findings]
