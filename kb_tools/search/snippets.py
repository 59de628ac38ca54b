"""Highlighted snippets: a short window of a section's text around the query's words.

The window starts at the sentence that best matches the query: the one holding the most of the
query's different words, a rare word counting more than a common one ("refund for the outage"
shows "Outage compensation is added as a credit...", not the first of three sentences saying
"refund"). The section shown is the article's one holding that sentence (`best_sentence_card`).

The text is HTML-escaped; only our own <mark> tags are added, so article text can never inject
markup into a results list.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable, Iterable
from typing import Any

from kb_tools.search.analysis import term_of, terms

SNIPPET_WORDS = 32
_WORD = re.compile(r"\w+")
_NON_SPACE = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n+")


TITLE_WORD_SHARE = 0.5  # a query word the title already shows says less about where the answer is


def sentence_weights(query_weights: dict[str, float], idf: Callable[[str], float], title: str) -> dict[str, float]:
    """How much each query term counts in a sentence: its query weight x its rarity, halved when
    the article's title holds it (every sentence of "Request a refund" is about refunds; the
    sentence saying "outage" is the one for "refund for the outage")."""
    shown = set(terms(title))
    return {term: weight * idf(term) * (TITLE_WORD_SHARE if term in shown else 1.0)
            for term, weight in query_weights.items()}


def sentence_match(text: str, weights: dict[str, float], prefixes: tuple[str, ...] = ()) -> tuple[float, int]:
    """The best sentence of `text` for the query: (its score, the character it starts at).

    A sentence scores the summed weights of the different query terms it holds (`weights`: term ->
    weight; a word starting with a typed prefix counts as the prefix)."""
    # Each different word of the text is looked up once: most texts hold few of the query's words.
    key_of = {word: key for word in set(_WORD.findall(text))
              if (key := _key_of(word, weights, prefixes)) is not None}
    if not key_of:
        return 0.0, 0
    best, start = 0.0, 0
    position = 0
    for sentence in _SENTENCE_END.split(text):
        found = {key_of[word] for word in _WORD.findall(sentence) if word in key_of}
        score = sum(weights.get(key, 1.0) for key in found)
        if score > best:
            best, start = score, text.find(sentence, position)
        position = text.find(sentence, position) + len(sentence)
    return best, start


def best_sentence_card(cards: Iterable[dict[str, Any]], preferred: dict[str, Any] | None, weights: dict[str, float],
                       prefixes: tuple[str, ...]) -> tuple[dict[str, Any] | None, int | None]:
    """The section card holding the best-matching sentence, and where that sentence starts;
    `preferred` (the linked section) wins a tie. (None, None) when no sentence matches."""
    best: tuple[float, int, dict[str, Any] | None, int | None] = (0.0, 0, None, None)
    # A card scores at most the weights of the query terms it holds (its indexed term counts), so
    # cards are read best bound first, and only while one could still win.
    bounded = [(_bound(card, weights, prefixes), card) for card in cards]
    for bound, card in sorted(bounded, key=lambda pair: -pair[0]):
        if bound < best[0] or bound == 0.0:
            break
        score, start = sentence_match(card["text"], weights, prefixes)
        candidate = (score, card is preferred or card.get("number") == (preferred or {}).get("number"), card, start)
        if candidate[:2] > best[:2]:
            best = candidate
    return best[2], best[3]


def _bound(card: dict[str, Any], weights: dict[str, float], prefixes: tuple[str, ...]) -> float:
    counts = card.get("counts")
    if prefixes or counts is None:
        return float("inf")  # a typed prefix may match any word
    return sum(weight for term, weight in weights.items() if term in counts)


def matched_phrase(phrases: Iterable[str], keys: set[str], prefixes: tuple[str, ...] = ()) -> str:
    """The customer phrase (`customer_says`) the query matched: the one holding the most of the
    query's terms (`keys`), at least half of its own words; "" when none does."""
    best, best_held = "", 0
    for phrase in phrases:
        own = {term for term in (term_of(word) for word in _WORD.findall(phrase)) if term is not None}
        held = sum(_matches(word, keys, prefixes) for word in set(_WORD.findall(phrase)))
        if held > best_held and 2 * held >= len(own):
            best, best_held = phrase, held
    return best


def _key_of(word: str, weights: dict[str, float], prefixes: tuple[str, ...]) -> str | None:
    term = term_of(word)
    if term is not None and term in weights:
        return term
    lowered = word.lower()
    return next((prefix for prefix in prefixes if lowered.startswith(prefix)), None)


def make_snippet(text: str, keys: set[str], *, prefixes: tuple[str, ...] = (), size: int = SNIPPET_WORDS,
                 start: int | None = None) -> str:
    """The best `size`-word window of `text`, with matching words wrapped in <mark>: from the
    character `start` (the best sentence's) when given, else where the query's words are densest."""
    # Each different word is looked up once; then finding them is a set lookup per word.
    matching = {word for word in set(_WORD.findall(text)) if _matches(word, keys, prefixes)}
    spans = [m.span() for m in _WORD.finditer(text) if m.group() in matching] if matching else []
    words = [m.span() for m in _NON_SPACE.finditer(text)]
    if not words:
        return ""
    word_starts = [start for start, _ in words]
    hits = sorted({bisect.bisect_right(word_starts, s) - 1 for s, _ in spans})
    if start is not None:
        first = max(0, bisect.bisect_right(word_starts, start) - 1)
    else:
        first = _densest_window(hits, size) if hits else 0
    window = words[first:first + size]
    start, end = window[0][0], window[-1][1]
    out, cursor = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [html.escape(text[cursor:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        cursor = e
    out.append(html.escape(text[cursor:end]))
    lead = "… " if first > 0 else ""
    tail = " …" if first + size < len(words) else ""
    return lead + "".join(out) + tail


def _matches(word: str, keys: set[str], prefixes: tuple[str, ...]) -> bool:
    term = term_of(word)
    return (term is not None and term in keys) or bool(prefixes and word.lower().startswith(prefixes))


def _densest_window(hits: list[int], size: int) -> int:
    """The first word of the window holding the most hits (sorted), starting a little before them."""
    best_first, best_count, end = hits[0], 0, 0
    for position, first in enumerate(hits):
        while end < len(hits) and hits[end] < first + size:
            end += 1
        if end - position > best_count:
            best_first, best_count = first, end - position
    return max(0, best_first - 4)
