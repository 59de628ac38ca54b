"""Typo fallback: suggest a known word for each query word the index has never seen."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from whoosh.reading import IndexReader

SPELL_FIELD = "spell"
_MIN_LENGTH = 4  # shorter words are too often codes or abbreviations to correct


class Speller:
    """Corrections from the vocabulary of the index (its unstemmed `spell` field)."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader

    @cached_property
    def _vocabulary(self) -> dict[str, int]:
        if SPELL_FIELD not in self._reader.indexed_field_names():
            return {}
        return {term.decode("utf-8") if isinstance(term, bytes) else term: info.doc_frequency()
                for term, info in self._reader.iter_field(SPELL_FIELD)}

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
        if "_vocabulary" in self.__dict__:
            return word in self._vocabulary
        # One term lookup, so a query of known words never loads the whole vocabulary.
        return SPELL_FIELD in self._reader.indexed_field_names() and (SPELL_FIELD, word) in self._reader

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
        for candidate in candidates:
            distance = _distance(word, candidate, limit)
            if distance <= limit:
                key = (distance, -self._vocabulary[candidate], candidate)
                best = key if best is None or key < best else best
        return best[2] if best else None


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, giving up early once it passes `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
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
