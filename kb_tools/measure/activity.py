"""The activity log: what agents searched for, what they opened, what they said of an article.

One SQLite file (WAL mode, so readers never block the writer), shared by every `kb serve` process
and `kb search` run on a host. Each write is one short `BEGIN IMMEDIATE` transaction: several
threads and processes can write at once, waiting up to `busy_timeout` for each other. Free text is
scrubbed (kb_tools.measure.scrub) before it is stored. A write that cannot be made (disk full, database
locked, no permission) raises ActivityLogError with a message naming the file and the fix.

  log_location(setting, index_dir)   where the log is: --log / KB_LOG, "off", or beside the index
  ActivityLog(path)                  record_search, record_click, record_feedback
  read_activity(path, since=)        the rows of a period, for `kb report`
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb_tools.errors import ActivityLogError
from kb_tools.measure.scrub import before_placeholders, scrub

if TYPE_CHECKING:
    from kb_tools.search import SearchResults

LOG_FILE = "kb-activity.sqlite"
OFF = frozenset({"off", "no", "none", "false", "0"})
SCHEMA_VERSION = 1
BUSY_TIMEOUT = 2.0  # seconds a write waits for another writer before giving up
# The desk searches as the agent types: a query that extends or trims the previous one of the
# same session, this soon after it, is the same search still being typed.
TYPING_WINDOW = 10.0
# Searching again this soon without opening a result means the first wording did not work.
REWORD_WINDOW = 60.0
MAX_TEXT = 1000
REASONS = ("inaccurate", "missing-step", "hard-to-follow", "other")
VIAS = ("article", "call")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,                 -- Unix time of the last keystroke merged into it
    source TEXT NOT NULL,             -- api (the desk, scripts) or cli
    session TEXT,                     -- the desk's random id, a hash of the CLI user, or NULL
    query TEXT NOT NULL,              -- scrubbed
    filters TEXT NOT NULL,            -- JSON: depth, product, type, tag, status when given
    results INTEGER NOT NULL,         -- how many articles matched
    shown TEXT NOT NULL,              -- JSON: the paths of the results shown, best first
    reworded_as INTEGER REFERENCES searches(id)  -- the search that replaced it, no click between
);
CREATE INDEX IF NOT EXISTS searches_at ON searches(at);
CREATE INDEX IF NOT EXISTS searches_session ON searches(session, id);
CREATE TABLE IF NOT EXISTS clicks (
    id INTEGER PRIMARY KEY,
    search_id INTEGER NOT NULL REFERENCES searches(id),
    at REAL NOT NULL,
    article TEXT NOT NULL,
    rank INTEGER
);
CREATE INDEX IF NOT EXISTS clicks_search ON clicks(search_id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    article TEXT NOT NULL,
    helpful INTEGER NOT NULL,         -- 1 yes, 0 no
    reason TEXT,                      -- one of REASONS, only with helpful = 0
    comment TEXT,                     -- scrubbed
    step INTEGER,                     -- where a call got stuck
    depth TEXT,
    via TEXT NOT NULL,                -- article (the widget) or call (call mode)
    session TEXT
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback(at);
"""



def log_location(setting: str | os.PathLike[str] | None, index_dir: Path | str) -> Path | None:
    """Where the activity log is: `setting` (--log or KB_LOG), None when it says "off", else
    kb-activity.sqlite beside the index folder (never inside it: servers only read the index)."""
    if setting is not None and str(setting).strip().lower() in OFF:
        return None
    if setting is not None and str(setting).strip():
        return Path(setting)
    return Path(index_dir).absolute().parent / LOG_FILE


def cli_session() -> str:
    """The session of `kb search` runs: a hash of the user's name (so rewordings are found, not who)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    return "cli-" + hashlib.sha256(f"kb:{user}".encode()).hexdigest()[:16]


def record_cli_search(path: Path | None, query: str, results: SearchResults, *, filters: dict[str, Any]) -> str | None:
    """Record one `kb search` in the log at `path` (None: logging is off); a message when it could not be."""
    if path is None:
        return None
    log = ActivityLog(path)
    try:
        log.record_search(query, results=results.total, shown=[hit.path for hit in results.hits], filters=filters,
                          source="cli", session=cli_session())
    except ActivityLogError as exc:
        return f"this search was not recorded: {exc}"
    finally:
        log.close()
    return None


class ActivityLog:
    """Writes to one activity log; safe to share between threads (one connection per thread)."""

    def __init__(self, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT, max_bytes: int | None = None) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.max_bytes = max_bytes  # a size cap; past it writes fail as on a full disk
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    # --- writes ---------------------------------------------------------------------------------
    def record_search(self, query: str, *, results: int, shown: Sequence[str] = (), filters: dict[str, Any] | None = None,
                      source: str = "api", session: str | None = None, as_you_type: bool = False,
                      at: float | None = None) -> int:
        """Log one search and return its id (the id of the search being typed, when merged into it).

        With `session`, the session's previous search is marked reworded when this one follows
        it within REWORD_WINDOW and nothing was opened in between; with `as_you_type`, a query
        that only extends or trims the previous one within TYPING_WINDOW updates it instead.
        """
        at = time.time() if at is None else at
        text = _clean(scrub(query, typing=as_you_type))
        row = (at, text, json.dumps({k: v for k, v in (filters or {}).items() if v}, sort_keys=True), int(results),
               json.dumps(list(shown)))
        with self._transaction() as db:
            previous = _previous_unopened(db, session, source, at) if session else None
            if previous and as_you_type and at - previous[1] <= TYPING_WINDOW and _is_typing(previous[2], text):
                db.execute("UPDATE searches SET at = ?, query = ?, filters = ?, results = ?, shown = ? WHERE id = ?",
                           (*row, previous[0]))
                return int(previous[0])
            new = db.execute("INSERT INTO searches (at, query, filters, results, shown, source, session) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", (*row, source, session)).lastrowid
            if previous:
                db.execute("UPDATE searches SET reworded_as = ? WHERE id = ?", (new, previous[0]))
            return int(new or 0)

    def record_click(self, search_id: int, article: str, *, rank: int | None = None, at: float | None = None) -> bool:
        """Log that `article` was opened from the results of search `search_id`; False when there is no such search."""
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM searches WHERE id = ?", (search_id,)).fetchone() is None:
                return False
            db.execute("INSERT INTO clicks (search_id, at, article, rank) VALUES (?, ?, ?, ?)",
                       (search_id, time.time() if at is None else at, article, rank))
            return True

    def record_feedback(self, article: str, *, helpful: bool, reason: str | None = None, comment: str | None = None,
                        step: int | None = None, depth: str | None = None, via: str = "article",
                        session: str | None = None, at: float | None = None) -> int:
        """Log one answer to "Did this solve the caller's problem?" and return its id."""
        if reason is not None and reason not in REASONS:
            raise ValueError(f"reason must be one of {', '.join(REASONS)}, not {reason!r}")
        if via not in VIAS:
            raise ValueError(f"via must be one of {', '.join(VIAS)}, not {via!r}")
        text = _clean(scrub(comment), keep_lines=True) if comment else None
        with self._transaction() as db:
            return int(db.execute(
                "INSERT INTO feedback (at, article, helpful, reason, comment, step, depth, via, session) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time() if at is None else at, article, int(helpful), reason, text or None, step, depth, via,
                 session)).lastrowid or 0)

    def close(self) -> None:
        """Close every thread's connection (call once no thread writes any more)."""
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    # --- the connection and its transaction -------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = _connect(self.path, self.busy_timeout, create=True)
            try:
                if self.max_bytes:
                    page = connection.execute("PRAGMA page_size").fetchone()[0]
                    connection.execute(f"PRAGMA max_page_count = {max(1, self.max_bytes // page)}")
                _ensure_schema(connection, self.path)
            except sqlite3.Error as exc:
                connection.close()
                raise _readable(exc, self.path, self.busy_timeout) from None
            except BaseException:
                connection.close()
                raise
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One short BEGIN IMMEDIATE ... COMMIT; an SQLite error becomes a readable ActivityLogError."""
        try:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _readable(exc, self.path, self.busy_timeout) from None
        try:
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(db)
            raise _readable(exc, self.path, self.busy_timeout) from None
        except BaseException:
            _rollback(db)
            raise


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")


def _connect(path: Path, busy_timeout: float, *, create: bool) -> sqlite3.Connection:
    if not create and not path.is_file():
        raise ActivityLogError(f"no activity log at {path}")
    try:
        # Autocommit mode: every transaction is an explicit BEGIN IMMEDIATE, so a read-then-write
        # never has to upgrade its lock (which fails at once instead of waiting).
        connection = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise _readable(exc, path, busy_timeout) from None
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if create:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a crash loses no commit, power loss maybe the last
    except sqlite3.Error as exc:
        connection.close()
        raise _readable(exc, path, busy_timeout) from None
    return connection


def _ensure_schema(connection: sqlite3.Connection, path: Path) -> None:
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise ActivityLogError(f"the activity log {path} was written by a newer kb (schema {version}, this kb "
                                   f"knows {SCHEMA_VERSION}); upgrade kb or point --log at another file.")
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";\n"):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            _rollback(connection)
            raise
    except sqlite3.Error as exc:
        raise _readable(exc, path) from None


def _readable(exc: sqlite3.Error, path: Path, busy_timeout: float = BUSY_TIMEOUT) -> ActivityLogError:
    """The SQLite error as one line that names the file and says what to do."""
    text = str(exc)
    off = "or turn logging off (--no-log, or KB_LOG=off)"
    if "locked" in text or "busy" in text:
        return ActivityLogError(f"the activity log {path} is locked by another program (another writer held it for "
                                f"more than {busy_timeout:g} s); close whatever holds it open {off}.")
    if "full" in text:
        return ActivityLogError(f"cannot write the activity log {path}: the disk (or the log's size limit) is full; "
                                f"free some space, move it with --log PATH, {off}.")
    if "readonly" in text or "read-only" in text or "permission" in text.lower():
        return ActivityLogError(f"cannot write the activity log {path}: no permission; "
                                f"give this user write access to the file and its folder, use --log PATH, {off}.")
    if "unable to open" in text:
        return ActivityLogError(f"cannot open the activity log {path}: its folder is missing or not writable; "
                                f"create it, use --log PATH, {off}.")
    if "not a database" in text or "malformed" in text:
        return ActivityLogError(f"{path} is not a kb activity log (or it is damaged); point --log at another file.")
    return ActivityLogError(f"the activity log {path}: {text}")


def _previous_unopened(db: sqlite3.Connection, session: str, source: str, at: float) -> tuple[int, float, str] | None:
    """The session's last search, when it is recent, not yet reworded and nothing was opened from it."""
    row = db.execute("SELECT id, at, query, reworded_as FROM searches WHERE session = ? AND source = ? "
                     "ORDER BY id DESC LIMIT 1", (session, source)).fetchone()
    if row is None or row[3] is not None or at - row[1] > REWORD_WINDOW:
        return None
    if db.execute("SELECT 1 FROM clicks WHERE search_id = ?", (row[0],)).fetchone():
        return None
    return int(row[0]), float(row[1]), str(row[2])


def _is_typing(before: str, after: str) -> bool:
    a, b = normalize_query(before_placeholders(before)), normalize_query(before_placeholders(after))
    return a.startswith(b) or b.startswith(a)


def normalize_query(text: str) -> str:
    """The form queries are grouped by: case-folded, single spaces, no surrounding punctuation."""
    return " ".join(text.casefold().split()).strip(" .,;:!?\"'")


def _clean(text: str, *, keep_lines: bool = False) -> str:
    """Control characters out (a newline kept in comments), cut to MAX_TEXT characters."""
    kept = "".join(char if char.isprintable() or (keep_lines and char == "\n") else " " for char in text)
    return kept.strip()[:MAX_TEXT]


# --- reading, for the report ----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRow:
    """One logged search, with what was opened from it."""

    id: int
    at: float
    source: str
    session: str | None
    query: str
    filters: dict[str, str]
    results: int
    shown: tuple[str, ...]
    reworded_as: int | None
    opened: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedbackRow:
    """One answer to "Did this solve the caller's problem?"."""

    id: int
    at: float
    article: str
    helpful: bool
    reason: str | None
    comment: str | None
    step: int | None
    depth: str | None
    via: str


@dataclass
class Activity:
    """The log's rows of one period (empty, with `note` saying why, when there is no log)."""

    searches: list[SearchRow] = field(default_factory=list)
    feedback: list[FeedbackRow] = field(default_factory=list)
    path: Path | None = None
    note: str | None = None


def read_activity(path: Path | None, *, since: float | None = None, until: float | None = None) -> Activity:
    """Every search (with its clicks) and every feedback row logged in [since, until)."""
    if path is None:
        return Activity(note="the activity log is off (--no-log or KB_LOG=off): nothing was recorded.")
    if not Path(path).is_file():
        return Activity(path=Path(path), note=f"no activity log at {path} yet: `kb serve` and `kb search` "
                                              "write it as agents search.")
    connection = _connect(Path(path), BUSY_TIMEOUT, create=False)
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ActivityLogError(f"the activity log {path} was written by a newer kb (schema {version}); upgrade kb.")
        if version == 0:
            return Activity(path=Path(path), note=f"the activity log {path} is empty.")
        lo, hi = since if since is not None else 0.0, until if until is not None else float("inf")
        return Activity(searches=list(_searches(connection, lo, hi)), feedback=list(_feedback(connection, lo, hi)),
                        path=Path(path))
    except sqlite3.Error as exc:
        raise _readable(exc, Path(path)) from None
    finally:
        connection.close()


def _searches(db: sqlite3.Connection, lo: float, hi: float) -> Iterator[SearchRow]:
    opened: dict[int, list[str]] = {}
    for search_id, article in db.execute(
            "SELECT c.search_id, c.article FROM clicks c JOIN searches s ON s.id = c.search_id "
            "WHERE s.at >= ? AND s.at < ? ORDER BY c.id", (lo, hi)):
        opened.setdefault(search_id, []).append(article)
    for row in db.execute("SELECT id, at, source, session, query, filters, results, shown, reworded_as FROM searches "
                          "WHERE at >= ? AND at < ? ORDER BY at, id", (lo, hi)):
        yield SearchRow(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], tuple(json.loads(row[7])),
                        row[8], tuple(opened.get(row[0], ())))


def _feedback(db: sqlite3.Connection, lo: float, hi: float) -> Iterator[FeedbackRow]:
    for row in db.execute("SELECT id, at, article, helpful, reason, comment, step, depth, via FROM feedback "
                          "WHERE at >= ? AND at < ? ORDER BY at, id", (lo, hi)):
        yield FeedbackRow(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6], row[7], row[8])
