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
import functools
import html
import itertools
import re
from collections.abc import Callable, Iterable
from typing import Any

from kb_tools.search.analysis import term_counts, term_of

SNIPPET_WORDS = 32
_WORD = re.compile(r"\w+")
_NON_SPACE = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n+")


TITLE_WORD_SHARE = 0.5  # a query word the title already shows says less about where the answer is


def sentence_weights(query_weights: dict[str, float], idf: Callable[[str], float], title: str) -> dict[str, float]:
    """How much each query term counts in a sentence: its query weight x its rarity, halved when
    the article's title holds it (every sentence of "Request a refund" is about refunds; the
    sentence saying "outage" is the one for "refund for the outage")."""
    shown = term_counts(title)  # its cached stems: the analyzer itself costs a third of a millisecond a title
    return {term: weight * idf(term) * (TITLE_WORD_SHARE if term in shown else 1.0)
            for term, weight in query_weights.items()}


def sentence_match(text: str, weights: dict[str, float], prefixes: tuple[str, ...] = ()) -> tuple[float, int]:
    """The best sentence of `text` for the query: (its score, the character it starts at).

    A sentence scores the summed weights of the different query terms it holds (`weights`: term ->
    weight; a word starting with a typed prefix counts as the prefix)."""
    # Each different word of the text is looked up once: most texts hold few of the query's words.
    query_terms = frozenset(weights)
    key_of = {word: key for word in set(_WORD.findall(text))
              if (key := _key_of(word, query_terms, prefixes)) is not None}
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
    # A card scores at most the weights of the query terms it holds (its indexed term counts) and
    # of the typed prefixes that start one of its words, so cards are read best bound first, and
    # only while one could still win.
    started = _starts_pattern(prefixes)
    bounded = [(_bound(card, weights, prefixes, started), card) for card in cards]
    for bound, card in sorted(bounded, key=lambda pair: -pair[0]):
        if bound < best[0] or bound == 0.0:
            break
        score, start = sentence_match(card["text"], weights, prefixes)
        candidate = (score, card is preferred or card.get("number") == (preferred or {}).get("number"), card, start)
        if candidate[:2] > best[:2]:
            best = candidate
    return best[2], best[3]


def _bound(card: dict[str, Any], weights: dict[str, float], prefixes: tuple[str, ...],
           started: re.Pattern[str] | None) -> float:
    counts = card.get("counts")
    if counts is None:
        return float("inf")
    bound = sum(weight for term, weight in weights.items() if term in counts)
    if started is not None:
        # Longest prefix first in the pattern, so a shorter one is found as the start of a longer match.
        found = {match.lower() for match in started.findall(card["text"])}
        bound += sum(weights.get(prefix, 1.0) for prefix in prefixes if any(m.startswith(prefix) for m in found))
    return bound


def _starts_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str] | None:
    """Finds the word starts that are one of `prefixes` (the longest first); None without prefixes."""
    if not prefixes:
        return None
    ordered = sorted(prefixes, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + ")", re.IGNORECASE)


def matched_phrase(phrases: Iterable[str], keys: set[str], prefixes: tuple[str, ...] = ()) -> str:
    """The customer phrase (`customer_says`) the query matched: the one holding the most of the
    query's terms (`keys`), at least half of its own words; "" when none does."""
    best, best_held = "", 0
    query_terms = frozenset(keys)
    for phrase in phrases:
        own = {term for term in (term_of(word) for word in _WORD.findall(phrase)) if term is not None}
        held = sum(_matches(word, query_terms, prefixes) for word in set(_WORD.findall(phrase)))
        if held > best_held and 2 * held >= len(own):
            best, best_held = phrase, held
    return best


# A query's snippets look up the same words again and again, in each section of each hit.
@functools.lru_cache(maxsize=65536)
def _key_of(word: str, query_terms: frozenset[str], prefixes: tuple[str, ...]) -> str | None:
    term = term_of(word)
    if term is not None and term in query_terms:
        return term
    lowered = word.lower()
    return next((prefix for prefix in prefixes if lowered.startswith(prefix)), None)


def make_snippet(text: str, keys: set[str], *, prefixes: tuple[str, ...] = (), size: int = SNIPPET_WORDS,
                 start: int | None = None) -> str:
    """The best `size`-word window of `text`, with matching words wrapped in <mark>: from the
    character `start` (the best sentence's) when given, else where the query's words are densest."""
    query_terms = frozenset(keys)
    if start is None:
        start = _densest_start(text, query_terms, prefixes, size)
    # Only the window's words are read: a long section costs no more than a short one.
    window = list(itertools.islice(_NON_SPACE.finditer(text, start), size))
    if not window:
        return ""
    begin, end = window[0].start(), window[-1].end()
    out, cursor = [], begin
    for word in _WORD.finditer(text, begin, end):
        if _matches(word.group(), query_terms, prefixes):
            out += [html.escape(text[cursor:word.start()]), "<mark>", html.escape(word.group()), "</mark>"]
            cursor = word.end()
    out.append(html.escape(text[cursor:end]))
    lead = "… " if _NON_SPACE.search(text, 0, begin) else ""
    tail = " …" if _NON_SPACE.search(text, end) else ""
    return lead + "".join(out) + tail


def _densest_start(text: str, query_terms: frozenset[str], prefixes: tuple[str, ...], size: int) -> int:
    """Where the window holding the most matching words starts (a few words before the first)."""
    words = [m.start() for m in _NON_SPACE.finditer(text)]
    hits = sorted({bisect.bisect_right(words, m.start()) - 1 for m in _WORD.finditer(text)
                   if _matches(m.group(), query_terms, prefixes)})
    return words[_densest_window(hits, size)] if hits else 0


@functools.lru_cache(maxsize=65536)
def _matches(word: str, keys: frozenset[str], prefixes: tuple[str, ...]) -> bool:
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
