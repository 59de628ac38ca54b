"""Match confidence: how well a result set answers the query (`strong`, `partial` or `none`).

Hybrid search nearly always returns something, so the results must also say whether it is an
answer. Two signals, read over the top hits:
- coverage: the share of the query's content words (stemmed, no filler) that the article holds,
  a word counting as held through its thesaurus alternatives, its correction or, for a word being
  typed, any word it starts;
- closeness: the cosine of the article's closest section to the query (hybrid and semantic).
Thresholds calibrated on labelled answerable/unanswerable queries (tests/data/sample-confidence.tsv
for the sample KB, bench/queries/arduino-confidence.tsv for the Arduino corpus): see
bench/confidence.py, which prints the precision and recall of `none` on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from kb_tools.search.analysis import terms
from kb_tools.search.postings import PAIRS, pair
from kb_tools.search.unfinished import EXPANSIONS

if TYPE_CHECKING:
    from kb_tools.search.postings import Postings
    from kb_tools.search.query import QueryPlan
    from kb_tools.search.thesaurus import Thesaurus
    from kb_tools.search.vectors import Similarities

LEVELS = ("strong", "partial", "none")
TOP_HITS = 3  # the hits read: the answer may be second
# With meaning: a match is closeness x CLOSENESS_SHARE + coverage x the rest.
CLOSENESS_SHARE = 0.8
NONE_BELOW = 0.52  # hybrid match under this: no good match (calibrated on the sample KB's set only,
# then measured on Arduino's: none precision 0.89, recall 0.82)
STRONG_FROM = 0.62  # hybrid match from this: a strong one
# Words only (lexical search, or an index without vectors): coverage alone, a weaker signal (none:
# precision 0.88 / 0.83, recall 0.39 / 0.60 on the sample / Arduino sets, against 0.92 / 0.89 and
# 0.87 / 0.82 with meaning), so `none` only when barely half the words are held anywhere on top.
LEXICAL_NONE_BELOW = 0.55
LEXICAL_STRONG_FROM = 0.85
_TEXT_FIELDS = ("title", "summary", "customer_says", "tags", "headings", "body")


def match_confidence(plan: QueryPlan, numbers: Sequence[int], postings: Postings, thesaurus: Thesaurus,
                     similarities: Similarities | None) -> str:
    """`strong`, `partial` or `none` for the ranked article numbers `numbers` (best first)."""
    top = list(numbers[:TOP_HITS])
    if not top:
        return "none"
    covered = coverage(plan, top, postings, thesaurus)
    if similarities is None:
        return _level(float(covered.max()), LEXICAL_NONE_BELOW, LEXICAL_STRONG_FROM)
    closeness = max(similarities.article(postings.paths[number]) for number in top)
    match = CLOSENESS_SHARE * closeness + (1 - CLOSENESS_SHARE) * float(covered[0])
    return _level(match, NONE_BELOW, STRONG_FROM)


def coverage(plan: QueryPlan, numbers: Sequence[int], postings: Postings, thesaurus: Thesaurus) -> np.ndarray:
    """For each article number, the share of the query's content words it holds (0 to 1)."""
    content = list(dict.fromkeys(plan.terms))
    if not content:
        return np.zeros(len(numbers))
    # What else holds a word: its correction ("pasword" -> password), or what a typed prefix starts.
    also = {term: terms(plan.corrections[word]) for word in plan.corrections for term in terms(word)}
    for prefix in plan.prefixes:
        for term in terms(prefix):
            also.setdefault(term, []).extend(postings.expand_prefix(prefix, limit=EXPANSIONS))
    rows = np.asarray(numbers, dtype=np.int64)
    held = np.zeros(len(numbers))
    for term in content:
        mask = _holds(postings, term)
        for alternative in thesaurus.alternatives([term]):
            mask |= _holds_phrase(postings, alternative)
        for other in also.get(term, []):
            mask |= _holds(postings, other)
        held += mask[rows]
    return held / len(content)


def _holds(postings: Postings, term: str) -> np.ndarray:
    return postings.holding(term, _TEXT_FIELDS)


def _holds_phrase(postings: Postings, phrase: tuple[str, ...]) -> np.ndarray:
    """The articles holding one of the phrase's adjacent pairs (a one-word phrase: the word)."""
    if len(phrase) == 1:
        return _holds(postings, phrase[0])
    mask = np.zeros(len(postings), dtype=bool)
    for a, b in zip(phrase, phrase[1:], strict=False):
        mask |= postings.holding(pair(a, b), (PAIRS,))
    return mask


def _level(match: float, none_below: float, strong_from: float) -> str:
    if match < none_below:
        return "none"
    return "strong" if match >= strong_from else "partial"
