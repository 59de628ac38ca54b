"""Which articles match a phrase or field query: the answer Whoosh gives, faster for phrases.

Whoosh checks a phrase by walking every document that holds all its words and decoding their
positions: 100-200 ms for a quoted run of common words on 10,000 articles. Here:
- a quoted phrase in every text field (what `"..."` means) is found in the postings' flow, each
  article's words in order as numbers (postings.phrase_articles: a few array operations), and in
  the fields the flow lacks (label) as below;
- a phrase in one field (`label:"..."`) is narrowed to the articles holding all its adjacent word
  pairs (postings.PAIRS) and that field's words, and Whoosh checks positions only in those;
- the rest of the query tree (terms, prefixes, wildcards) goes to Whoosh's own matchers; AND, OR
  and NOT combine their sets.
tests/test_exact_matching.py checks that the answers are Whoosh's own.
"""

from __future__ import annotations

import numpy as np
from whoosh.query import And, AndNot, DisjunctionMax, Not, Or, Phrase, Query

from kb_tools.search.postings import FIELDS as POSTINGS_FIELDS
from kb_tools.search.postings import PAIRED, PAIRS, Postings, pair
from kb_tools.search.store import ArticleStore

NONE = np.zeros(0, dtype=np.int64)


class ExactMatcher:
    """The article numbers (of the postings) matching a Whoosh query, sorted."""

    def __init__(self, store: ArticleStore, postings: Postings) -> None:
        self.store = store
        self.postings = postings
        number_of = postings.number_of
        # Whoosh document number <-> article number, live documents only (an updated article's
        # old document is deleted and keeps its path).
        live = store.live_paths()
        self._article_of = {doc: number_of[path] for doc, path in live.items() if path in number_of}
        self._doc_of = np.full(len(postings), -1, dtype=np.int64)
        for doc, number in self._article_of.items():
            self._doc_of[number] = doc

    def articles(self, query: Query) -> np.ndarray:
        if isinstance(query, Or) and (words := _one_phrase_everywhere(query)):
            # A quoted phrase in any text field: the postings' flow of words answers for the fields
            # it holds; the others (label) are checked as below.
            others = [q for q in query.subqueries if q.fieldname not in PAIRED]
            return _union([self.postings.phrase_articles(words), *map(self.articles, others)])
        if isinstance(query, Phrase) and query.slop == 1 and len(query.words) > 1:
            return self._phrase(query)
        if (isinstance(query, (Or, DisjunctionMax)) and not getattr(query, "minmatch", 0)
                and not any(isinstance(q, Not) for q in query.subqueries)):
            return _union([self.articles(q) for q in query.subqueries])
        if isinstance(query, And) and not all(isinstance(q, Not) for q in query.subqueries):
            wanted = [self.articles(q) for q in query.subqueries if not isinstance(q, Not)]
            unwanted = [self.articles(q.query) for q in query.subqueries if isinstance(q, Not)]
            found = wanted[0]
            for other in wanted[1:]:
                found = np.intersect1d(found, other, assume_unique=True)
            return np.setdiff1d(found, _union(unwanted), assume_unique=True)
        if isinstance(query, AndNot):
            return np.setdiff1d(self.articles(query.a), self.articles(query.b), assume_unique=True)
        return self._whoosh(query)

    def _phrase(self, phrase: Phrase) -> np.ndarray:
        words = list(phrase.words)
        candidates: np.ndarray | None = None
        for first, second in zip(words, words[1:], strict=False):
            having = self.postings.articles_with(PAIRS, pair(first, second))
            candidates = having if candidates is None else np.intersect1d(candidates, having, assume_unique=True)
            if not len(candidates):
                return NONE
        assert candidates is not None
        if phrase.fieldname in POSTINGS_FIELDS:  # the field must hold every word, too
            for word in set(words):
                candidates = np.intersect1d(candidates, self.postings.articles_with(phrase.fieldname, word),
                                            assume_unique=True)
        docs = np.sort(self._doc_of[candidates])
        found = self.store.phrase_in(phrase.fieldname, words, [int(doc) for doc in docs if doc >= 0])
        return np.unique(np.array([self._article_of[doc] for doc in found], dtype=np.int64))

    def _whoosh(self, query: Query) -> np.ndarray:
        found = [self._article_of.get(doc, -1) for doc in self.store.matching(query)]
        return np.unique(np.array([number for number in found if number >= 0], dtype=np.int64))


def _one_phrase_everywhere(query: Or) -> list[str] | None:
    """The words of an OR of the same phrase in every field the flow holds (and maybe more)."""
    phrases = query.subqueries
    if not all(isinstance(q, Phrase) and q.slop == 1 and len(q.words) > 1 for q in phrases):
        return None
    words = {tuple(q.words) for q in phrases}
    if len(words) != 1 or not set(PAIRED) <= {q.fieldname for q in phrases}:
        return None
    return list(words.pop())


def _union(sets: list[np.ndarray]) -> np.ndarray:
    return np.unique(np.concatenate(sets)) if sets else NONE
