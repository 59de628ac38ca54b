"""An index generation opened for searching: its Whoosh store, postings, vectors and vocabulary.

Loaded once per process, however many searchers (a server's threads) use it, and never changed
afterwards: a searcher switches generation by replacing one reference, so a request that started
on a generation finishes on it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb_tools.search import storage
from kb_tools.search.exact import ExactMatcher
from kb_tools.search.postings import Postings
from kb_tools.search.spelling import Speller
from kb_tools.search.store import ArticleStore, damaged
from kb_tools.search.syntax import ExactQuery
from kb_tools.search.thesaurus import Thesaurus, read_thesaurus
from kb_tools.search.vectors import VectorStore
from kb_tools.search.wordlist import read_english_words


@dataclass(frozen=True, eq=False)
class LoadedGeneration:
    store: ArticleStore
    postings: Postings
    vectors: VectorStore | None
    thesaurus: Thesaurus
    speller: Speller

    @functools.cached_property
    def _exact(self) -> ExactMatcher:
        return ExactMatcher(self.store, self.postings)

    def exact_matches(self, exact: ExactQuery) -> np.ndarray:
        """The article numbers matching a phrase or field query, sorted."""
        return self._exact.articles(exact.query)


def load(generation: storage.Generation, index_dir: Path) -> LoadedGeneration:
    """The generation, loaded (or shared with another searcher of this process); IndexMissingError
    when its files are damaged."""
    return _load(generation.path, generation.manifest.get("built_at"), index_dir)


# `built_at` tells a rebuilt index apart from an old one of the same name.
@functools.lru_cache(maxsize=2)
def _load(path: Path, built_at: object, index_dir: Path) -> LoadedGeneration:
    store = ArticleStore(path, index_dir=index_dir)
    try:
        # The vectors are read into memory: a matrix product over a memory map is several times slower.
        vectors, postings = VectorStore.open(path, mmap=False), Postings.open(path)
        thesaurus = read_thesaurus(path)
    except Exception:  # noqa: BLE001 - numpy and json raise many kinds on damaged files
        store.close()
        raise damaged(index_dir) from None
    return LoadedGeneration(store, postings, vectors, thesaurus, Speller(postings, lambda: read_english_words(path)))
