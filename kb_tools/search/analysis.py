"""Text analysis shared by the index and the queries: one analyzer, so both sides agree.

Stages: clean the raw text (control characters, apostrophes, length) -> tokenize -> lowercase
-> fold accents -> drop stop words (English plus the filler of spoken support queries) -> stem.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from whoosh.analysis import STOP_WORDS as WHOOSH_STOP_WORDS
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

# Bump when the analyzer or the schema changes: an index of another version is rebuilt in full.
ANALYSIS_VERSION = 1

MAX_QUERY_CHARS = 500

# Words that carry no meaning in what an agent types during a call ("customer says she can't ...").
SPOKEN_STOP_WORDS = frozenset("""
    i me my mine myself he him his she her hers they them their our ours its im ive id
    do does did doing done was were been am has had having would could should shall might must
    just really like so but what how why where which who whom there here some any all very
    cant dont doesnt didnt isnt wont wasnt arent havent hasnt couldnt shouldnt wouldnt
    customer customers caller callers client says said say saying asks asked asking wants wanted
    want needs need please thanks hi hello ok okay also still yet again now then than too
""".split())
STOP_WORDS = frozenset(WHOOSH_STOP_WORDS) | SPOKEN_STOP_WORDS

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_APOSTROPHE = re.compile(r"(\w)['’](\w)")


def clean_text(text: str, *, limit: int | None = None) -> str:
    """Normalise user or article text before tokenizing: NFKC, no control characters, no apostrophes."""
    text = unicodedata.normalize("NFKC", text[: limit * 2] if limit else text)
    text = _CONTROL.sub(" ", text)
    text = _APOSTROPHE.sub(r"\1\2", text)  # "can't" -> "cant", a stop word, not "can" + "t"
    return text[:limit] if limit else text


def make_analyzer(*, stem: bool = True) -> Analyzer:
    """The analyzer of every text field; `stem=False` gives the word forms (for spelling)."""
    chain = (RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(accent_map)
             | StopFilter(stoplist=STOP_WORDS, minsize=2))
    return chain | StemFilter(cachesize=50000) if stem else chain


_ANALYZER = make_analyzer()
_WORDS = make_analyzer(stem=False)


def terms(text: str) -> list[str]:
    """The indexed terms of `text`, in order (stemmed, stop words dropped)."""
    return [token.text for token in _ANALYZER(clean_text(text))]


def words(text: str) -> list[str]:
    """The unstemmed words of `text`, in order (stop words dropped)."""
    return [token.text for token in _WORDS(clean_text(text))]


_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=131072)
def term_of(word: str) -> str | None:
    """The indexed term of one word (None for a stop word); cached, as texts repeat their words."""
    found = terms(word)
    return found[0] if len(found) == 1 else None


def term_counts(text: str) -> dict[str, int]:
    """How often each indexed term occurs in `text` (fast: one regex pass and cached stems)."""
    counts: dict[str, int] = {}
    for word in _WORD.findall(clean_text(text)):
        term = term_of(word)
        if term is not None:
            counts[term] = counts.get(term, 0) + 1
    return counts
