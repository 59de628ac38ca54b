"""Article postings in numpy: the candidate retrieval of the ranking pipeline, BM25F in a few array ops.

    gen-000007/
      postings.json            fields, and each article's path and filter values
      postings-vocabulary.txt  the terms, sorted, one a line (a term's number is its line)
      postings-docs.npy        int32   article number of every posting, grouped by (field, term)
      postings-freq.npy        float32 how often the term occurs in that field of that article
      postings-offsets.npy     int64   (fields, terms + 1): where each (field, term) run starts
      postings-lengths.npy     float32 (fields, articles): each field's length, for BM25
      postings-flow.npy        int32   every article's PAIRED fields as term numbers in order, each field
                                       followed by -1: a quoted phrase is a run of them (`phrase_articles`)
      postings-flow-offsets.npy int64  (articles + 1): where each article's flow starts

Whoosh's matcher tree scores a broad query in Python, one document at a time: 0.3-0.9 s on
10,000 articles. Here a query term costs one slice and one vectorised BM25 update, a few
milliseconds for a whole query. Whoosh stores the documents (with their section cards).
The files live in the index generation, so the atomic switch and the incremental update
(drop the changed articles' postings, merge theirs in: postings_write.py) cover them.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

FIELDS = ("title", "summary", "customer_says", "tags", "headings", "body", "pairs", "words")
PAIRS = "pairs"  # adjacent words of the whole article, "keep drop": the proximity and phrase evidence
PAIRED = ("title", "summary", "customer_says", "headings", "body")  # the fields whose adjacent words PAIRS holds
WORDS = "words"  # the unstemmed words of title and text: the vocabulary of "did you mean" (never scored)
META_FILE = "postings.json"
DOCS_FILE, FREQ_FILE, OFFSETS_FILE = "postings-docs.npy", "postings-freq.npy", "postings-offsets.npy"
LENGTHS_FILE = "postings-lengths.npy"
FLOW_FILE, FLOW_OFFSETS_FILE = "postings-flow.npy", "postings-flow-offsets.npy"
# Splitting lines is several times faster than parsing a JSON list of the same terms.
VOCABULARY_FILE = "postings-vocabulary.txt"
FILTERS = ("product", "type", "status")
BM25_B, BM25_K1 = 0.75, 1.2
REMEMBERED_TERMS = 100_000


def pair(first: str, second: str) -> str:
    return f"{first}_{second}"


class Postings:
    """The article postings of one generation, read-only; `score` ranks articles for weighted terms."""

    def __init__(self, meta: dict, docs: np.ndarray, freq: np.ndarray, offsets: np.ndarray,
                 lengths: np.ndarray, flow: np.ndarray, flow_offsets: np.ndarray) -> None:
        self.vocabulary: list[str] = meta["vocabulary"]
        self._field_ids = {name: number for number, name in enumerate(meta["fields"])}
        self.articles: list[list] = meta["articles"]  # [path, product, type, status, [tags], sections]
        self.paths = [a[0] for a in self.articles]
        self.docs, self.freq, self.offsets = docs, freq, offsets
        count = len(self.articles)
        self.lengths = lengths
        self.flow, self.flow_offsets = flow, flow_offsets
        self.average = np.maximum(self.lengths.mean(axis=1), 1.0) if count else np.ones(len(self._field_ids))
        # Sections are ranked within an article with BM25 too: the article's body words are their words.
        sections = sum(a[5] for a in self.articles) if self.articles and len(self.articles[0]) > 5 else 0
        body = self._field_ids["body"]
        self.section_average = max(float(self.lengths[body].sum()) / max(sections, 1), 1.0)
        # Kept per process: a query asks for each of its terms in every field, and typing asks for
        # the same presence masks again (both read-only once made).
        self._term_number = functools.lru_cache(maxsize=REMEMBERED_TERMS)(self._find_term)
        self._holding = functools.lru_cache(maxsize=512)(self._hold)
        # Filter values as small integer codes: masks and facet counts are then array operations.
        self._names: dict[str, list[str]] = {}
        self._codes: dict[str, np.ndarray] = {}
        for column, name in enumerate(FILTERS, start=1):
            names, codes = np.unique(np.array([a[column] for a in self.articles] or [""], dtype=str), return_inverse=True)
            self._names[name], self._codes[name] = names.tolist(), codes[:count]

    @classmethod
    def open(cls, directory: Path) -> Postings:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        vocabulary = (directory / VOCABULARY_FILE).read_text(encoding="utf-8")
        meta["vocabulary"] = vocabulary.split("\n") if vocabulary else []
        # Read, not mapped: a file cut short under a memory map kills the process with SIGBUS at the
        # next page it touches, and bytes changed on disk would change answers; read once, the
        # generation's arrays stay as they were checked (kb serve checks them against the manifest).
        arrays = [np.load(directory / name) for name in (DOCS_FILE, FREQ_FILE, OFFSETS_FILE, LENGTHS_FILE, FLOW_FILE, FLOW_OFFSETS_FILE)]
        return cls(meta, *arrays)

    @functools.cached_property
    def number_of(self) -> dict[str, int]:
        """Article number by path (built on first use: lexical searches never need it)."""
        return {path: number for number, path in enumerate(self.paths)}

    def __len__(self) -> int:
        return len(self.articles)

    def frequency(self, field: str, term: str) -> int:
        """In how many articles `term` occurs in `field`."""
        lo, hi = self._run(field, term)
        return hi - lo

    def articles_with(self, field: str, term: str) -> np.ndarray:
        """The numbers of the articles holding `term` in `field`, sorted."""
        lo, hi = self._run(field, term)
        return np.sort(self.docs[lo:hi].astype(np.int64))

    def holding(self, term: str, fields: Iterable[str]) -> np.ndarray:
        """A boolean mask of the articles holding `term` in any of `fields` (no scoring: a few
        times cheaper than `score` when only presence matters). Shared, so read it only: the last
        few hundred asked for are kept, as typing asks for the same words at every keystroke."""
        return self._holding(term, tuple(fields))

    def _hold(self, term: str, fields: tuple[str, ...]) -> np.ndarray:
        mask = np.zeros(len(self.articles), dtype=bool)
        for field in fields:
            lo, hi = self._run(field, term)
            mask[self.docs[lo:hi]] = True
        mask.flags.writeable = False
        return mask

    def phrase_articles(self, phrase: Sequence[str]) -> np.ndarray:
        """The numbers of the articles holding the terms of `phrase` side by side in one of the PAIRED
        fields, sorted: where the first term occurs, kept while each next position holds the next."""
        ids = []
        for term in phrase:
            t = self._term_number(term)
            if t is None:
                return np.zeros(0, dtype=np.int64)
            ids.append(t)
        flow = self.flow
        at = np.flatnonzero(flow[:len(flow) - len(ids) + 1] == ids[0])
        for step, t in enumerate(ids[1:], start=1):
            at = at[flow[at + step] == t]  # a field's -1 ends every run at its edge
        return np.unique(np.searchsorted(self.flow_offsets, at, side="right") - 1)

    def score(self, weighted: Iterable[tuple[str, str, float]], *, k1: float = BM25_K1, b: float = BM25_B) -> np.ndarray:
        """BM25F per article: the sum over (field, term, weight) of weight x idf x saturated frequency."""
        scores = np.zeros(len(self.articles), dtype=np.float32)
        count = len(self.articles)
        for field, term, weight in weighted:
            lo, hi = self._run(field, term)
            if lo == hi:
                continue
            f = self._field_ids[field]
            docs, freq = self.docs[lo:hi], self.freq[lo:hi]
            idf = math.log(1 + (count - (hi - lo) + 0.5) / ((hi - lo) + 0.5))  # as in idf()
            norm = freq * (k1 + 1) / (freq + k1 * (1 - b + b * self.lengths[f, docs] / self.average[f]))
            scores[docs] += weight * idf * norm  # an article occurs once per (field, term) run
        return scores

    def expand_prefix(self, prefix: str, *, limit: int) -> list[str]:
        """The most frequent vocabulary terms starting with `prefix` (search as you type)."""
        found = [t for t in self._starting(prefix) if "_" not in t]
        return sorted(found, key=lambda t: -self.frequency("body", t))[:limit]

    def words_starting(self, prefix: str, *, limit: int) -> list[str]:
        """The most common whole words (unstemmed, WORDS) starting with `prefix`: "con" -> connection,
        console... (expand_prefix gives terms, mostly stems, ranked by the body's frequency)."""
        found = [t for t in self._starting(prefix) if self.frequency(WORDS, t)]
        return sorted(found, key=lambda t: -self.frequency(WORDS, t))[:limit]

    def _starting(self, prefix: str) -> list[str]:
        """The vocabulary (every field's) starting with `prefix`, in order."""
        start = bisect.bisect_left(self.vocabulary, prefix)
        return self.vocabulary[start:bisect.bisect_left(self.vocabulary, prefix + "\uffff")]

    def allowed(self, *, product: str | None, article_type: str | None, status: str | None, tag: str | None,
                include_archived: bool) -> np.ndarray | None:
        """A boolean mask of the articles the filters keep (None: all of them)."""
        mask = None
        for name, wanted in (("product", product), ("type", article_type), ("status", status)):
            if wanted:
                mask = _and(mask, self._codes[name] == self._code(name, wanted))
        if not include_archived and status != "archived":
            mask = _and(mask, self._codes["status"] != self._code("status", "archived"))
        if tag:
            mask = _and(mask, np.array([tag.lower() in a[4] for a in self.articles], dtype=bool))
        return mask

    def mask(self, name: str, value: str) -> np.ndarray:
        """The articles whose filter column `name` (product, type, status) is `value`."""
        return self._codes[name] == self._code(name, value)

    def facets(self, matched: np.ndarray) -> dict[str, dict[str, int]]:
        """Counts per product and type of the articles in `matched` (indices)."""
        facets = {}
        for name in ("product", "type"):
            counts = np.bincount(self._codes[name][matched], minlength=len(self._names[name]))
            facets[name] = {self._names[name][code]: int(n) for code, n in enumerate(counts) if n}
        return facets

    def _code(self, name: str, value: str) -> int:
        """The code of a filter value; -1 (matching nothing) when no article has it."""
        names = self._names[name]
        index = bisect.bisect_left(names, value)
        return index if index < len(names) and names[index] == value else -1

    def field_vocabulary(self, field: str) -> dict[str, int]:
        """Every term of `field` with the number of articles it occurs in."""
        f = self._field_ids.get(field)
        if f is None:
            return {}
        counts = np.diff(np.asarray(self.offsets[f]))
        return {self.vocabulary[t]: int(counts[t]) for t in np.flatnonzero(counts)}

    def idf(self, term: str, field: str = "body") -> float:
        """BM25's inverse document frequency of `term` in `field`."""
        lo, hi = self._run(field, term)
        return math.log(1 + (len(self.articles) - (hi - lo) + 0.5) / ((hi - lo) + 0.5))

    def _run(self, field: str, term: str) -> tuple[int, int]:
        f = self._field_ids.get(field)
        t = self._term_number(term)
        if f is None or t is None:
            return 0, 0
        return int(self.offsets[f, t]), int(self.offsets[f, t + 1])

    def _find_term(self, term: str) -> int | None:
        # The vocabulary is sorted: a bisect, so opening an index builds no term table.
        t = bisect.bisect_left(self.vocabulary, term)
        return t if t < len(self.vocabulary) and self.vocabulary[t] == term else None


def _and(mask: np.ndarray | None, other: np.ndarray) -> np.ndarray:
    return other if mask is None else mask & other
