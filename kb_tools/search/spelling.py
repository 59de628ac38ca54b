"""Typo fallback: suggest a known word for each query word the index has never seen."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kb_tools.search.postings import Postings

SPELL_FIELD = "words"  # the postings field of the articles' unstemmed words
_MIN_LENGTH = 4  # shorter words are too often codes or abbreviations to correct


class Speller:
    """Corrections from the vocabulary of the index (the unstemmed words of its articles)."""

    def __init__(self, postings: Postings) -> None:
        self._postings = postings

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
        """{misspelled: suggestion} for the unknown words that have a close known word."""
        found = {}
        for word in words:
            if len(word) < _MIN_LENGTH or not word.isalpha() or self.is_known(word):
                continue
            suggestion = self.suggest(word)
            if suggestion:
                found[word] = suggestion
        return found

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
