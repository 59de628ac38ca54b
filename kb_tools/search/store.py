"""A generation's Whoosh index, read: the stored articles and the exact matches of phrase and field queries.

Every call into Whoosh goes through here, so a damaged file (Whoosh raises struct.error, "Block
tag error" and the like) is reported as a damaged index in one place. One store serves every
searcher of a process: a Whoosh searcher reads with a seek then a read on shared files, so reads
take turns (they are short: an article is one read, then kept; a phrase query a few milliseconds).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.query import Query
from whoosh.reading import TermNotFound

from kb_tools.errors import IndexMissingError
from kb_tools.search.storage import INDEX_NAME

# A process that reads this many articles (a server) gets a table of paths, 10-15 ms to build on 10,000
# articles, and then reads each article for a third of the lookup's cost; `kb search` reads ten.
READS_BEFORE_TABLE = 100
KEPT_ARTICLES = 512  # stored articles kept in memory, the last read (about 35 MB on 10,000)


class ArticleStore:
    """The Whoosh index of one generation: articles by path, documents matching a Whoosh query."""

    def __init__(self, directory: Path, *, index_dir: Path) -> None:
        self._index_dir = index_dir
        self._lock = threading.Lock()
        with self._whoosh():
            self._searcher = whoosh_index.open_dir(str(directory), indexname=INDEX_NAME).searcher()
        self._numbers: dict[str, int] | None = None  # path -> document number, once reads are many
        self._reads = 0
        # The same articles come up in search after search. Shared: read them, never change them.
        self.article = functools.lru_cache(maxsize=KEPT_ARTICLES)(self._read_article)

    @property
    def schema(self) -> Any:
        return self._searcher.schema

    def _read_article(self, path: str) -> dict[str, Any] | None:
        """The stored fields of one article (title, url, steps, section cards...), or None."""
        with self._whoosh():
            number = self._document_number(path)
            found = self._searcher.reader().stored_fields(number) if number is not None else None
        if found is not None and (found.get("path") != path or "meta" not in found):
            raise damaged(self._index_dir)  # read from a segment cut short: not an article
        return found

    def _document_number(self, path: str) -> int | None:
        """The live Whoosh document of `path` (the caller holds the lock)."""
        if self._numbers is not None:
            return self._numbers.get(path)
        self._reads += 1
        if self._reads >= READS_BEFORE_TABLE:
            self._numbers = {found: number for number, found in self._paths().items()}
            return self._numbers.get(path)
        try:  # the key's postings straight from the reader: a third of document(key=...)'s time
            number: int = self._searcher.reader().first_id("key", f"a:{path}")
        except TermNotFound:
            return None
        return number

    def matching(self, query: Query) -> list[int]:
        """The Whoosh document numbers of the live articles matching `query`, unranked."""
        with self._whoosh():
            return list(self._searcher.docs_for_query(query))

    def live_paths(self) -> dict[int, str]:
        """The path of each live Whoosh document, by document number."""
        with self._whoosh():
            return self._paths()

    def _paths(self) -> dict[int, str]:
        reader = self._searcher.reader()
        paths = reader.column_reader("path")
        return {doc: paths[doc] for doc in reader.all_doc_ids()}

    def phrase_in(self, field: str, words: list[str], docs: list[int]) -> list[int]:
        """Those of `docs` (ascending document numbers) whose `field` holds `words` side by side."""
        found: list[int] = []
        with self._whoosh():
            reader = self._searcher.reader()
            if not docs or any((field, word) not in reader for word in words):
                return found
            rarest = min(words, key=lambda word: reader.doc_frequency(field, word))
            if reader.doc_frequency(field, rarest) < len(docs):  # fewer documents hold it than are asked about
                docs = sorted(set(docs).intersection(reader.postings(field, rarest).all_ids()))
            matchers = [reader.postings(field, word) for word in words]
            for doc in docs:
                positions = []
                for matcher in matchers:
                    if matcher.is_active() and matcher.id() < doc:
                        matcher.skip_to(doc)
                    if not matcher.is_active():
                        return found
                    if matcher.id() != doc:
                        break
                    positions.append(set(matcher.value_as("positions")))
                else:
                    if any(all(start + i in at for i, at in enumerate(positions[1:], 1)) for start in positions[0]):
                        found.append(doc)
        return found

    def close(self) -> None:
        with self._lock:
            self._searcher.close()

    @contextlib.contextmanager
    def _whoosh(self) -> Iterator[None]:
        with self._lock:
            try:
                yield
            except Exception as exc:  # noqa: BLE001 - only Whoosh runs in here, and it raises many kinds on damaged files
                raise damaged(self._index_dir) from exc


def damaged(index_dir: Path) -> IndexMissingError:
    return IndexMissingError(f"the search index in {index_dir} is damaged; rebuild it with `kb index --rebuild`.")
