"""The first stage of the pipeline: user text -> a QueryPlan -> the weighted terms of the article retrieval.

A plan holds the caller's terms (stemmed, without the filler of spoken queries), their thesaurus
alternatives, spelling corrections for unknown words, and the words that may be unfinished while
typing (unfinished.py).
User text never reaches a query parser here: AND/OR/NOT, `*`, `:` or parentheses are just characters,
and an unclosed quote is dropped (phrase and field queries are syntax.py's).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from kb_tools.search.analysis import MAX_QUERY_CHARS, clean_text, terms, words
from kb_tools.search.postings import PAIRS, Postings, pair
from kb_tools.search.spelling import Speller
from kb_tools.search.syntax import without_quotes
from kb_tools.search.thesaurus import Thesaurus
from kb_tools.search.unfinished import begun_word, completions, thesaurus_completions, unfinished_words

# Field weights of the article documents. Measured: heavy boosts on short fields hurt, because
# BM25F already sums the per-field scores (a title match also counts in the body).
FIELD_WEIGHTS = {"title": 1.0, "summary": 0.6, "customer_says": 1.0, "tags": 0.5, "headings": 0.6, "body": 1.0}
ALTERNATIVE_WEIGHT = 0.3  # a thesaurus alternative counts less than the caller's own word (measured: 0.5 -> 0.3 +0.015 MRR)
CORRECTION_WEIGHT = 0.8
PHRASE_WEIGHT = 0.1  # query words next to each other; measured: larger weights lowered MRR@10
PREFIX_WEIGHT = 0.3
PHRASE_ALTERNATIVE = 2.0  # a thesaurus phrase ("money back") matched word for word


@dataclass(frozen=True)
class QueryPlan:
    """What `analyse` made of the user's text."""

    text: str
    terms: list[str]
    alternatives: list[tuple[str, ...]]
    corrections: dict[str, str]
    prefixes: tuple[str, ...]  # words that may be unfinished: each matches the words it starts
    begun: str = ""  # a last word of one or two letters, left out of `terms` (unfinished.begun_word)

    @property
    def settled_text(self) -> str:
        """The text without the word just begun: what its meaning is read from."""
        return _settled(self.text, self.begun)

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.alternatives or self.corrections or self.prefixes)

    @functools.cached_property
    def corrected_terms(self) -> list[str]:
        return [t for c in self.corrections.values() for t in terms(c)]

    @functools.cached_property
    def highlighted(self) -> set[str]:
        """The terms a snippet marks (the prefixes are matched apart, as the start of a word)."""
        return {*self.terms, *(t for alt in self.alternatives for t in alt), *self.corrected_terms}

    @functools.cached_property
    def weights(self) -> dict[str, float]:
        """Each term's weight in section scoring: the caller's own words count most."""
        weights: dict[str, float] = {}
        for group, weight in ((self.terms, 1.0), ([t for alt in self.alternatives for t in alt], ALTERNATIVE_WEIGHT),
                              (self.corrected_terms, CORRECTION_WEIGHT),
                              (self.prefixes, PREFIX_WEIGHT)):
            for term in group:
                weights[term] = max(weights.get(term, 0.0), weight)
        return weights

    def corrected_text(self) -> str | None:
        """The text with each misspelt word replaced ("did you mean"), or None without corrections."""
        if not self.corrections:
            return None
        return " ".join(self.corrections.get(word.lower().strip(".,!?;:\"'()"), word) for word in self.text.split())


def _settled(text: str, begun: str) -> str:
    return text[:len(text) - len(begun)].rstrip() if begun else text


def analyse(text: str, thesaurus: Thesaurus, speller: Speller, *, typing: bool = False) -> QueryPlan:
    """The plan of everyday words: terms, thesaurus alternatives, corrections, the unfinished words.
    `typing`: the agent is typing it, so a last word of one or two letters is only begun (left out);
    a finished query keeps every word ("samsung tv", where the index knows no "tv")."""
    cleaned = " ".join(without_quotes(clean_text(str(text), limit=MAX_QUERY_CHARS)).split())
    begun = begun_word(cleaned, speller) if typing else ""
    settled = _settled(cleaned, begun)
    if begun and not terms(settled):  # the only word: nothing else to search
        begun, settled = "", cleaned
    query_terms, typed = terms(settled), words(settled)
    prefixes = unfinished_words(typed, speller)
    alternatives = thesaurus.alternatives(query_terms + thesaurus_completions(prefixes, thesaurus))
    return QueryPlan(cleaned, query_terms, alternatives, speller.corrections(typed), prefixes, begun)


def exact_plan(text: str, exact_terms: list[str]) -> QueryPlan:
    """The plan of a phrase or field query: its own words, as Whoosh matched them (no alternatives,
    corrections or unfinished words: the user asked for exactly these)."""
    return QueryPlan(text, exact_terms, [], {}, ())


def retrieval_terms(plan: QueryPlan, postings: Postings) -> list[tuple[str, str, float]]:
    """(field, term, weight) of the article retrieval: the caller's words in every field, their
    thesaurus alternatives and spelling corrections, adjacent words (proximity), the words that
    unfinished words start."""
    weighted = [(field, term, boost) for term in dict.fromkeys(plan.terms) for field, boost in FIELD_WEIGHTS.items()]
    for alternative in plan.alternatives:
        if len(alternative) == 1:
            weighted += [(field, alternative[0], boost * ALTERNATIVE_WEIGHT) for field, boost in FIELD_WEIGHTS.items()]
        else:  # a phrase ("money back"): its adjacent pairs
            weighted += [(PAIRS, pair(a, b), ALTERNATIVE_WEIGHT * PHRASE_ALTERNATIVE)
                         for a, b in zip(alternative, alternative[1:], strict=False)]
    weighted += [(field, term, boost * CORRECTION_WEIGHT) for term in plan.corrected_terms
                 for field, boost in FIELD_WEIGHTS.items()]
    weighted += [(PAIRS, pair(a, b), PHRASE_WEIGHT) for a, b in zip(plan.terms, plan.terms[1:], strict=False) if a != b]
    for term in completions(plan.prefixes, postings):  # search as you type
        weighted += [(field, term, PREFIX_WEIGHT) for field in ("title", "headings", "body")]
    return weighted
