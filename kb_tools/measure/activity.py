"""The activity log: what agents searched for, what they opened, what they said of an article.

The records are written once, here, whatever keeps them (log_store.py): an SQLite file by default
(`kb-activity.sqlite` beside the index, shared by every process of a host) or a PostgreSQL
database every host shares (`--log postgresql://...`). Free text is scrubbed
(kb_tools.measure.scrub) before it is stored. A write that cannot be made (disk full, database
locked, no permission) raises ActivityLogError with a message naming the log and the fix. With a
database and a spool file, a record the database cannot take now (unreachable, too slow) waits in
the spool (log_spool.py) and is forwarded in order when it answers again; the write returns None.

  log_location(setting, index_dir)   where the log is: --log / KB_LOG, "off", or beside the index
  ActivityLog(target)                record_search, record_click, record_feedback, record_handoff, state

The SQL of each kind of record is log_records.py; the read side (the rows of a period, for
`kb report` and /report) is log_read.py, its read_activity re-exported here for the callers that
import it from this module.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb_tools.errors import ActivityLogError, LogUnreachableError
from kb_tools.measure.log_admin import apply_retention
from kb_tools.measure.log_read import read_activity
from kb_tools.measure.log_records import WRITERS
from kb_tools.measure.log_spool import SPOOL_FILE, Forwarder, Spool, Waiting
from kb_tools.measure.log_store import (
    BUSY_TIMEOUT,
    SCHEMA_VERSION,
    LogStore,
    LogTarget,
    is_url,
    open_store,
    upgrade,
)
from kb_tools.measure.scrub import scrub

if TYPE_CHECKING:
    from kb_tools.search import SearchResults

__all__ = ["SCHEMA_VERSION", "ActivityLogError", "ActivityLog", "read_activity", "log_location"]  # read_activity: log_read.py

LOG_FILE = "kb-activity.sqlite"
OFF = frozenset({"off", "no", "none", "false", "0"})
MAX_TEXT = 1000
PRUNE_EVERY = 3600.0  # seconds between prunings by the log's retention_days
SPOOL_LOOK_EVERY = 1.0  # seconds between looks at the host's spool for records another worker left there
REASONS = ("inaccurate", "missing-step", "hard-to-follow", "other")
VIAS = ("article", "call")


def log_location(setting: str | os.PathLike[str] | None, index_dir: Path | str) -> LogTarget | None:
    """Where the activity log is: `setting` (--log or KB_LOG: a file or a postgresql:// URL), None
    when it says "off", else kb-activity.sqlite beside the index folder (never inside it: servers
    only read the index)."""
    if setting is not None and str(setting).strip().lower() in OFF:
        return None
    if setting is not None and str(setting).strip():
        return str(setting).strip() if is_url(str(setting).strip()) else Path(setting)
    return Path(index_dir).absolute().parent / LOG_FILE


def log_name(target: LogTarget | None) -> str:
    """The log for messages: the file, or the URL without its password."""
    if target is not None and is_url(target):
        from kb_tools.measure.log_postgres import redact

        return redact(str(target))
    return str(target)


def spool_location(index_dir: Path | str) -> Path:
    """The host's spool for a database log: beside the index folder, like the default log."""
    return Path(index_dir).absolute().parent / SPOOL_FILE


def prepare_log(target: LogTarget) -> str | None:
    """Create or upgrade the log's schema before serving (every step only adds, so it is safe while
    other servers write); a message when a database log cannot be reached now (records will wait
    in the spool). A log that cannot be used at all raises ActivityLogError."""
    store = open_store(target)
    try:
        upgrade(store)
    except LogUnreachableError as exc:
        return f"{exc}; searches and feedback wait on this host until it answers."
    finally:
        store.close()
    return None


def cli_session() -> str:
    """The session of `kb search` runs: a hash of the user's name (so rewordings are found, not who)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    return "cli-" + hashlib.sha256(f"kb:{user}".encode()).hexdigest()[:16]


def record_cli_search(target: LogTarget | None, query: str, results: SearchResults, *,
                      filters: dict[str, Any]) -> str | None:
    """Record one `kb search` in the log at `target` (None: logging is off); a message when it could not be."""
    if target is None:
        return None
    log = ActivityLog(target)
    try:
        log.record_search(query, results=results.total, shown=[hit.path for hit in results.hits], filters=filters,
                          source="cli", session=cli_session(), confidence=results.confidence)
    except ActivityLogError as exc:
        return f"this search was not recorded: {exc}"
    finally:
        log.close()
    return None


class ActivityLog:
    """Writes to one activity log; safe to share between threads.

    `spool` (a file, for a database log): where records wait while the database is away.
    `prune`: delete the records older than the log's retention_days (`kb log prune
    --retention-days`) about once an hour, as kb serve does.
    """

    def __init__(self, target: LogTarget, *, busy_timeout: float = BUSY_TIMEOUT, max_bytes: int | None = None,
                 spool: Path | None = None, prune: bool = False, **store_options: Any) -> None:
        self.path = target
        self.store: LogStore = open_store(target, busy_timeout=busy_timeout, max_bytes=max_bytes, **store_options)
        self.name = self.store.name
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._spool = Spool(spool) if spool is not None and is_url(target) else None
        self._forwarder = Forwarder(self._spool, self._forward, self._spool_emptied) if self._spool else None
        self._prune_at = time.monotonic() if prune else float("inf")
        self._spooling = bool(self._spool and self._spool.count())  # left by an earlier run: forward those first
        self._look_at = time.monotonic() + SPOOL_LOOK_EVERY
        if self._spooling and self._forwarder:
            self._forwarder.wake()

    # --- writes ---------------------------------------------------------------------------------
    def record_search(self, query: str, *, results: int, shown: Sequence[str] = (), filters: dict[str, Any] | None = None,
                      source: str = "api", session: str | None = None, as_you_type: bool = False,
                      confidence: str | None = None, at: float | None = None) -> int | None:
        """Log one search and return its id (the id of the search being typed, when merged into it);
        None when it was spooled.

        With `session`, the session's previous search is marked reworded when this one follows
        it within REWORD_WINDOW (log_records.py) and nothing was opened in between; with `as_you_type`, a query
        that only extends or trims the previous one within TYPING_WINDOW updates it instead.
        `confidence` is how well the results matched (strong, partial, none: SearchResults.confidence);
        `kb report` lists the queries with no good match as content gaps.
        """
        return self._record("search", {
            "at": time.time() if at is None else at, "query": _clean(scrub(query, typing=as_you_type)),
            "filters": json.dumps({k: v for k, v in (filters or {}).items() if v}, sort_keys=True),
            "results": int(results), "shown": json.dumps(list(shown)), "source": source, "session": session,
            "as_you_type": as_you_type, "confidence": confidence})

    def record_click(self, search_id: int, article: str, *, rank: int | None = None,
                     at: float | None = None) -> bool | None:
        """Log that `article` was opened from the results of search `search_id`; False when there is
        no such search, None when it was spooled."""
        return self._record("click", {"search_id": search_id, "article": article, "rank": rank,
                                      "at": time.time() if at is None else at})

    def record_feedback(self, article: str, *, helpful: bool, reason: str | None = None, comment: str | None = None,
                        step: int | None = None, depth: str | None = None, via: str = "article",
                        session: str | None = None, trail: Sequence[tuple[str, int, str]] = (),
                        at: float | None = None) -> int | None:
        """Log one answer to "Did this solve the caller's problem?"; its id, or None when it was spooled.

        `trail`: call mode's answers that led here, oldest first, as (article, step, outcome label)
        with the label from the article's steps graph (kb_tools.measure.feedback.resolve_trail)."""
        if reason is not None and reason not in REASONS:
            raise ValueError(f"reason must be one of {', '.join(REASONS)}, not {reason!r}")
        if via not in VIAS:
            raise ValueError(f"via must be one of {', '.join(VIAS)}, not {via!r}")
        text = _clean(scrub(comment), keep_lines=True) if comment else None
        return self._record("feedback", {"at": time.time() if at is None else at, "article": article,
                                         "helpful": int(helpful), "reason": reason, "comment": text or None,
                                         "step": step, "depth": depth, "via": via, "session": session,
                                         "trail": json.dumps([list(answer) for answer in trail]) if trail else None})

    def record_handoff(self, article: str, *, team: str, step: int | None = None, depth: str | None = None,
                       via: str = "article", session: str | None = None, at: float | None = None) -> int | None:
        """Log that the call on `article` was handed to `team` (docs/teams.yml); its id, or None when spooled."""
        if via not in VIAS:
            raise ValueError(f"via must be one of {', '.join(VIAS)}, not {via!r}")
        return self._record("handoff", {"at": time.time() if at is None else at, "article": article, "team": team,
                                        "step": step, "depth": depth, "via": via, "session": session})

    @property
    def spooling(self) -> bool:
        """True while records wait in the spool (the database is away, or was until just now)."""
        return self._spooling

    def state(self) -> str:
        """"ok", or "degraded (N waiting)" while records wait in the host's spool for the database
        (whichever worker of the host spooled them: every worker answers the same)."""
        if self._spool is None:
            return "ok"
        try:
            waiting = self._spool.count()
        except ActivityLogError:
            return "degraded" if self._spooling else "ok"
        return f"degraded ({waiting} waiting)" if waiting else "ok"

    def ensure_schema(self) -> None:
        """Create or upgrade the log's tables, once per process (every step only adds)."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if not self._schema_ready:
                upgrade(self.store)
                self._schema_ready = True

    def close(self) -> None:
        """Stop forwarding and close every connection (call once no thread writes any more)."""
        if self._forwarder is not None:
            self._forwarder.stop()
        if self._spool is not None:
            self._spool.close()
        self.store.close()

    # --- one record: stored, or spooled -------------------------------------------------------------
    def _record(self, kind: str, args: dict[str, Any]) -> Any:
        if not self._spooling and not self._spooled_by_another_worker():
            try:
                stored = self._store(kind, args)
            except LogUnreachableError:
                if self._spool is None:
                    raise
            else:
                if time.monotonic() >= self._prune_at:
                    self._keep_retention()
                return stored
        assert self._spool is not None and self._forwarder is not None
        with self._forwarder.lock:  # never between the forwarder's last look at the spool and its all-clear
            self._spool.add(kind, args)
            self._spooling = True
        self._forwarder.wake()
        return None

    def _spooled_by_another_worker(self) -> bool:
        """Whether the host's spool holds records another worker left (looked at once a
        SPOOL_LOOK_EVERY): this worker then spools behind them, so the host's records reach the
        database in order, and it does not wait on an unreachable database to find out."""
        now = time.monotonic()
        if self._spool is None or now < self._look_at:
            return False
        self._look_at = now + SPOOL_LOOK_EVERY
        try:
            return self._spool.count() > 0
        except ActivityLogError:
            return False

    def _store(self, kind: str, args: dict[str, Any], uid: str | None = None) -> Any:
        self.ensure_schema()
        with self.store.transaction() as tx:
            if uid is not None and tx.one("INSERT INTO forwarded (uid, at) VALUES (?, ?) ON CONFLICT DO NOTHING "
                                          "RETURNING uid", (uid, time.time())) is None:
                return None  # forwarded before (by this host's other worker, or before a crash)
            return WRITERS[kind](tx, args)

    def _keep_retention(self) -> None:
        self._prune_at = time.monotonic() + PRUNE_EVERY
        try:
            with self.store.transaction() as tx:
                apply_retention(tx)
        except ActivityLogError as exc:
            logging.getLogger(__name__).warning("kb: could not prune the activity log by its retention_days: %s", exc)

    def _forward(self, waiting: Waiting) -> None:
        self._store(waiting.kind, waiting.args, waiting.uid)

    def _spool_emptied(self) -> None:
        self._spooling = False


def _clean(text: str, *, keep_lines: bool = False) -> str:
    """Control characters out (a newline kept in comments), cut to MAX_TEXT characters."""
    kept = "".join(char if char.isprintable() or (keep_lines and char == "\n") else " " for char in text)
    return kept.strip()[:MAX_TEXT]
