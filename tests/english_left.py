"""English left in something meant to be in another language: every sentence of the app's
catalogue that has a translation, looked for in its English words.

Only what the catalogue holds is looked for: the rule book's words (questions, outcomes,
findings) are translated in rules/translations/ and checked there.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUES = Path(__file__).parent.parent / "screening" / "translations"


@cache
def english_sentences(language: str = "es") -> tuple[str, ...]:
    """The English of each translated message (both forms of a plural), cut at its
    placeholders and markup, the pieces of three words or more (shorter ones, "Date",
    "Back", can be a word of any language)."""
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as stream:
        catalog = read_po(stream)
    pieces = set()
    for message in catalog:
        if not message.id or not message.string or message.id == message.string:
            continue
        english = message.id if message.pluralizable else (message.id,)  # singular, plural
        for piece in re.split(r"%\(\w+\)[sd]|<[^>]*>", " ".join(english)):
            piece = " ".join(piece.split()).strip(" ,.:;()")
            if len(piece.split()) >= 3:
                pieces.add(piece)
    return tuple(sorted(pieces))


def english_left(text: str, language: str = "es") -> list[str]:
    """The catalogue's English sentences found in `text` (none, when all is translated)."""
    flat = " ".join(text.split())
    return [piece for piece in english_sentences(language) if piece in flat]
