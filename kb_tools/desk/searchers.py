"""Searchers lent to the server's threads, each following the live index generation, and what is
wrong with the index on disk (for /api/health)."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from kb_tools.errors import IndexMissingError
from kb_tools.search import Searcher, storage

log = logging.getLogger(__name__)

REFRESH_EVERY = 1.0  # seconds between checks for a newer index generation
CHECK_EVERY = 10.0  # seconds between checksum checks of the live generation, for /api/health


class SearcherPool:
    """Searchers lent to one request at a time, each on the live index generation.

    A Whoosh searcher must not be shared between threads (reading postings is a seek then a read
    on one file object), so each request borrows its own; there are never more than the server
    has worker threads. One borrower a second re-reads the live generation; the others follow it.

    A generation is checked against its manifest's checksums before it is used, and its arrays
    are then held in memory: bytes damaged on disk afterwards change no answer. A damaged new
    generation is not switched to (the one in memory keeps answering); with none good, requests
    get 503 naming the fix, and the pool tries again every second: no process dies of it.
    """

    def __init__(self, index_dir: Path, *, refresh_every: float = REFRESH_EVERY) -> None:
        self.index_dir = Path(index_dir)
        self._idle: queue.LifoQueue[Searcher] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._refresh_every = refresh_every
        self._next_check = time.monotonic() + refresh_every
        self._live: str | None = None
        self.problem: str | None = None  # why the live generation on disk is not the one answering
        self._checked: tuple[float, str | None] = (0.0, None)
        try:
            self._idle.put(self._open())
        except IndexMissingError as exc:  # a worker started on a damaged index waits for a good one
            self.problem = str(exc)
            log.warning("kb serve: no search index to answer from: %s", exc)

    def _open(self) -> Searcher:
        """A searcher on the live generation, once its files match their checksums."""
        live = storage.open_generation(self.index_dir, verify=True)
        searcher = Searcher(self.index_dir)
        if searcher.generation.name != live.name:  # CURRENT moved on meanwhile: check that one too
            storage.open_generation(self.index_dir, verify=True)
        with self._lock:
            self._live, self.problem = searcher.generation.name, None
        return searcher

    @contextlib.contextmanager
    def borrow(self) -> Iterator[Searcher]:
        try:
            searcher = self._idle.get_nowait()
        except queue.Empty:
            searcher = self._new_searcher()
        try:
            self._follow_live_generation(searcher)
            cut_short = storage.size_problem(searcher.generation)
            if cut_short:  # Whoosh maps its segments: reading one cut short would kill this process
                raise IndexMissingError(f"the search index in {self.index_dir} is damaged "
                                        f"({searcher.generation.name}/{cut_short}); rebuild it with `kb index --rebuild`.")
            yield searcher
        finally:
            self._idle.put(searcher)

    def _new_searcher(self) -> Searcher:
        with self._lock:
            live, problem = self._live, self.problem
        if live is not None and storage.current_name(self.index_dir) == live:
            return Searcher(self.index_dir)  # the generation already checked (its arrays are shared)
        if live is None and problem is not None and time.monotonic() < self._next_check:
            raise IndexMissingError(problem)  # try the disk again once a second, not on every request
        with self._lock:
            self._next_check = time.monotonic() + self._refresh_every
        try:
            return self._open()
        except IndexMissingError as exc:
            with self._lock:
                self.problem = str(exc)
            raise

    def _follow_live_generation(self, searcher: Searcher) -> None:
        now = time.monotonic()
        with self._lock:
            check = now >= self._next_check
            if check:
                self._next_check = now + self._refresh_every
        if not check and searcher.generation.name == self._live:
            return
        if storage.current_name(self.index_dir) == searcher.generation.name:
            return
        try:
            storage.open_generation(self.index_dir, verify=True)  # a damaged new generation is never switched to
            searcher.refresh()
        except IndexMissingError as exc:
            # A half-copied, damaged or deleted index must not take the desk down: keep answering from
            # the generation already open and say why (in the log once, and in /api/health).
            if self.problem != str(exc):
                log.warning("kb serve: still serving %s: %s", searcher.generation.name, exc)
            with self._lock:
                self.problem = str(exc)
            return
        with self._lock:
            self._live, self.problem = searcher.generation.name, None

    def damage(self) -> str | None:
        """Why the index on disk is not sound, or None: its files' sizes at every call (a stat each),
        their checksums at most every CHECK_EVERY seconds (a read of every file)."""
        now = time.monotonic()
        with self._lock:
            checked_at, found = self._checked
        verify = now - checked_at >= CHECK_EVERY
        try:
            storage.open_generation(self.index_dir, verify=verify)
            found = None if verify else found
        except IndexMissingError as exc:
            found = str(exc)
        if verify or found:
            with self._lock:
                self._checked = (now if verify else checked_at, found)
        return found or self.problem

