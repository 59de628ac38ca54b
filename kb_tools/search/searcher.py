"""Search the index: the ranking pipeline behind `kb search`, the server, `kb eval` and `kb check`.

Stages:
  analyse   user text -> a QueryPlan (query.py: terms, thesaurus alternatives, spelling corrections,
            unfinished words); a phrase or field query is also matched by Whoosh
            (syntax.py), and only its matches go on
  retrieve  BM25F over the article postings (postings.py) -> lexical candidates; in hybrid and
            semantic modes also the articles whose sections are closest in meaning (vectors.py)
  score     candidates -> ranked articles (lexical, or blended with meaning)
  group     for each article, the best chapter at the wanted depth (chapters.py), with a snippet
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kb_tools.errors import IndexMissingError
from kb_tools.search import storage
from kb_tools.search.chapters import DEPTHS, best_section, blend, depth_cards
from kb_tools.search.confidence import match_confidence
from kb_tools.search.generation import LoadedGeneration, load
from kb_tools.search.postings import Postings
from kb_tools.search.query import QueryPlan, analyse, exact_plan, retrieval_terms
from kb_tools.search.results import Hit, SearchResults
from kb_tools.search.snippets import best_sentence_card, make_snippet, matched_phrase, sentence_weights
from kb_tools.search.spelling import Speller
from kb_tools.search.standing import badge, standing_factors
from kb_tools.search.storage import INDEX_FORMAT
from kb_tools.search.syntax import parse_exact
from kb_tools.search.thesaurus import Thesaurus
from kb_tools.search.unfinished import completed_text
from kb_tools.search.vectors import Similarities
from kb_tools.semantic.shared import shared_embedder

__all__ = ["DEPTHS", "MODES", "Hit", "SearchResults", "Searcher"]

CANDIDATES = 50
MODES = ("hybrid", "lexical", "semantic")
# An article found by meaning alone must be at least this close, so nonsense finds nothing:
# unrelated text ("my cat is sick", "asdfgh") scores 0.14-0.36 against the Arduino corpus, relevant
# articles a median of 0.47; floors from 0 to 0.35 give the same dev-set metrics.
SEMANTIC_FLOOR = 0.35


@dataclass(frozen=True)
class _Live:
    """The generation a searcher answers from, and what it loaded of it: swapped as one reference."""

    generation: storage.Generation
    loaded: LoadedGeneration


class Searcher:
    """Answers queries from the live generation of an index; `refresh()` picks up a newer one.

    One searcher may serve many threads: what it reads of a generation never changes, and its
    reads of Whoosh's files take turns (store.py)."""

    def __init__(self, index_dir: Path | str, *, thesaurus: Thesaurus | None = None) -> None:
        self.index_dir = Path(index_dir)
        self._given_thesaurus = thesaurus
        self._live: _Live | None = None
        self._embedder: Any = None
        self._model_problem: str | None = None
        self.refresh()

    # --- generation switching -------------------------------------------------------------------
    def refresh(self) -> bool:
        """Switch to the live generation if it changed; True when it did."""
        if self._live is not None and storage.current_name(self.index_dir) == self._live.generation.name:
            return False  # the cheap check: a server calls this between requests
        generation = storage.open_generation(self.index_dir)
        if self._live is not None and generation.name == self._live.generation.name:
            return False
        if generation.manifest.get("format") != INDEX_FORMAT:
            raise IndexMissingError(f"the search index in {self.index_dir} was built by another version of kb; "
                                    "rebuild it with `kb index --rebuild`.")
        self._live = _Live(generation, load(generation, self.index_dir))
        return True

    @property
    def _current(self) -> _Live:
        assert self._live is not None  # set by the constructor's refresh
        return self._live

    @property
    def generation(self) -> storage.Generation:
        return self._current.generation

    @property
    def postings(self) -> Postings:
        return self._current.loaded.postings

    @property
    def speller(self) -> Speller:
        return self._current.loaded.speller

    @property
    def thesaurus(self) -> Thesaurus:
        return self._given_thesaurus or self._current.loaded.thesaurus

    def close(self) -> None:
        """Nothing to release: a generation's files are shared by the process's searchers, and
        closed once no searcher answers from it."""

    # --- the pipeline -----------------------------------------------------------------------
    def search(self, text: str, *, depth: str | None = None, product: str | None = None,
               article_type: str | None = None, tag: str | None = None, status: str | None = None,
               include_archived: bool = False, limit: int = 10, mode: str = "hybrid",
               link_sections: bool = True, typing: bool = False) -> SearchResults:
        """Rank articles for `text` and link each at its best section for `depth`.

        `text` is everyday words, or uses Whoosh's query language: a quoted phrase
        (`"card declined"`), a field (`title:refund`, `label:"Optimise Wi-Fi"`); see syntax.py.
        `mode` is hybrid (words and meaning), lexical (words only) or semantic (meaning only).
        When the semantic half is unavailable the results are lexical and `notice` says why.
        Without `link_sections`, hits link the article itself, with no snippet or customer phrase
        (cheaper, for suggestions and checks that only rank). `typing`: the text is being typed, so its
        last word may be only begun (query.analyse).
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        live = self._current  # one generation for the whole request, whatever a refresh does meanwhile
        loaded = live.loaded
        postings = loaded.postings
        exact = parse_exact(text, loaded.store.schema)
        plan = exact_plan(exact.text, exact.terms) if exact else analyse(text, self.thesaurus, loaded.speller, typing=typing)
        allowed = postings.allowed(product=product, article_type=article_type, status=status, tag=tag,
                                   include_archived=include_archived)
        # Nothing to rank: no words, or filters no article passes (the desk's known-issue pins on a
        # knowledge base without known issues ask that with every search).
        if (plan.is_empty and exact is None) or (allowed is not None and not allowed.any()):
            return SearchResults(plan.text, [], 0, generation=live.generation.name, mode=mode)
        similarities, notice = self.meaning(loaded, plan) if mode != "lexical" else (None, None)
        if similarities is None:
            mode = "lexical"
        lexical = (postings.score(retrieval_terms(plan, postings))
                   if mode != "semantic" else np.zeros(len(postings), dtype=np.float32))
        if allowed is not None:
            lexical[~allowed] = 0.0
        if exact is not None:
            matched = loaded.exact_matches(exact)
            found = matched[allowed[matched]] if allowed is not None else matched
            # Only Whoosh's matches (the meaning of others is no match), as many as asked for: a writer
            # lists every article naming a label.
            candidates = _best(lexical, found, max(limit, CANDIDATES))
        else:
            matched = np.flatnonzero(lexical > 0)
            candidates = self.candidates(loaded, lexical, matched, similarities, allowed)
            extra = [number for number, score in candidates if score == 0.0]  # found by meaning alone
            found = np.union1d(matched, np.array(extra, dtype=np.int64)) if extra else matched
        ranked = self.score(loaded, candidates, similarities, standing_factors(plan, postings, similarities))[:limit]
        hits = [self.group(loaded, plan, postings.paths[number], score, depth,
                           similarities if link_sections else None, link_sections=link_sections)
                for number, score in ranked]
        confidence = match_confidence(plan, [number for number, _ in ranked], postings, self.thesaurus, similarities)
        return SearchResults(plan.text, [h for h in hits if h is not None], len(found), plan.corrected_text(),
                             postings.facets(found), live.generation.name, mode, notice, confidence)

    def analyse(self, text: str, *, typing: bool = False) -> QueryPlan:
        """What the pipeline makes of everyday words (query.py), on the live generation's vocabulary."""
        return analyse(text, self.thesaurus, self.speller, typing=typing)

    def meaning(self, loaded: LoadedGeneration, plan: QueryPlan) -> tuple[Similarities | None, str | None]:
        """The query's similarity to every section, or None and why the semantic half is off."""
        if loaded.vectors is None:
            return None, "this index has no section vectors (built without the model); results are lexical only"
        embedder = self._load_embedder()
        if embedder is None:
            return None, f"the embedding model is unavailable, so results are lexical only: {self._model_problem}"
        # A fragment ("my wif") has no meaning of its own: the text is embedded with it completed, and
        # without a last word just begun ("my wifi ke").
        text = completed_text(plan.settled_text, plan.prefixes, loaded.postings)
        return loaded.vectors.similarities(embedder.embed_query(text)), None

    def candidates(self, loaded: LoadedGeneration, lexical: np.ndarray, matched: np.ndarray,
                   similarities: Similarities | None, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """(article number, lexical score): the best lexical matches (`matched`: the articles with a
        lexical score) plus the articles closest in meaning (the filters apply to both)."""
        found = _best(lexical, matched, CANDIDATES)
        if similarities is None:
            return found
        seen = {n for n, _ in found}
        number_of = loaded.postings.number_of
        for path, closeness in similarities.top_articles(CANDIDATES * 2):
            if closeness < SEMANTIC_FLOOR or len(found) >= len(seen) + CANDIDATES:
                break
            number = number_of.get(path)
            if number is None or number in seen or (allowed is not None and not allowed[number]):
                continue
            found.append((number, 0.0))
            seen.add(number)
        return found

    def score(self, loaded: LoadedGeneration, candidates: list[tuple[int, float]],
              similarities: Similarities | None = None, factors: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Order candidate articles: lexical score, or its blend with the closest section's meaning,
        times the article's standing for the query (`factors`, standing.py)."""
        scored = candidates
        if similarities is not None:
            paths = loaded.postings.paths
            top = max((score for _, score in candidates), default=0.0)
            scored = [(number, blend(score, top, similarities.article(paths[number]))) for number, score in candidates]
        if factors is not None:
            scored = [(number, score * float(factors[number])) for number, score in scored]
        return sorted(scored, key=lambda pair: (-pair[1], pair[0]))

    def group(self, loaded: LoadedGeneration, plan: QueryPlan, path: str, score: float, depth: str | None,
              similarities: Similarities | None = None, *, link_sections: bool = True) -> Hit | None:
        """The hit of one ranked article: linked at its best chapter for `depth`, with a snippet."""
        article = loaded.store.article(path)
        if article is None:
            return None
        meaning = similarities.sections(article["path"]) if similarities is not None else None
        card = best_section(plan, article, depth, loaded.postings, meaning) if link_sections else None
        anchor = card["link_anchor"] if card else ""
        shown = article["meta"]
        snippet = ""  # only a linked hit has one: suggestions and checks show titles
        if link_sections:
            # The snippet shows the best-matching sentence, in whichever section holds it.
            weights = sentence_weights(plan.weights, loaded.postings.idf, shown["title"])
            snippet_card, start = (best_sentence_card(depth_cards(article, depth), card, weights, plan.prefixes)
                                   if card else (None, None))
            snippet = make_snippet(((snippet_card or card or {}).get("text") or shown["summary"]), plan.highlighted,
                                   prefixes=plan.prefixes, start=start)
        return Hit(
            path=article["path"], title=shown["title"], summary=shown["summary"],
            product=article.get("product", ""), type=article.get("type", ""), status=article.get("status", ""),
            badge=badge(article.get("status", "")),
            customer_phrase=(matched_phrase(shown.get("customer_says", ()), plan.highlighted, plan.prefixes)
                             if link_sections else ""),
            section=card["link_heading"] if card else "", anchor=anchor, depth=card["depth"] if card else "both",
            url=article.get("url", "") + (f"#{anchor}" if anchor else ""), score=round(score, 4),
            snippet=snippet,
        )

    def _load_embedder(self) -> Any:
        """The process's embedding model, loaded on first use; None (and why) when unavailable."""
        if self._embedder is None and self._model_problem is None:
            self._embedder, self._model_problem = shared_embedder()
        return self._embedder

    # --- stored article data ------------------------------------------------------------------
    def article(self, path: str) -> dict[str, Any] | None:
        """The stored fields of one article (title, url, steps, section cards...), or None.
        Shared with every later caller: read it, never change it."""
        return self._current.loaded.store.article(path)

    def vectors_in_memory(self) -> int:
        """Bytes of section vectors held in memory for the live generation (0 when it has none)."""
        vectors = self._current.loaded.vectors
        return vectors.nbytes if vectors is not None else 0

    def article_count(self) -> int:
        return len(self.generation.manifest.get("articles", {}))


def _best(lexical: np.ndarray, numbers: np.ndarray, count: int) -> list[tuple[int, float]]:
    """(article number, lexical score) of the `count` best-scoring of `numbers`."""
    if len(numbers) > count:
        numbers = numbers[np.argpartition(-lexical[numbers], count - 1)[:count]]
    return [(int(n), float(lexical[n])) for n in numbers]
