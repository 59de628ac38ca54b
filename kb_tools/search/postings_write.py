"""Writing a generation's postings (postings.py reads them): one article's terms per field
(`ArticleTerms`), and the arrays of a full build or of an update that merges the changed articles'
entries into the kept ones.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from kb_tools.search.analysis import terms, words
from kb_tools.search.postings import (
    DOCS_FILE,
    FIELDS,
    FLOW_FILE,
    FLOW_OFFSETS_FILE,
    FREQ_FILE,
    LENGTHS_FILE,
    META_FILE,
    OFFSETS_FILE,
    PAIRED,
    PAIRS,
    VOCABULARY_FILE,
    WORDS,
    Postings,
    pair,
)
from kb_tools.search.storage import replace_file


@dataclass(frozen=True)
class ArticleTerms:
    """One article as the postings see it: analysed terms per field, and its filter values."""

    path: str
    fields: dict[str, list[str]]
    product: str
    type: str
    status: str
    tags: tuple[str, ...]
    sections: int = 0

    @classmethod
    def from_texts(cls, path: str, texts: dict[str, str], *, product: str, type: str, status: str,
                   tags: Sequence[str], sections: int = 0) -> ArticleTerms:
        fields = {name: terms(texts.get(name, "")) for name in FIELDS if name not in (PAIRS, WORDS, "tags")}
        fields[WORDS] = words(f"{texts.get('title', '')} {texts.get('body', '')}")
        fields["tags"] = [" ".join(t.lower().split()) for t in tags]  # one line each in the vocabulary file
        flow = [t for name in PAIRED for t in fields[name] + ["|"]]
        fields[PAIRS] = [pair(a, b) for a, b in zip(flow, flow[1:], strict=False) if a != "|" and b != "|"]
        return cls(path, fields, product, type, status, tuple(t.lower() for t in tags), sections)


def write_postings(directory: Path, added: Sequence[ArticleTerms], replaced: set[str], *,
                   previous: Path | None = None) -> None:
    """Write `directory`'s postings: those of `previous` (default: the ones already there) minus
    the articles in `replaced`, plus `added`. Writes new files; never changes inherited ones.

    The entries stay sorted by (field, term). The kept ones are already in that order, so only
    the added ones are sorted and then inserted: an update of one article costs a few copies of
    the arrays, not a sort of every entry."""
    source = previous or directory
    old = Postings.open(source) if (source / META_FILE).is_file() else None
    vocabulary: dict[str, int] = {term: number for number, term in enumerate(old.vocabulary)} if old else {}
    keep = np.array([a[0] not in replaced for a in old.articles], dtype=bool) if old else np.zeros(0, bool)
    articles = [a for a, kept in zip(old.articles, keep, strict=False) if kept] if old else []
    first_added = len(articles)
    docs: list[int] = []
    term_ids: list[int] = []
    freq: list[int] = []
    fields: list[int] = []
    for number, article in enumerate(added, start=first_added):
        articles.append([article.path, article.product, article.type, article.status, list(article.tags),
                         article.sections])
        for field, name in enumerate(FIELDS):
            counts = Counter(article.fields.get(name, ()))
            term_ids += [vocabulary.setdefault(term, len(vocabulary)) for term in counts]
            freq += counts.values()
            docs += [number] * len(counts)
            fields += [field] * len(counts)

    docs_of, freq_of, field_of = (np.array(docs, np.int64), np.array(freq, np.float32), np.array(fields, np.int64))
    added_flows = [np.array([i for name in PAIRED for i in [*(vocabulary[t] for t in article.fields.get(name, ())), -1]],
                            dtype=np.int64) for article in added]

    # The vocabulary is kept sorted, so a prefix is one bisect; term ids are renumbered to match.
    # Old terms keep their relative order, so the kept entries stay sorted under the new ids.
    ordered = sorted(vocabulary)
    size = len(ordered)
    new_id = np.empty(size, dtype=np.int64)
    new_id[[vocabulary[t] for t in ordered]] = np.arange(size)

    # Added entries: sorted by (field, term); how many come before each (field, term) boundary.
    key = field_of * size + new_id[np.array(term_ids, dtype=np.int64)]
    order = np.argsort(key, kind="stable")
    before = np.concatenate([[0], np.cumsum(np.bincount(key, minlength=len(FIELDS) * size))])
    boundaries = np.arange(len(FIELDS), dtype=np.int64)[:, None] * size + np.arange(size + 1)[None, :]
    added_offsets = before[boundaries]

    kept_offsets, kept_docs, kept_freq, kept_lengths = _kept_entries(old, keep, new_id)

    # Each added entry goes after the kept entries of its own (field, term).
    sorted_key = key[order]
    at = kept_offsets[sorted_key // max(size, 1), sorted_key % max(size, 1) + 1]
    added_lengths = np.array([np.bincount(docs_of[field_of == f] - first_added, weights=freq_of[field_of == f],
                                          minlength=len(added)) for f in range(len(FIELDS))]).reshape(len(FIELDS), -1)

    flows = [_kept_flow(old, keep, new_id), *(np.where(f >= 0, new_id[f], -1) for f in added_flows)]
    arrays = ((DOCS_FILE, np.insert(kept_docs, at, docs_of[order]).astype(np.int32)),
              (FREQ_FILE, np.insert(kept_freq, at, freq_of[order]).astype(np.float32)),
              (OFFSETS_FILE, (kept_offsets + added_offsets).astype(np.int64)),
              (LENGTHS_FILE, np.concatenate([kept_lengths, added_lengths], axis=1).astype(np.float32)),
              (FLOW_FILE, np.concatenate(flows).astype(np.int32)),
              (FLOW_OFFSETS_FILE, _kept_flow_offsets(old, keep, [len(f) for f in added_flows])))
    for name, array in arrays:
        replace_file(directory / name, functools.partial(_save_array, array=array))
    replace_file(directory / VOCABULARY_FILE, lambda handle: handle.write("\n".join(ordered).encode("utf-8")))
    meta = {"fields": list(FIELDS), "articles": articles}
    replace_file(directory / META_FILE, lambda handle: handle.write(json.dumps(meta).encode("utf-8")))


def _kept_entries(old: Postings | None, keep: np.ndarray,
                  new_id: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The entries of `old`'s articles in `keep`, renumbered, in (field, term) order: the offsets of
    each (field, new term id) boundary among them, their article numbers, frequencies, and lengths."""
    size = len(new_id)
    if old is None:
        return (np.zeros((len(FIELDS), size + 1), np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32),
                np.zeros((len(FIELDS), 0), np.float32))
    old_offsets = np.asarray(old.offsets)
    old_docs = np.asarray(old.docs[:int(old_offsets[-1, -1])])
    kept = keep[old_docs]
    kept_before = np.concatenate([[0], np.cumsum(kept)])
    # Old term t is new term new_id[t]; a new boundary j falls after every old term below it.
    old_terms_below = np.searchsorted(new_id[:len(old.vocabulary)], np.arange(size + 1))
    renumber = (np.cumsum(keep) - 1).astype(np.int32)
    return (kept_before[old_offsets[:, old_terms_below]], renumber[old_docs[kept]],
            np.asarray(old.freq[:len(old_docs)])[kept], np.asarray(old.lengths)[:, keep])


def _flow_articles(old: Postings) -> np.ndarray:
    """The article number of each position of `old`'s flow."""
    return np.repeat(np.arange(len(old.articles)), np.diff(old.flow_offsets))


def _kept_flow(old: Postings | None, keep: np.ndarray, new_id: np.ndarray) -> np.ndarray:
    """The flows of `old`'s articles in `keep`, in their order, with terms renumbered."""
    if old is None:
        return np.zeros(0, np.int64)
    flow = np.asarray(old.flow)[keep[_flow_articles(old)]].astype(np.int64)
    return np.where(flow >= 0, new_id[np.maximum(flow, 0)], -1)


def _kept_flow_offsets(old: Postings | None, keep: np.ndarray, added: list[int]) -> np.ndarray:
    kept = np.diff(old.flow_offsets)[keep] if old is not None else np.zeros(0, np.int64)
    return np.concatenate([[0], np.cumsum(np.concatenate([kept, np.array(added, np.int64)]))]).astype(np.int64)


def _save_array(handle: BinaryIO, *, array: np.ndarray) -> None:
    np.save(handle, array)
