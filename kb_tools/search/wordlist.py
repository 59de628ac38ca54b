"""Real English words, from Debian's kept word lists (packages wamerican and wbritish, SCOWL).

"Did you mean" must never rewrite a correct word just because a small knowledge base never uses
it ("stealing", "contract", "remote"): a word in these lists is a word, whatever the index holds.
The lists have American and British spellings with their inflections, about 104,000 words each.
`make setup` installs them (scripts/install-wordlists.sh); without them every word the index does
not know counts as unknown, and only the check on the results keeps corrections honest.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

WORD_LISTS = (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/british-english"))


@functools.cache
def english_words() -> frozenset[str]:
    """Every word of the installed lists, lowercased and without accents (as the analyzer sees them).
    Read on first use only: a query whose words the index knows never pays for it."""
    found: set[str] = set()
    for path in WORD_LISTS:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        found.update(text.lower().split())  # in C: the possessives ("router's") stay, and harm nothing
    found.update([_fold(word) for word in found if not word.isascii()])  # "café" typed as "cafe"
    return frozenset(found)


def is_english(word: str) -> bool:
    return word in english_words()


def word_lists_installed() -> bool:
    return any(path.is_file() for path in WORD_LISTS)


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
