"""Flesch reading ease: how easy a piece of plain text is to read aloud to a beginner.

    score = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)

Higher is easier: 90-100 very easy, 60-70 plain English, below 50 hard. Syllables are counted
with the usual vowel-group rules (no dictionary), which is accurate to about one syllable in
ten words - plenty for a threshold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The score a Beginner tab should reach ("plain English" starts at 60), unless the knowledge base
# sets its own `beginner_reading_ease` in docs/glossary.yml.
DEFAULT_MIN_READING_EASE = 60.0
# Fewer words than this give no meaningful score (one short sentence can land anywhere).
MIN_WORDS = 20

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n+")
_VOWEL_GROUPS = re.compile(r"[aeiouy]{1,2}")
_SILENT_ENDING = re.compile(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$")  # "makes", "tapped", "make"


@dataclass(frozen=True)
class Reading:
    """The counts behind a score, so a report can say why a text is hard."""

    words: int
    sentences: int
    syllables: int

    @property
    def ease(self) -> float:
        if not self.words:
            return 100.0
        return 206.835 - 1.015 * self.words / self.sentences - 84.6 * self.syllables / self.words

    @property
    def is_measurable(self) -> bool:
        return self.words >= MIN_WORDS


def measure(text: str) -> Reading:
    """Count words, sentences and syllables; a line break ends a sentence (a list item, a cell).

    >>> round(measure("The cat sat on the mat.").ease)
    116
    """
    words = 0
    syllables = 0
    sentences = 0
    for sentence in _SENTENCE_END.split(text):
        found = _WORD.findall(sentence)
        if found:
            sentences += 1
            words += len(found)
            syllables += sum(count_syllables(word) for word in found)
    return Reading(words, max(sentences, 1), syllables)


def reading_ease(text: str) -> float:
    """The Flesch reading ease of `text` (see `measure` for what counts as a sentence)."""
    return measure(text).ease


def count_syllables(word: str) -> int:
    """Syllables in one word by vowel groups; an abbreviation in capitals is read letter by letter.

    >>> [count_syllables(w) for w in ("tap", "router", "settings", "configuration", "SSID", "5GHz")]
    [1, 2, 2, 5, 4, 2]
    """
    if word.isalpha() and word.isupper() and len(word) > 1:
        return len(word)
    parts = re.findall(r"[a-z]+|[0-9]+", word.lower())
    return sum(_letter_syllables(part) if part.isalpha() else 1 for part in parts) or 1


def _letter_syllables(word: str) -> int:
    if len(word) <= 3:
        return 1
    word = _SILENT_ENDING.sub("", word)
    word = word[1:] if word.startswith("y") else word
    return max(1, len(_VOWEL_GROUPS.findall(word)))
