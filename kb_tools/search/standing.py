"""Kinds and states in the ranking: what a query asks for, and how an article's state weighs.

Playbooks (`type: playbook`) are about the agent's own conduct on a call; they quote caller phrases
as examples, so their words also match customer problems. Which one a query is comes from the
playbooks' own vocabulary: a query whose content words are mostly held by playbooks (in the fields
an article describes itself with: title, summary, customer phrases, tags, headings) is a service
question ("how do I calm an angry caller"), any other a product problem, for which playbooks rank
below product answers. Nothing here names a query or a word: a knowledge base without playbooks
ranks as before.

A draft or an archived article ranks below a validated one of about the same score (its score is
multiplied by a factor under 1), and carries a badge in the results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from kb_tools.search.postings import Postings
    from kb_tools.search.query import QueryPlan

PLAYBOOK = "playbook"
# A query is a service question when its content words are, on average, at least this much the
# playbooks' (the share of the articles describing themselves with a word that are playbooks;
# rarity-weighting the words measured no better on the sample KB).
SERVICE_SHARE = 0.5
# A playbook's score for a product problem; a draft's and an archived article's for any query.
PLAYBOOK_FACTOR = 0.8
STATE_FACTORS = {"draft": 0.85, "archived": 0.75}
BADGES = {"draft": "Draft", "archived": "Archived"}
_OWN_FIELDS = ("title", "summary", "customer_says", "tags", "headings")


def is_service_question(plan: QueryPlan, postings: Postings, playbooks: np.ndarray) -> bool:
    """True when the query's words are mostly the playbooks' own (`playbooks`: the playbook mask)."""
    content = list(dict.fromkeys(plan.terms))
    if not content or not playbooks.any():
        return False
    shares = []
    for term in content:
        holding = postings.score([(field, term, 1.0) for field in _OWN_FIELDS]) > 0
        count = int(holding.sum())
        if count:  # a word no article describes itself with says nothing either way
            shares.append(float((holding & playbooks).sum()) / count)
    return bool(shares) and sum(shares) / len(shares) >= SERVICE_SHARE


def standing_factors(plan: QueryPlan, postings: Postings) -> np.ndarray | None:
    """Per article, the factor its score is multiplied by for this query (None: all 1)."""
    playbooks = postings.mask("type", PLAYBOOK)
    factors = None
    if playbooks.any() and not is_service_question(plan, postings, playbooks):
        factors = np.where(playbooks, PLAYBOOK_FACTOR, 1.0)
    for state, factor in STATE_FACTORS.items():
        mask = postings.mask("status", state)
        if mask.any():
            factors = np.where(mask, factor, 1.0) * (factors if factors is not None else 1.0)
    return factors


def badge(status: str) -> str:
    """The badge an article's state carries in the results ("" for a validated one)."""
    return BADGES.get(status, "")
