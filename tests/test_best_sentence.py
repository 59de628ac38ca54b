"""The snippet shows the best-matching sentence, from whichever section of the article holds it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SERVED_INDEXES, article

from kb_tools.search import Searcher, build_index
from kb_tools.search.analysis import term_counts, terms
from kb_tools.search.snippets import best_sentence_card, make_snippet, sentence_match, sentence_weights

REFUND = """\
## Before you start

Outage compensation is added as a credit on the next bill automatically, so no request is needed.

## Steps

1. Open **Billing** and choose the refund payment. A refund goes back to the card that paid.
2. Choose **Request refund**. The refund reaches the card in five days; refund requests show in Payments.
3. Tell the customer the refund reference. Refunds over 100 need a review.
"""


def test_a_rare_query_word_picks_its_sentence():
    weights = sentence_weights({"refund": 1.0, "outag": 1.0}, lambda term: 1.0, "Request a refund")
    text = "A refund goes back to the card. Refunds take five days. Outage credit is automatic."
    score, start = sentence_match(text, weights)
    assert text[start:].startswith("Outage credit") and score == 1.0
    assert make_snippet(text, {"refund", "outag"}, start=start).startswith("… <mark>Outage</mark> credit")
    # Without a start, the densest window: the first sentence, as before.
    assert make_snippet(text, {"refund", "outag"}).startswith("A <mark>refund</mark>")


def test_the_snippet_comes_from_the_section_holding_the_best_sentence(write_docs, tmp_path: Path):
    """The article is linked at its Steps (most refund words), but the sentence answering "refund for
    the outage" is in Before you start: that is the sentence shown (before: a step about refunds)."""
    docs = write_docs({"account/request-a-refund.md": article("Request a refund", product="account", body=REFUND),
                       "account/other.md": article("Pay a bill", product="account",
                                                   body="## Steps\n\n1. Pay the bill by card.\n")})
    build_index(docs, tmp_path / "ix", semantic=False)
    hit = Searcher(tmp_path / "ix").search("refund for the outage last tuesday").hits[0]
    assert hit.path == "account/request-a-refund.md"
    assert "<mark>Outage</mark> compensation is added as a credit" in hit.snippet, (hit.section, hit.snippet)


@pytest.mark.parametrize(("query", "sentence"), [
    ("refund for the outage last tuesday", "<mark>Outage</mark> compensation is added as a credit on the next bill automatically"),
    ("my wifi keeps dropping", "&quot;My internet <mark>keeps</mark> <mark>dropping</mark>.&quot;"),
])
def test_sample_kb_snippets_show_the_answering_sentence(served_kb: str, query: str, sentence: str):
    assert sentence in Searcher(SERVED_INDEXES[served_kb]).search(query).hits[0].snippet


@pytest.mark.parametrize("query", ["refund for the outag", "compens crea", "refu card fiv", "outage credi"])
def test_typed_prefixes_pick_the_same_section_as_reading_every_section(query: str):
    """A card is skipped when the query terms it holds and the prefixes starting its words cannot
    beat the best sentence so far: the same card and sentence as reading all of them."""
    cards = [{"number": n, "text": text, "counts": term_counts(text)} for n, text in enumerate(REFUND.split("\n\n"))]
    plan_words = {term: 1.0 for term in terms(query)}
    prefixes = tuple(word for word in query.split() if len(word) >= 3 and word not in ("refund", "outage", "card"))
    pruned = best_sentence_card(cards, None, plan_words, prefixes)
    unpruned = best_sentence_card([{**card, "counts": None} for card in cards], None, plan_words, prefixes)
    assert pruned[0] is not None and unpruned[0] is not None
    assert (pruned[0]["number"], pruned[1]) == (unpruned[0]["number"], unpruned[1])
