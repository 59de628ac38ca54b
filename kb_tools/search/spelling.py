"""Typo fallback: "did you mean" for the query words that are no word at all.

A word is corrected only when it is neither in the index nor a real English word (wordlist.py), is
no beginning of an indexed word (while typing, "passw" is password unfinished: unfinished.py's job)
nor of an English word (the agent paused in "landlord": "landlor" is no typo of "handler") unless a
doubled letter made it (a key pressed twice: "resett" is reset, not the start of "resettle"), and the
corrected query finds clearly better results: some article holds far more of its words.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from kb_tools.search.analysis import term_of
from kb_tools.search.wordlist import english_words

if TYPE_CHECKING:
    from kb_tools.search.postings import Postings

SPELL_FIELD = "words"  # the postings field of the articles' unstemmed words
_MIN_LENGTH = 4  # shorter words are too often codes or abbreviations to correct
# "Clearly better": after the correction, one article holds at least this share of the query's
# words, and more of them than any article held before. "xyzzy plugh" -> "xyzzy plug" finds articles
# with one word in two: not an answer, so no correction.
_COVERED_SHARE = 2 / 3
_TEXT_FIELDS = ("title", "summary", "customer_says", "headings", "body")


class Speller:
    """Corrections from the vocabulary of the index (the unstemmed words of its articles)."""

    def __init__(self, postings: Postings, english: Callable[[], frozenset[str]] = english_words) -> None:
        self._postings = postings
        self._read_english = english  # read on first use: a query of indexed words never needs them

    @cached_property
    def _english(self) -> frozenset[str]:
        return self._read_english()

    @cached_property
    def _english_in_order(self) -> list[str]:
        return sorted(self._english)  # a few tens of milliseconds, once, and only if a word is unknown

    @cached_property
    def _vocabulary(self) -> dict[str, int]:
        return self._postings.field_vocabulary(SPELL_FIELD)

    @cached_property
    def _buckets(self) -> dict[tuple[int, int, str], list[str]]:
        # A typo rarely changes both of the first two letters: look only where one of them matches.
        buckets: dict[tuple[int, int, str], list[str]] = defaultdict(list)
        for word in self._vocabulary:
            for position in (0, 1):
                if len(word) > position:
                    buckets[(len(word), position, word[position])].append(word)
        return buckets

    def is_known(self, word: str) -> bool:
        # One lookup, so a query of known words never builds the whole vocabulary.
        return self._postings.frequency(SPELL_FIELD, word) > 0

    def corrections(self, words: list[str]) -> dict[str, str]:
        """{misspelled: suggestion} for the query's non-words that have a close known word, when the
        corrected words find clearly better results; {} otherwise (`words`: unstemmed, no stop words)."""
        found = {}
        for word in dict.fromkeys(words):
            if self.is_word(word):
                continue
            suggestion = self.suggest(word)
            if suggestion:
                found[word] = suggestion
        if not found or not self._clearly_better(list(dict.fromkeys(words)), found):
            return {}
        return found

    def is_word(self, word: str) -> bool:
        """True for what must never be corrected: short words, codes, words of the index or of
        English, and the beginnings of indexed or English words (a word being typed)."""
        return (len(word) < _MIN_LENGTH or not word.isalpha() or self.is_known(word) or self.starts_known(word)
                or word in self._english or (self._starts_english(word) and not self._doubled_known(word)))

    def starts_known(self, word: str) -> bool:
        """True when `word` begins a longer word of the index ("passw" -> password)."""
        return bool(self._postings.expand_prefix(word, limit=1))

    def _starts_english(self, word: str) -> bool:
        words = self._english_in_order
        after = bisect.bisect_right(words, word)
        return after < len(words) and words[after].startswith(word)

    def _doubled_known(self, word: str) -> bool:
        """True when typing one letter of a pair once gives a word of the index ("resett" -> reset)."""
        return any(word[at] == word[at + 1] and self.is_known(word[:at] + word[at + 1:]) for at in range(len(word) - 1))

    def _clearly_better(self, words: list[str], corrections: dict[str, str]) -> bool:
        before = self._most_covered(words)
        after = self._most_covered([corrections.get(word, word) for word in words])
        return after > before and after >= _COVERED_SHARE * len(words)

    def _most_covered(self, words: list[str]) -> int:
        """The most of `words` that one article holds (any form of them: "blinks" for "blinking")."""
        held = [self._postings.holding(term, _TEXT_FIELDS) for term in filter(None, map(term_of, words))]
        return int(np.sum(held, axis=0).max()) if held else 0

    def suggest(self, word: str) -> str | None:
        """The most frequent known word within edit distance 1 (2 for long words)."""
        limit = 1 if len(word) < 7 else 2
        best: tuple[int, int, str] | None = None
        candidates = {c for length in range(len(word) - limit, len(word) + limit + 1) for position in (0, 1)
                      for c in self._buckets.get((length, position, word[position]), ())}
        letters = set(word)
        for candidate in candidates:
            # One edit changes at most two letters of the set of letters used: a cheap test in C that
            # turns most candidates away before the distance is computed in Python.
            if len(letters.symmetric_difference(candidate)) > 2 * limit:
                continue
            distance = _distance(word, candidate, limit)
            if distance <= limit:
                key = (distance, -self._vocabulary[candidate], candidate)
                best = key if best is None or key < best else best
        return best[2] if best else None


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, giving up early once it passes `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    # What the two share at either end costs nothing: compare only the middle that differs.
    shorter = min(len(a), len(b))
    start = 0
    while start < shorter and a[start] == b[start]:
        start += 1
    end = 0
    while end < shorter - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start:len(a) - end], b[start:len(b) - end]
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
