"""Kinds and states in the ranking: what a query asks for, and how an article's state weighs.

Playbooks (`type: playbook`) are about the agent's own conduct on a call; they quote caller phrases
as examples, so their words also match customer problems. Which one a query is comes from what it
is about, read from the articles themselves: a query is a service question ("how do I calm an angry
caller") when the section closest to it in meaning is a playbook's, a product problem when it is a
product article's. Playbooks rank below product answers for a product problem. Word overlap is a
poor judge of this (a caller's problem told in a service question, "furious about his third outage,
how do I calm him down", shares most of its words with the outage article), so the words decide only
when there is no meaning to compare (lexical search, an index without vectors) or the two are as
close as each other (a tie: a lone product word, "router", is about as near everything): then a query whose
content words are mostly held by playbooks, in the fields an article describes itself with, is a
service question. Nothing here names a query or a word: a knowledge base without playbooks ranks as
before.

A draft or an archived article ranks below a validated one of about the same score (its score is
multiplied by a factor under 1), and carries a badge in the results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import numpy as np

if TYPE_CHECKING:
    from kb_tools.search.postings import Postings
    from kb_tools.search.query import QueryPlan
    from kb_tools.search.vectors import Similarities, VectorStore

PLAYBOOK = "playbook"
# The closest playbook section and the closest product one this near in cosine are a tie, and the
# words decide ("router": 0.0002 apart; the judged service questions lead by 0.014 or more).
MEANING_TIE = 0.01
# Without meaning to compare, or a tie: a query is a service question when its content words are, on average,
# at least this much the playbooks' (the share of the articles describing themselves with a word that
# are playbooks; rarity-weighting the words measured no better on the sample KB).
SERVICE_SHARE = 0.5
# A playbook's score for a product problem; a draft's and an archived article's for any query.
PLAYBOOK_FACTOR = 0.8
STATE_FACTORS = {"draft": 0.85, "archived": 0.75}
BADGES = {"draft": "Draft", "archived": "Archived"}
_OWN_FIELDS = ("title", "summary", "customer_says", "tags", "headings")


def is_service_question(plan: QueryPlan, postings: Postings, playbooks: np.ndarray,
                        similarities: Similarities | None = None) -> bool:
    """True when the query asks about the agent's conduct rather than a product (`playbooks`: the
    playbook mask): by the kind of the section closest in meaning, else by the words' owners."""
    if not playbooks.any():
        return False
    if similarities is not None and len(similarities.scores):
        closest = similarities.per_article
        on_playbooks = _playbook_rows(similarities.store, postings, playbooks)
        if on_playbooks.all() or not on_playbooks.any():
            return bool(on_playbooks.any())
        lead = float(closest[on_playbooks].max() - closest[~on_playbooks].max())
        if abs(lead) >= MEANING_TIE:
            return lead > 0
    return _words_are_the_playbooks(plan, postings, playbooks)


def _words_are_the_playbooks(plan: QueryPlan, postings: Postings, playbooks: np.ndarray) -> bool:
    """True when the query's content words are mostly the playbooks' own."""
    content = list(dict.fromkeys(plan.terms))
    if not content:
        return False
    shares = []
    for term in content:
        holding = postings.holding(term, _OWN_FIELDS)
        count = int(np.count_nonzero(holding))
        if count:  # a word no article describes itself with says nothing either way
            shares.append(float(np.count_nonzero(holding & playbooks)) / count)
    return bool(shares) and sum(shares) / len(shares) >= SERVICE_SHARE


_PLAYBOOK_ROWS: WeakKeyDictionary[VectorStore, np.ndarray] = WeakKeyDictionary()


def _playbook_rows(store: VectorStore, postings: Postings, playbooks: np.ndarray) -> np.ndarray:
    """Which of the vector store's articles (in `store.paths` order) are playbooks; once per generation."""
    rows = _PLAYBOOK_ROWS.get(store)
    if rows is None:
        number_of = postings.number_of
        rows = np.array([playbooks[number_of[path]] if path in number_of else False for path in store.paths],
                        dtype=bool)
        _PLAYBOOK_ROWS[store] = rows
    return rows


def standing_factors(plan: QueryPlan, postings: Postings,
                     similarities: Similarities | None = None) -> np.ndarray | None:
    """Per article, the factor its score is multiplied by for this query (None: all 1)."""
    playbooks = postings.mask("type", PLAYBOOK)
    factors = None
    if playbooks.any() and not is_service_question(plan, postings, playbooks, similarities):
        factors = np.where(playbooks, PLAYBOOK_FACTOR, 1.0)
    for state, factor in STATE_FACTORS.items():
        mask = postings.mask("status", state)
        if mask.any():
            factors = np.where(mask, factor, 1.0) * (factors if factors is not None else 1.0)
    return factors


def badge(status: str) -> str:
    """The badge an article's state carries in the results ("" for a validated one)."""
    return BADGES.get(status, "")
