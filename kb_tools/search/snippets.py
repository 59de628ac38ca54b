"""Highlighted snippets: a short window of a section's text around the query's words.

The text is HTML-escaped; only our own <mark> tags are added, so article text can never inject
markup into a results list.
"""

from __future__ import annotations

import html

from .analysis import make_analyzer

SNIPPET_WORDS = 32
_ANALYZER = make_analyzer()


def make_snippet(text: str, keys: set[str], *, prefix: str | None = None, size: int = SNIPPET_WORDS) -> str:
    """The best `size`-word window of `text`, with matching words wrapped in <mark>."""
    spans = [(t.startchar, t.endchar) for t in _ANALYZER(text, chars=True, removestops=True)
             if t.text in keys or (prefix and text[t.startchar:t.endchar].lower().startswith(prefix))]
    words = _word_spans(text)
    if not words:
        return ""
    starts = {s for s, _ in spans}
    hits = [index for index, (start, end) in enumerate(words) if any(start <= s < end for s in starts)] if spans else []
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


def _word_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], None
    for index, char in enumerate(text):
        if char.isspace():
            if start is not None:
                spans.append((start, index))
                start = None
        elif start is None:
            start = index
    if start is not None:
        spans.append((start, len(text)))
    return spans


def _densest_window(hits: list[int], size: int) -> int:
    """The first word of the window holding the most hits, starting a little before them."""
    best_first, best_count = hits[0], 0
    for position, first in enumerate(hits):
        count = sum(1 for h in hits[position:] if h < first + size)
        if count > best_count:
            best_first, best_count = first, count
    return max(0, best_first - 4)
