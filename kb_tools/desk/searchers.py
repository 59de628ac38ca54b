"""Searchers lent to the server's threads, each following the live index generation."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from kb_tools.errors import IndexMissingError
from kb_tools.search import Searcher

log = logging.getLogger(__name__)

REFRESH_EVERY = 1.0  # seconds between checks for a newer index generation


class SearcherPool:
    """Searchers lent to one request at a time, each on the live index generation.

    A Whoosh searcher must not be shared between threads (reading postings is a seek then a read
    on one file object), so each request borrows its own; there are never more than the server
    has worker threads. One borrower a second re-reads the live generation; the others follow it.
    """

    def __init__(self, index_dir: Path, *, refresh_every: float = REFRESH_EVERY) -> None:
        self.index_dir = Path(index_dir)
        self._idle: queue.LifoQueue[Searcher] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._refresh_every = refresh_every
        self._next_check = time.monotonic() + refresh_every
        first = Searcher(self.index_dir)  # fails early, with kb's message, when there is no index
        self._live = first.generation.name
        self._idle.put(first)

    @contextlib.contextmanager
    def borrow(self) -> Iterator[Searcher]:
        try:
            searcher = self._idle.get_nowait()
        except queue.Empty:
            searcher = Searcher(self.index_dir)
        try:
            self._follow_live_generation(searcher)
            yield searcher
        finally:
            self._idle.put(searcher)

    def _follow_live_generation(self, searcher: Searcher) -> None:
        now = time.monotonic()
        with self._lock:
            check = now >= self._next_check
            if check:
                self._next_check = now + self._refresh_every
        if not check and searcher.generation.name == self._live:
            return
        try:
            searcher.refresh()
        except IndexMissingError as exc:
            # A half-copied or deleted index must not take the desk down: keep answering from
            # the generation already open and say why in the log.
            log.warning("kb serve: still serving %s: %s", searcher.generation.name, exc)
            return
        with self._lock:
            self._live = searcher.generation.name
