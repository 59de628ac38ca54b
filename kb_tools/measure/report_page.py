"""`kb serve`'s /report: the report page built on request from the activity log and the content.

A page is kept for CACHE_SECONDS per (owner, since), at most CACHED_PAGES of them (a TTLCache),
so a team refreshing it costs one build, and a script asking for every date cannot fill memory. The
findability check searches every `customer_says` phrase, which takes seconds on a small knowledge
base and minutes on a large one, so no request waits for it: the first request after a new index
generation starts it in a background thread, the page says it is running, and once it is done its
findings serve every page until the next generation (the content only changes with `kb index`).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cachetools import TTLCache

from kb_tools.errors import IndexMissingError, KBError
from kb_tools.measure.log_read import read_activity
from kb_tools.measure.report import (
    DEFAULT_DAYS,
    build_report,
    content_findings,
    period_bounds,
)
from kb_tools.measure.report_html import render_html

if TYPE_CHECKING:
    from kb_tools.content.findings import Finding
    from kb_tools.content.model import Collection

log = logging.getLogger(__name__)

CACHE_SECONDS = 30.0
CACHED_PAGES = 64


class ReportPage:
    """Builds and caches the /report page; one build at a time."""

    def __init__(self, log_path: Path | str | None, docs_dir: Path | None, index_dir: Path, *,
                 cache_seconds: float = CACHE_SECONDS) -> None:
        self.log_path = log_path
        self.docs_dir = docs_dir
        self.cache_seconds = cache_seconds
        self.findability = BackgroundFindability(index_dir, on_done=self._forget_pages)
        self._pages: TTLCache[tuple[str, str], str] = TTLCache(CACHED_PAGES, ttl=cache_seconds)
        # The content and kb check's findings on it: read once per CACHE_SECONDS for every page.
        self._content: TTLCache[str, tuple[Collection | None, list[Finding]]] = TTLCache(1, ttl=cache_seconds)
        self._lock = threading.Lock()

    def answer(self, params: dict[str, str], generation: str) -> tuple[int, str]:
        """The status and page for the query parameters `owner` and `since`: 200, or 400 with the reason."""
        try:
            return 200, self.html(generation, owner=params.get("owner", ""), since=params.get("since", ""))
        except IndexMissingError:
            raise
        except KBError as exc:
            return 400, report_error_page(str(exc))

    def html(self, generation: str, *, owner: str = "", since: str = "") -> str:
        """The page for `owner` (blank: everyone) since `since` (YYYY-MM-DD; blank: the last week),
        with the findability of index generation `generation`.

        Raises KBError (a bad date, an unknown owner) with a message for the person asking.
        """
        today = dt.date.today()
        start = _date(since) if since else today - dt.timedelta(days=DEFAULT_DAYS - 1)
        if start > today:
            raise KBError(f"since is after today ({today}); pick an earlier date.")
        key = (owner.strip().casefold(), start.isoformat())
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                page = self._pages[key] = self._build(generation, owner.strip() or None, start, today)
            return page

    def _forget_pages(self) -> None:
        with self._lock:
            self._pages.clear()

    def _build(self, generation: str, owner: str | None, since: dt.date, until: dt.date) -> str:
        lo, hi = period_bounds(since, until)
        activity = read_activity(self.log_path, since=lo, until=hi)
        collection, findings = self._read_content(until)
        phrases = self.findability.findings(collection, generation) if collection is not None else None
        report = build_report(activity, collection, findings + (phrases or []), since=since, until=until, owner=owner,
                              findability_checked=phrases is not None)
        if collection is not None and phrases is None:
            report.notes.append("Customer phrases are being searched in the background (as `kb check` does); "
                                "reload in a minute to see those not found.")

        def url_of(path: str) -> str | None:
            article = collection.get(path) if collection is not None else None
            return "/" + article.url if article is not None else None

        return render_html(report, url_of=url_of)

    def _read_content(self, today: dt.date) -> tuple[Collection | None, list[Finding]]:
        from kb_tools.content.model import load_collection

        read = self._content.get("content")
        if read is None:
            collection = load_collection(self.docs_dir) if self.docs_dir is not None and self.docs_dir.is_dir() else None
            read = self._content["content"] = (collection,
                                               content_findings(collection, today=today) if collection is not None else [])
        return read


class BackgroundFindability:
    """The findability findings of one index generation, computed once, in a background thread."""

    def __init__(self, index_dir: Path, *, on_done: Callable[[], None] = lambda: None) -> None:
        self.index_dir = index_dir
        self.on_done = on_done
        self._done: tuple[str, list[Finding]] | None = None
        self._running: str | None = None
        self._failed: str | None = None  # a generation the check could not read: not retried
        self._lock = threading.Lock()

    def findings(self, collection: Collection, generation: str) -> list[Finding] | None:
        """The findings for `generation`, or None while they are being computed (started if need be)."""
        with self._lock:
            if self._done is not None and self._done[0] == generation:
                return self._done[1]
            if self._running is None and self._failed != generation:
                self._running = generation
                threading.Thread(target=self._run, args=(collection,), name="kb-findability", daemon=True).start()
            return None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a running check to finish (for tests and benchmarks); False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._running is not None:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _run(self, collection: Collection) -> None:
        from kb_tools.search import Searcher
        from kb_tools.search.findability import check_findability

        result: tuple[str, list[Finding]] | None = None
        try:
            searcher = Searcher(self.index_dir)  # its own: a searcher is never shared between threads
            try:
                result = (searcher.generation.name, list(check_findability(collection, searcher)))
            finally:
                searcher.close()
        except KBError as exc:
            log.warning("kb serve: /report could not check customer phrases: %s", exc)
        finally:
            with self._lock:
                if result is None:
                    self._failed = self._running
                self._running = None
                if result is not None:
                    self._done = result
            self.on_done()


def report_error_page(message: str) -> str:
    """A small page saying why /report could not be shown."""
    return (f'<!doctype html><html lang="en"><meta charset="utf-8"><title>kb report</title>'
            f'<p>{html.escape(message)}</p><p><a href="/report">The whole report</a></p></html>')


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise KBError(f"since must be a date like 2026-01-31, not {text[:40]!r}") from None
