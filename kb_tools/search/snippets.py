"""Highlighted snippets: a short window of a section's text around the query's words.

The text is HTML-escaped; only our own <mark> tags are added, so article text can never inject
markup into a results list.
"""

from __future__ import annotations

import bisect
import html
import re

from kb_tools.search.analysis import term_of

SNIPPET_WORDS = 32
_WORD = re.compile(r"\w+")
_NON_SPACE = re.compile(r"\S+")


def make_snippet(text: str, keys: set[str], *, prefixes: tuple[str, ...] = (), size: int = SNIPPET_WORDS) -> str:
    """The best `size`-word window of `text`, with matching words wrapped in <mark>."""
    # Each different word is looked up once; then finding them is a set lookup per word.
    matching = {word for word in set(_WORD.findall(text)) if _matches(word, keys, prefixes)}
    spans = [m.span() for m in _WORD.finditer(text) if m.group() in matching] if matching else []
    words = [m.span() for m in _NON_SPACE.finditer(text)]
    if not words:
        return ""
    word_starts = [start for start, _ in words]
    hits = sorted({bisect.bisect_right(word_starts, s) - 1 for s, _ in spans})
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
