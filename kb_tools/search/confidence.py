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
NONE_BELOW = 0.51  # hybrid match under this: no good match (calibrated on the sample KB's set only, with
# the int8 model: none precision 0.83, recall 0.83; then measured on Arduino's: 0.91, 0.78)
STRONG_FROM = 0.62  # hybrid match from this: a strong one
# Words only (lexical search, or an index without vectors): coverage alone, a weaker signal (none:
# precision 0.88 / 0.83, recall 0.39 / 0.60 on the sample / Arduino sets, against 0.92 / 0.89 and
# 0.87 / 0.82 with meaning), so `none` only when barely half the words are held anywhere on top.
LEXICAL_NONE_BELOW = 0.55
LEXICAL_STRONG_FROM = 0.85
_TEXT_FIELDS = ("title", "summary", "customer_says", "tags", "headings", "body")
# An article whose title or customer phrases hold every word of the query is named by it ("firmware",
# "firmw" being typed): at least a partial match, however far a word or two is from whole sections
# in meaning (a lone word's closeness is 0.3-0.4, under any calibrated threshold).
_NAMING_FIELDS = ("title", "customer_says")


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
    level = _level(match, NONE_BELOW, STRONG_FROM)
    if level == "none" and covered[0] == 1.0 and coverage(plan, top[:1], postings, thesaurus, _NAMING_FIELDS)[0] == 1.0:
        return "partial"
    return level


def coverage(plan: QueryPlan, numbers: Sequence[int], postings: Postings, thesaurus: Thesaurus,
             fields: tuple[str, ...] = _TEXT_FIELDS) -> np.ndarray:
    """For each article number, the share of the query's content words it holds in `fields` (0 to 1)."""
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
        mask = _holds(postings, term, fields, rows)
        for alternative in thesaurus.alternatives([term]):
            mask |= _holds_phrase(postings, alternative, fields, rows)
        for other in also.get(term, []):
            mask |= _holds(postings, other, fields, rows)
        held += mask
    return held / len(content)


def _holds(postings: Postings, term: str, fields: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    """For each of `rows` (article numbers), whether it holds `term` in one of `fields`."""
    return postings.holding(term, fields)[rows]


def _holds_phrase(postings: Postings, phrase: tuple[str, ...], fields: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    if len(phrase) == 1:
        return _holds(postings, phrase[0], fields, rows)
    if fields != _TEXT_FIELDS:  # the pairs are the whole article's: in a few fields, every word of it
        return np.logical_and.reduce([_holds(postings, word, fields, rows) for word in phrase])
    return np.logical_or.reduce([_holds(postings, pair(a, b), (PAIRS,), rows)
                                 for a, b in zip(phrase, phrase[1:], strict=False)])


def _level(match: float, none_below: float, strong_from: float) -> str:
    if match < none_below:
        return "none"
    return "strong" if match >= strong_from else "partial"
