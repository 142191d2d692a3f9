"""Names as the queue's search compares them: accents, case and punctuation ignored.

`search_key("Zoë Nguyen-O'Brien")` is `"zoe nguyen obrien"`. Each screening stores the key of
its client's name (`Screening.search_name`), and a search matches a screening when each word
of the search's key is part of it, so the same plain LIKE finds the same rows on SQLite and
PostgreSQL, whatever either makes of accents and case.
"""

from __future__ import annotations

import re
import unicodedata

#: Letters Unicode does not split into a base letter and an accent.
_PLAIN = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "þ": "th",
                        "æ": "ae", "œ": "oe"})
#: Apostrophes join the parts of a name (O'Brien, D’Angelo): dropped, not made a space.
_APOSTROPHES = re.compile(r"['’ʼ‘`´]")
#: As long as a key can get: a name is at most 100 characters, and a few letters spell out
#: as two (æ, œ, ß) or more (ligatures).
KEY_LENGTH = 200


def search_key(name: str) -> str:
    """Lower case, without accents, apostrophes or other punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", name).casefold()
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _APOSTROPHES.sub("", text.translate(_PLAIN))
    return " ".join("".join(char if char.isalnum() else " " for char in text).split())[
        :KEY_LENGTH]


def search_words(query: str) -> list[str]:
    """The words a search for `query` looks for, each to be found in a name's key."""
    return search_key(query).split()
