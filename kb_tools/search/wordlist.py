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

from kb_tools.search.storage import replace_file

WORD_LISTS = (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/british-english"))
# The words as an index generation carries them, one a line: every host serving a copy of the index
# corrects the same words, whatever it has installed, and a search reads them in a few milliseconds
# instead of parsing the lists (about a tenth of a second, a sixth of a cold `kb search`).
WORDS_FILE = "english-words.txt"


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


def write_english_words(directory: Path) -> None:
    """Save the installed lists' words into an index generation (nothing when none is installed)."""
    words = english_words()
    if words:
        replace_file(directory / WORDS_FILE, lambda handle: handle.write("\n".join(sorted(words)).encode("utf-8")))


def read_english_words(directory: Path) -> frozenset[str]:
    """The words a generation carries; the installed lists' for a generation built without them."""
    try:
        text = (directory / WORDS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return english_words()
    return frozenset(text.split("\n"))


def word_lists_installed() -> bool:
    return any(path.is_file() for path in WORD_LISTS)


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
