"""The last stage of the pipeline: where in an article to land, its best chapter at the wanted depth.

A chapter is a level-2 section with its sub-sections, scored as one text (BM25 over the term counts
stored in the article's section cards) and, in hybrid search, blended with its closest section in
meaning. The result links the chapter, with its best sub-section's text as the snippet.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from kb_tools.search.postings import BM25_K1, Postings
from kb_tools.search.query import QueryPlan

DEPTH_PREFERENCE = 1.5  # with a depth chosen, land in that depth's tab unless shared text matches far better
DEPTHS = ("beginner", "expert")
# Hybrid ranking: this share of a score is the lexical score (divided by the best one's), the rest
# the cosine of the closest section to the query. Measured on the Arduino dev set: 0.15-0.25 all
# give MRR@10 0.89-0.90; 0.5 gives 0.86; lexical alone 0.82.
LEXICAL_SHARE = 0.25
# Within an article, a longer chapter that holds more of the query's words is the better landing
# place: length normalisation nearly off (measured on section-judged queries: b 0.75 -> 0.1 +0.04 MRR).
SECTION_B = 0.1

Card = dict[str, Any]


def blend(lexical: float, top: float, closeness: float) -> float:
    """A hybrid score: the lexical score relative to the best one (`top`), blended with meaning."""
    return LEXICAL_SHARE * lexical / (top or 1.0) + (1 - LEXICAL_SHARE) * closeness


def best_section(plan: QueryPlan, article: dict[str, Any], depth: str | None, postings: Postings,
                 meaning: dict[int, float] | None = None) -> Card | None:
    """The section card of the article's chapter (at `depth`, or shared) that best answers the query,
    with `link_anchor` and `link_heading` naming where to link; None when it has no sections."""
    cards = depth_cards(article, depth)
    if not cards:
        return None
    weights = plan.weights
    idf = functools.lru_cache(maxsize=None)(postings.idf)  # the same few terms, for every card
    average = postings.section_average
    chapters: dict[str, _Chapter] = {}
    for card in cards:
        counts = _query_term_counts(card["counts"], weights, plan.prefixes)
        own = _bm25(counts, card["length"], weights, average, idf)
        close = meaning.get(card["number"], 0.0) if meaning else 0.0
        chapter = chapters.setdefault(card["chapter"], _Chapter(card["chapter"], card["chapter_heading"]))
        chapter.add(card, counts, card["length"], own, close)
    for chapter in chapters.values():
        chapter.lexical = _bm25(chapter.counts, chapter.length, weights, average, idf)
    top = max(c.lexical for c in chapters.values()) or 1.0
    score_of: Callable[[float, float], float] = (lambda lexical, close: blend(lexical, top, close)) if meaning \
        else (lambda lexical, close: lexical)
    score, chapter = max(((score_of(c.lexical, c.closest) * c.depth_factor(depth), c) for c in chapters.values()),
                         key=lambda pair: pair[0])
    if score > 0:
        return chapter.linked(score_of, depth)
    # Nothing in this depth's text matches (the match was in the title, say): open the depth's
    # own section first, so the link still lands on the right tab.
    return next((c for c in cards if depth and c["depth"] == depth), cards[0])


def depth_cards(article: dict[str, Any], depth: str | None) -> list[Card]:
    """The section cards a reader at `depth` sees (all of them without a depth)."""
    return [c for c in section_cards(article) if depth not in DEPTHS or c["depth"] in ("both", depth)]


def section_cards(article: dict[str, Any]) -> list[Card]:
    """An article's section cards, each linked at its own anchor and heading until a chapter says otherwise."""
    return [{**card, "link_anchor": card["anchor"], "link_heading": card["heading"]}
            for card in article["meta"].get("sections", [])]


class _Chapter:
    """A level-2 section with its sub-sections: scored as one text, linked at its heading."""

    def __init__(self, anchor: str, heading: str) -> None:
        self.anchor, self.heading = anchor, heading
        self.counts: dict[str, float] = {}
        self.length = 0.0
        self.lexical = 0.0
        self.closest = 0.0
        self.members: list[tuple[Card, float, float]] = []  # (card, own lexical score, meaning)

    def add(self, card: Card, counts: dict[str, float], length: float, own: float, close: float) -> None:
        self.length += length
        for term, weight in counts.items():
            self.counts[term] = self.counts.get(term, 0.0) + weight
        self.closest = max(self.closest, close)
        self.members.append((card, own, close))

    def depth_factor(self, depth: str | None) -> float:
        return DEPTH_PREFERENCE if depth and any(c.get("depth") == depth for c, _, _ in self.members) else 1.0

    def linked(self, score_of: Callable[[float, float], float], depth: str | None) -> Card:
        """The best sub-section's card, linked at the chapter's anchor and heading."""
        def member_score(member: tuple[Card, float, float]) -> float:
            card, own, close = member
            return score_of(own, close) * (DEPTH_PREFERENCE if depth and card["depth"] == depth else 1.0)

        card = max(self.members, key=member_score)[0]
        if not self.anchor:
            return card
        return {**card, "link_anchor": self.anchor, "link_heading": self.heading}


def _query_term_counts(all_counts: dict[str, int], weights: dict[str, float],
                       prefixes: tuple[str, ...]) -> dict[str, float]:
    """How often each query term occurs in a section (a prefix: every term it starts)."""
    counts = {term: float(all_counts[term]) for term in weights if term in all_counts}
    for prefix in prefixes:
        started = sum(n for term, n in all_counts.items() if term.startswith(prefix) and term != prefix)
        if started:
            counts[prefix] = counts.get(prefix, 0.0) + started
    return counts


def _bm25(counts: dict[str, float], length: float, weights: dict[str, float], average: float,
          idf: Callable[[str], float]) -> float:
    """BM25 of one text's query-term counts (a section's or a chapter's)."""
    length = length or 1.0
    score = 0.0
    for term, frequency in counts.items():
        norm = frequency * (BM25_K1 + 1) / (frequency + BM25_K1 * (1 - SECTION_B + SECTION_B * length / average))
        score += weights[term] * idf(term) * norm
    return score
