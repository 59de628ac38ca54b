"""Where the activity log's rows live: one small interface, an SQLite file or a PostgreSQL database.

Everything above this module (the records, the report, shared rate limits, `kb log`) is written
once against `LogStore`: short transactions of SQL written with `?` placeholders, `RETURNING id`
and `ON CONFLICT DO NOTHING`, which both engines understand. A store differs only in how it
connects, how it names its column types, where it keeps the schema version, how it turns its
errors into one readable line, and how it serialises writers on a key (SQLite's BEGIN IMMEDIATE
already serialises every writer; PostgreSQL takes an advisory lock on the key).

  open_store(target)    an SQLiteStore for a path, a PostgresStore (log_postgres.py) for a
                        postgresql:// URL; psycopg is imported only then
  MIGRATIONS            the schema, one step per version; `upgrade(store)` runs the missing steps
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kb_tools.errors import ActivityLogError

BUSY_TIMEOUT = 2.0  # seconds a write waits for another writer before giving up
URL_SCHEMES = ("postgresql://", "postgres://")
LogTarget = Path | str  # an SQLite file, or a postgresql:// URL

# The schema, one step per version; {id}, {real} and {int} are each engine's column types. Every
# step only adds (tables, indexes), so running it while older servers write is safe.
MIGRATIONS = (
    # 1: searches, the results opened from them, feedback
    """
CREATE TABLE IF NOT EXISTS searches (
    id {id},
    at {real} NOT NULL,               -- Unix time of the last keystroke merged into it
    source TEXT NOT NULL,             -- api (the desk, scripts) or cli
    session TEXT,                     -- the desk's random id, a hash of the CLI user, or NULL
    query TEXT NOT NULL,              -- scrubbed
    filters TEXT NOT NULL,            -- JSON: depth, product, type, tag, status when given
    results {int} NOT NULL,           -- how many articles matched
    shown TEXT NOT NULL,              -- JSON: the paths of the results shown, best first
    reworded_as {int} REFERENCES searches(id)  -- the search that replaced it, no click between
);
CREATE INDEX IF NOT EXISTS searches_at ON searches(at);
CREATE INDEX IF NOT EXISTS searches_session ON searches(session, id);
CREATE TABLE IF NOT EXISTS clicks (
    id {id},
    search_id {int} NOT NULL REFERENCES searches(id),
    at {real} NOT NULL,
    article TEXT NOT NULL,
    rank {int}
);
CREATE INDEX IF NOT EXISTS clicks_search ON clicks(search_id);
CREATE TABLE IF NOT EXISTS feedback (
    id {id},
    at {real} NOT NULL,
    article TEXT NOT NULL,
    helpful {int} NOT NULL,           -- 1 yes, 0 no
    reason TEXT,                      -- one of REASONS, only with helpful = 0
    comment TEXT,                     -- scrubbed
    step {int},                       -- where a call got stuck
    depth TEXT,
    via TEXT NOT NULL,                -- article (the widget) or call (call mode)
    session TEXT
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback(at)
""",
    # 2: rate limits shared by every process and host, spooled records already forwarded, settings
    """
CREATE TABLE IF NOT EXISTS rate_events (
    key TEXT NOT NULL,                -- endpoint + client
    at {real} NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_events_key ON rate_events(key, at);
CREATE TABLE IF NOT EXISTS forwarded (
    uid TEXT PRIMARY KEY,             -- a record spooled on a host while the database was away
    at {real} NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,            -- retention_days
    value TEXT NOT NULL
)
""",
    # 3: the trail of answers that led to a stuck step, how well a search matched, hand-offs to a team
    """
-- JSON [[step, outcome], ...]: call mode's answers that led to the stuck step, oldest first
ALTER TABLE feedback ADD COLUMN trail TEXT;
-- strong, partial or none; NULL for searches logged before version 3
ALTER TABLE searches ADD COLUMN confidence TEXT;
CREATE TABLE IF NOT EXISTS handoffs (
    id {id},
    at {real} NOT NULL,
    article TEXT NOT NULL,
    team TEXT NOT NULL,               -- a team of docs/teams.yml
    step {int},                       -- the step the call was at, when in call mode
    depth TEXT,
    via TEXT NOT NULL,                -- article (the hand-off card) or call (call mode's end)
    session TEXT
);
CREATE INDEX IF NOT EXISTS handoffs_at ON handoffs(at)
""",
)
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("searches", "clicks", "feedback", "handoffs")  # the records; the rest is bookkeeping


def is_url(target: Path | str) -> bool:
    return str(target).startswith(URL_SCHEMES)


class Tx:
    """One open transaction: SQL with `?` placeholders, rows as tuples."""

    def __init__(self, cursor: Any, placeholder: str = "?") -> None:
        self._cursor = cursor
        self._placeholder = placeholder

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._run(sql, params)
        return list(cursor.fetchall()) if cursor.description else []

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        cursor = self._run(sql, params)
        return tuple(cursor.fetchone() or ()) or None if cursor.description else None

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        return int(self._run(sql, params).rowcount or 0)

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cursor.executemany(self._sql(sql), rows)

    def _run(self, sql: str, params: Sequence[Any]) -> Any:
        return self._cursor.execute(self._sql(sql), tuple(params))

    def _sql(self, sql: str) -> str:
        return sql if self._placeholder == "?" else sql.replace("?", self._placeholder)


class LogStore(ABC):
    """A database the activity log is kept in."""

    kind: str  # "sqlite" or "postgresql"
    types: dict[str, str]  # {id}, {real}, {int} of MIGRATIONS

    def __init__(self, name: str) -> None:
        self.name = name  # for messages: the file, or the URL without its password

    @abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[Tx]:
        """A short write transaction (committed at the end, rolled back on an error)."""

    @abstractmethod
    def reading(self) -> contextlib.AbstractContextManager[Tx | None]:
        """A read-only transaction, or None when there is no log there yet."""

    @abstractmethod
    def version(self, tx: Tx) -> int:
        """The schema version of the log (0: empty)."""

    @abstractmethod
    def set_version(self, tx: Tx, version: int) -> None: ...

    def lock(self, tx: Tx, key: str) -> None:
        """Hold other writers of `key` off until this transaction ends (SQLite: every writer already is)."""
        return None

    def after_copy(self, tx: Tx, table: str) -> None:
        """Rows were written with their ids: the next id must follow them (PostgreSQL's identity)."""
        return None

    def close(self) -> None:
        """Close the connections this process holds."""
        return None


def open_store(target: Path | str, **options: Any) -> LogStore:
    """The store of `target`: a postgresql:// URL or an SQLite file path."""
    if is_url(target):
        from kb_tools.measure.log_postgres import PostgresStore

        return PostgresStore(str(target), **{k: v for k, v in options.items() if k not in _SQLITE_ONLY})
    return SQLiteStore(Path(target), **{k: v for k, v in options.items() if k in _SQLITE_ONLY})


_SQLITE_ONLY = ("busy_timeout", "max_bytes")


def upgrade(store: LogStore, *, lock_key: str = "kb-schema") -> tuple[int, int]:
    """Bring the schema to SCHEMA_VERSION; (version before, version after). Refuses a newer log."""
    with store.transaction() as tx:
        store.lock(tx, lock_key)  # several hosts starting at once: one upgrades, the others wait
        before = store.version(tx)
        if before > SCHEMA_VERSION:
            raise ActivityLogError(f"the activity log {store.name} was written by a newer kb (schema {before}, this kb "
                                   f"knows {SCHEMA_VERSION}); upgrade kb or point --log elsewhere.")
        for step in MIGRATIONS[before:]:
            for statement in step.format(**store.types).split(";\n"):
                tx.run(statement)
        if before != SCHEMA_VERSION:
            store.set_version(tx, SCHEMA_VERSION)
    return before, SCHEMA_VERSION


# --- SQLite ---------------------------------------------------------------------------------------


class SQLiteStore(LogStore):
    """One SQLite file in WAL mode (readers never block the writer), one connection per thread.

    Each write is one `BEGIN IMMEDIATE` transaction: several threads and processes can write at
    once, waiting up to `busy_timeout` for each other.
    """

    kind = "sqlite"
    types = {"id": "INTEGER PRIMARY KEY", "real": "REAL", "int": "INTEGER"}

    def __init__(self, path: Path, *, busy_timeout: float = BUSY_TIMEOUT, max_bytes: int | None = None) -> None:
        super().__init__(str(path))
        self.path = path
        self.busy_timeout = busy_timeout
        self.max_bytes = max_bytes  # a size cap; past it writes fail as on a full disk
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        try:
            db = self._connection()
            self._begin(db)
        except sqlite3.Error as exc:
            raise self.readable(exc) from None
        try:
            yield Tx(db)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(db)
            raise self.readable(exc) from None
        except BaseException:
            _rollback(db)
            raise

    @contextlib.contextmanager
    def reading(self) -> Iterator[Tx | None]:
        if not self.path.is_file():
            yield None
            return
        try:
            db = _connect(self.path, self.busy_timeout)
        except sqlite3.Error as exc:
            raise self.readable(exc) from None
        try:
            db.execute("BEGIN")  # one snapshot for every read of the report
            yield Tx(db)
        except sqlite3.Error as exc:
            raise self.readable(exc) from None
        finally:
            db.close()

    def version(self, tx: Tx) -> int:
        row = tx.one("PRAGMA user_version")
        return int(row[0]) if row else 0

    def set_version(self, tx: Tx, version: int) -> None:
        tx.run(f"PRAGMA user_version = {int(version)}")

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    def _begin(self, db: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE, waiting up to `busy_timeout` for other writers. SQLite itself waits, except
        while another connection is setting up the shared WAL index (several processes opening a new
        log at once): then it answers "locked" at once, so that wait is ours."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = _connect(self.path, self.busy_timeout)
            try:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a crash loses no commit
                if self.max_bytes:
                    page = connection.execute("PRAGMA page_size").fetchone()[0]
                    connection.execute(f"PRAGMA max_page_count = {max(1, self.max_bytes // page)}")
            except BaseException:
                connection.close()
                raise
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def readable(self, exc: sqlite3.Error) -> ActivityLogError:
        """The SQLite error as one line that names the file and says what to do."""
        text, path = str(exc), self.path
        off = "or turn logging off (--no-log, or KB_LOG=off)"
        if "locked" in text or "busy" in text:
            return ActivityLogError(f"the activity log {path} is locked by another program (another writer held it "
                                    f"for more than {self.busy_timeout:g} s); close whatever holds it open {off}.")
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


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    # Autocommit mode: every transaction is an explicit BEGIN IMMEDIATE, so a read-then-write
    # never has to upgrade its lock (which fails at once instead of waiting).
    connection = sqlite3.connect(os.fspath(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    except BaseException:
        connection.close()
        raise
    return connection


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")
