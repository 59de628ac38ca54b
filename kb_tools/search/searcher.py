"""Search the index: the ranking pipeline behind `kb search`, the server, `kb eval` and `kb check`.

Stages, each a method:
  analyse   user text -> terms, thesaurus alternatives, spelling corrections, unfinished words
  retrieve  BM25F over the article postings (postings.py) -> lexical candidates; in hybrid and
            semantic modes also the articles whose sections are closest in meaning (vectors.py)
  score     candidates -> ranked articles (lexical, or blended with meaning)
  group     for each article, the best chapter at the wanted depth, with a highlighted snippet
User text is never given to a query parser: queries are built from analysed terms, so quotes,
AND/OR/NOT, `*`, `:` or parentheses are just characters.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.searching import Searcher as WhooshSearcher

from kb_tools.errors import IndexMissingError
from kb_tools.search import storage
from kb_tools.search.analysis import MAX_QUERY_CHARS, clean_text, terms, words
from kb_tools.search.confidence import match_confidence
from kb_tools.search.postings import PAIRS, Postings, pair
from kb_tools.search.snippets import make_snippet
from kb_tools.search.spelling import Speller
from kb_tools.search.storage import INDEX_FORMAT, INDEX_NAME
from kb_tools.search.thesaurus import Thesaurus, read_thesaurus
from kb_tools.search.unfinished import completed_text, completions, thesaurus_completions, unfinished_words
from kb_tools.search.vectors import Similarities, VectorStore, shared_embedder

# Field weights of the article documents. Measured: heavy boosts on short fields hurt, because
# BM25F already sums the per-field scores (a title match also counts in the body).
FIELD_WEIGHTS = {"title": 1.0, "summary": 0.6, "customer_says": 1.0, "tags": 0.5, "headings": 0.6, "body": 1.0}
ALTERNATIVE_WEIGHT = 0.3  # a thesaurus alternative counts less than the caller's own word (measured: 0.5 -> 0.3 +0.015 MRR)
CORRECTION_WEIGHT = 0.8
PHRASE_WEIGHT = 0.1  # query words next to each other; measured: larger weights lowered MRR@10
PREFIX_WEIGHT = 0.3
PHRASE_ALTERNATIVE = 2.0  # a thesaurus phrase ("money back") matched word for word
CANDIDATES = 50
KEPT_ARTICLES = 512  # stored articles a process keeps in memory, the last read (about 35 MB on 10,000)
BM25_B, BM25_K1 = 0.75, 1.2
DEPTH_PREFERENCE = 1.5  # with a depth chosen, land in that depth's tab unless shared text matches far better
DEPTHS = ("beginner", "expert")
MODES = ("hybrid", "lexical", "semantic")
FACETS = ("product", "type")
# Hybrid ranking: this share of an article's score is its lexical score (divided by the best
# candidate's), the rest the cosine of its closest section to the query. Measured on the Arduino
# dev set: 0.15-0.25 all give MRR@10 0.89-0.90; 0.5 gives 0.86; lexical alone 0.82.
LEXICAL_SHARE = 0.25
# An article found by meaning alone must be at least this close, so nonsense finds nothing:
# unrelated text ("my cat is sick", "asdfgh") scores 0.14-0.36 against the Arduino corpus, relevant
# articles a median of 0.47; floors from 0 to 0.35 give the same dev-set metrics.
SEMANTIC_FLOOR = 0.35
# Within an article, a longer chapter that holds more of the query's words is the better landing
# place: length normalisation nearly off (measured on section-judged queries: b 0.75 -> 0.1 +0.04 MRR).
SECTION_B = 0.1


@dataclass(frozen=True)
class Hit:
    """One article in the results, linked at its best-matching section."""

    path: str
    title: str
    summary: str
    product: str
    type: str
    status: str
    section: str
    anchor: str
    depth: str
    url: str
    score: float
    snippet: str

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _HIT_FIELDS}  # asdict() deep-copies: slower, and no need


_HIT_FIELDS = tuple(f.name for f in fields(Hit))


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    correction: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    generation: str = ""
    mode: str = "lexical"  # what actually ranked the results: lexical, semantic or hybrid
    notice: str | None = None  # e.g. why the semantic half was not used
    confidence: str = "none"  # how well the hits answer the query: strong, partial, none (confidence.py)

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "correction": self.correction, "confidence": self.confidence,
                "facets": self.facets, "generation": self.generation, "mode": self.mode, "notice": self.notice,
                "hits": [h.to_dict() for h in self.hits]}


@dataclass(frozen=True)
class QueryPlan:
    """What `analyse` made of the user's text."""

    text: str
    terms: list[str]
    alternatives: list[tuple[str, ...]]
    corrections: dict[str, str]
    prefixes: tuple[str, ...]  # words that may be unfinished: each matches the words it starts

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


class Searcher:
    """Answers queries from the live generation of an index; `refresh()` picks up a newer one."""

    def __init__(self, index_dir: Path | str, *, thesaurus: Thesaurus | None = None) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._generation: storage.Generation | None = None
        self._searcher: WhooshSearcher | None = None
        self._speller: Speller | None = None
        self._vectors: VectorStore | None = None
        self._postings: Postings | None = None
        self._embedder: Any = None
        self._model_problem: str | None = None
        self._given_thesaurus = thesaurus
        self._articles: dict[str, dict[str, Any]] = {}  # stored fields by path, of the current generation
        self.thesaurus: Thesaurus | None = None
        self.refresh()

    @property
    def postings(self) -> Postings:
        """The live generation's postings (set by refresh, which the constructor runs)."""
        assert self._postings is not None
        return self._postings

    @property
    def speller(self) -> Speller:
        assert self._speller is not None
        return self._speller

    # --- lifecycle ------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Switch to the live generation if it changed; True when it did."""
        if self._generation is not None and storage.current_name(self.index_dir) == self._generation.name:
            return False  # the cheap check: a server calls this between requests
        generation = storage.open_generation(self.index_dir)
        if self._generation is not None and generation.name == self._generation.name:
            return False
        if generation.manifest.get("format") != INDEX_FORMAT:
            raise IndexMissingError(f"the search index in {self.index_dir} was built by another version of kb; "
                                    "rebuild it with `kb index --rebuild`.")
        searcher = None
        try:
            ix = whoosh_index.open_dir(str(generation.path), indexname=INDEX_NAME)
            searcher = ix.searcher()  # the document store: ranking is on the postings
            vectors, postings = _generation_arrays(generation.path, generation.manifest.get("built_at"))
            thesaurus = self._given_thesaurus or read_thesaurus(generation.path)
        except Exception:  # noqa: BLE001 - Whoosh and numpy raise many kinds on damaged files
            if searcher is not None:
                searcher.close()
            raise self._damaged() from None
        with self._lock:
            old, self._searcher, self._generation = self._searcher, searcher, generation
            self._vectors = vectors
            self._postings = postings
            self._speller = Speller(postings)
            self.thesaurus = thesaurus
            self._articles = _kept_articles(generation.path, generation.manifest.get("built_at"))
        if old is not None:
            old.close()
        return True

    def _damaged(self) -> IndexMissingError:
        return IndexMissingError(f"the search index in {self.index_dir} is damaged; "
                                 "rebuild it with `kb index --rebuild`.")

    @property
    def generation(self) -> storage.Generation:
        assert self._generation is not None
        return self._generation

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()

    # --- the pipeline -----------------------------------------------------------------------
    def search(self, text: str, *, depth: str | None = None, product: str | None = None,
               article_type: str | None = None, tag: str | None = None, status: str | None = None,
               include_archived: bool = False, limit: int = 10, mode: str = "hybrid",
               link_sections: bool = True) -> SearchResults:
        """Rank articles for `text` and link each at its best section for `depth`.

        `mode` is hybrid (words and meaning), lexical (words only) or semantic (meaning only).
        When the semantic half is unavailable the results are lexical and `notice` says why.
        Without `link_sections`, hits link the article itself (cheaper, for checks that only rank).
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        try:
            return self._search(text, depth, product, article_type, tag, status, include_archived, limit, mode,
                                link_sections)
        except Exception as exc:
            if _raised_in_whoosh(exc):
                raise self._damaged() from exc
            raise

    def _search(self, text: str, depth: str | None, product: str | None, article_type: str | None,
                tag: str | None, status: str | None, include_archived: bool, limit: int, mode: str,
                link_sections: bool) -> SearchResults:
        plan = self.analyse(text)
        if plan.is_empty:
            return SearchResults(plan.text, [], 0, generation=self.generation.name, mode=mode)
        similarities, notice = self.meaning(plan) if mode != "lexical" else (None, None)
        if similarities is None:
            mode = "lexical"
        postings = self._postings
        assert postings is not None
        allowed = postings.allowed(product=product, article_type=article_type, status=status, tag=tag,
                                   include_archived=include_archived)
        lexical = self.retrieve(plan, allowed) if mode != "semantic" else np.zeros(len(postings), dtype=np.float32)
        matched = np.flatnonzero(lexical > 0)
        candidates = self.candidates(lexical, matched, similarities, allowed)
        extra = [number for number, score in candidates if score == 0.0]  # found by meaning alone
        found = np.union1d(matched, np.array(extra, dtype=np.int64)) if extra else matched
        ranked = self.score(plan, candidates, similarities)[:limit]
        hits = [self.group(plan, postings.paths[number], score, depth, similarities if link_sections else None,
                           link_sections=link_sections) for number, score in ranked]
        correction = _corrected_text(plan) if plan.corrections else None
        assert self.thesaurus is not None
        confidence = match_confidence(plan, [number for number, _ in ranked], postings, self.thesaurus, similarities)
        return SearchResults(plan.text, [h for h in hits if h is not None], len(found), correction,
                             postings.facets(found), self.generation.name, mode, notice, confidence)

    def analyse(self, text: str) -> QueryPlan:
        cleaned = " ".join(clean_text(str(text), limit=MAX_QUERY_CHARS).split())
        query_terms = terms(cleaned)
        assert self.thesaurus is not None and self._speller is not None
        typed = words(cleaned)
        prefixes = unfinished_words(typed, self._speller)
        alternatives = self.thesaurus.alternatives(query_terms + thesaurus_completions(prefixes, self.thesaurus))
        corrections = self._speller.corrections(typed)
        return QueryPlan(cleaned, query_terms, alternatives, corrections, prefixes)

    def retrieval_terms(self, plan: QueryPlan) -> list[tuple[str, str, float]]:
        """(field, term, weight) of the article retrieval: the caller's words in every field, their
        thesaurus alternatives and spelling corrections, adjacent words (proximity), the words
        that unfinished words start."""
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
        for term in completions(plan.prefixes, self.postings):  # search as you type
            weighted += [(field, term, PREFIX_WEIGHT) for field in ("title", "headings", "body")]
        return weighted

    def retrieve(self, plan: QueryPlan, allowed: np.ndarray | None) -> np.ndarray:
        """The lexical score of every article (0 where filtered out or not matching)."""
        scores = self.postings.score(self.retrieval_terms(plan), k1=BM25_K1, b=BM25_B)
        if allowed is not None:
            scores[~allowed] = 0.0
        return scores

    def meaning(self, plan: QueryPlan) -> tuple[Similarities | None, str | None]:
        """The query's similarity to every section, or None and why the semantic half is off."""
        if self._vectors is None:
            return None, "this index has no section vectors (built without the model); results are lexical only"
        embedder = self._load_embedder()
        if embedder is None:
            return None, f"the embedding model is unavailable, so results are lexical only: {self._model_problem}"
        return self._vectors.similarities(embedder.embed_query(completed_text(plan.text, plan.prefixes, self.postings))), None

    def candidates(self, lexical: np.ndarray, matched: np.ndarray, similarities: Similarities | None,
                   allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """(article number, lexical score): the best lexical matches (`matched`: the articles with a
        lexical score) plus the articles closest in meaning (the filters apply to both)."""
        if len(matched) > CANDIDATES:
            matched = matched[np.argpartition(-lexical[matched], CANDIDATES - 1)[:CANDIDATES]]
        found = [(int(n), float(lexical[n])) for n in matched]
        if similarities is None:
            return found
        seen = {n for n, _ in found}
        number_of = self.postings.number_of
        for path, closeness in similarities.top_articles(CANDIDATES * 2):
            if closeness < SEMANTIC_FLOOR or len(found) >= len(seen) + CANDIDATES:
                break
            number = number_of.get(path)
            if number is None or number in seen or (allowed is not None and not allowed[number]):
                continue
            found.append((number, 0.0))
            seen.add(number)
        return found

    def score(self, plan: QueryPlan, candidates: list[tuple[int, float]],
              similarities: Similarities | None = None) -> list[tuple[int, float]]:
        """Order candidate articles: lexical score, or its blend with the closest section's meaning."""
        if similarities is None:
            return sorted(candidates, key=lambda pair: (-pair[1], pair[0]))
        paths = self.postings.paths
        top = max((score for _, score in candidates), default=0.0) or 1.0
        blended = [(number, LEXICAL_SHARE * score / top + (1 - LEXICAL_SHARE) * similarities.article(paths[number]))
                   for number, score in candidates]
        return sorted(blended, key=lambda pair: (-pair[1], pair[0]))

    def group(self, plan: QueryPlan, path: str, score: float, depth: str | None,
              similarities: Similarities | None = None, *, link_sections: bool = True) -> Hit | None:
        article = self.article(path)
        if article is None:
            return None
        meaning = similarities.sections(article["path"]) if similarities is not None else None
        card = self._best_section(plan, _section_cards(article), depth, meaning) if link_sections else None
        anchor = card["link_anchor"] if card else ""
        shown = article["meta"]
        return Hit(
            path=article["path"], title=shown["title"], summary=shown["summary"],
            product=article.get("product", ""), type=article.get("type", ""), status=article.get("status", ""),
            section=card["link_heading"] if card else "", anchor=anchor, depth=card["depth"] if card else "both",
            url=article.get("url", "") + (f"#{anchor}" if anchor else ""), score=round(score, 4),
            snippet=make_snippet((card["text"] if card else "") or shown["summary"], plan.highlighted,
                                 prefixes=plan.prefixes),
        )

    def _best_section(self, plan: QueryPlan, cards: list[dict[str, Any]], depth: str | None,
                      meaning: dict[int, float] | None = None) -> dict[str, Any] | None:
        """The section card of the article's chapter (at `depth`, or shared) that best answers the query.

        A chapter is a level-2 section with its sub-sections, scored as one text (BM25 over their
        term counts) and, in hybrid search, blended with its closest section in meaning. The
        result links the chapter, with its best sub-section's text as the snippet.
        """
        cards = [c for c in cards if depth not in DEPTHS or c["depth"] in ("both", depth)]
        if not cards:
            return None
        weights = plan.weights
        idf = functools.lru_cache(maxsize=None)(self.postings.idf)  # the same few terms, for every card
        average = self.postings.section_average
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
        blend = (lambda lexical, close: LEXICAL_SHARE * lexical / top + (1 - LEXICAL_SHARE) * close) if meaning \
            else (lambda lexical, close: lexical)
        score, chapter = max(((blend(c.lexical, c.closest) * c.depth_factor(depth), c) for c in chapters.values()),
                             key=lambda pair: pair[0])
        if score > 0:
            return chapter.linked(blend, depth)
        # Nothing in this depth's text matches (the match was in the title, say): open the depth's
        # own section first, so the link still lands on the right tab.
        return next((c for c in cards if depth and c["depth"] == depth), cards[0])

    def _load_embedder(self) -> Any:
        """The process's embedding model, loaded on first use; None (and why) when unavailable."""
        if self._embedder is None and self._model_problem is None:
            self._embedder, self._model_problem = shared_embedder()
        return self._embedder

    # --- stored article data ------------------------------------------------------------------
    def article(self, path: str) -> dict[str, Any] | None:
        """The stored fields of one article (title, url, steps, section cards...), or None.

        Shared with every later caller: read it, never change it. The articles read last are kept,
        as the same ones come up in search after search."""
        kept = self._articles  # first: a refresh meanwhile leaves this dict to the old generation
        found = kept.get(path)
        if found is None:
            try:
                found = self._current().document(key=f"a:{path}")
            except Exception as exc:
                if _raised_in_whoosh(exc):
                    raise self._damaged() from exc
                raise
            if found is None:
                return None
            with _keeping:
                if len(kept) >= KEPT_ARTICLES:
                    del kept[next(iter(kept))]  # the oldest read
                kept[path] = found
        return found

    def vectors_in_memory(self) -> int:
        """Bytes of section vectors held in memory for the live generation (0 when it has none)."""
        return self._vectors.nbytes if self._vectors is not None else 0

    def article_count(self) -> int:
        return len(self.generation.manifest.get("articles", {}))

    def _current(self) -> WhooshSearcher:
        with self._lock:
            assert self._searcher is not None
            return self._searcher


_keeping = threading.Lock()


@functools.lru_cache(maxsize=2)
def _kept_articles(path: Path, built_at: object) -> dict[str, dict[str, Any]]:
    """The stored articles kept in memory for one generation, shared by the process's searchers."""
    return {}


@functools.lru_cache(maxsize=4)
def _generation_arrays(path: Path, built_at: object) -> tuple[VectorStore | None, Postings]:
    """A generation's vectors and postings, loaded once per process however many searchers (a
    server's threads) use them; `built_at` tells a rebuilt index apart from an old one of the same name."""
    # The vectors are read into memory: a matrix product over a memory map is several times slower.
    return VectorStore.open(path, mmap=False), Postings.open(path)


def _raised_in_whoosh(exc: BaseException) -> bool:
    """True when the error comes from Whoosh reading its files (a damaged segment raises
    struct.error, "Block tag error" and the like), not from our own code."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and f"{os.sep}whoosh{os.sep}" in tb.tb_frame.f_code.co_filename


class _Chapter:
    """A level-2 section with its sub-sections: scored as one text, linked at its heading."""

    def __init__(self, anchor: str, heading: str) -> None:
        self.anchor, self.heading = anchor, heading
        self.counts: dict[str, float] = {}
        self.length = 0.0
        self.lexical = 0.0
        self.closest = 0.0
        self.members: list[tuple[dict[str, Any], float, float]] = []  # (fields, own lexical score, meaning)

    def add(self, fields: dict[str, Any], counts: dict[str, float], length: float, own: float, close: float) -> None:
        self.length += length
        for term, weight in counts.items():
            self.counts[term] = self.counts.get(term, 0.0) + weight
        self.closest = max(self.closest, close)
        self.members.append((fields, own, close))

    def depth_factor(self, depth: str | None) -> float:
        return DEPTH_PREFERENCE if depth and any(f.get("depth") == depth for f, _, _ in self.members) else 1.0

    def linked(self, blend: Callable[[float, float], float], depth: str | None) -> dict[str, Any]:
        """The best sub-section's card, linked at the chapter's anchor and heading."""
        def member_score(member: tuple[dict[str, Any], float, float]) -> float:
            card, own, close = member
            return blend(own, close) * (DEPTH_PREFERENCE if depth and card["depth"] == depth else 1.0)

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


def _section_cards(article: dict[str, Any]) -> list[dict[str, Any]]:
    """An article's section cards, each linked at its own anchor and heading until a chapter says otherwise."""
    return [{**card, "link_anchor": card["anchor"], "link_heading": card["heading"]}
            for card in article["meta"].get("sections", [])]


def _corrected_text(plan: QueryPlan) -> str:
    words_out = []
    for word in plan.text.split():
        key = word.lower().strip(".,!?;:\"'()")
        words_out.append(plan.corrections.get(key, word))
    return " ".join(words_out)
