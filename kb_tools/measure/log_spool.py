"""Records that wait on a host while the shared activity-log database is away, forwarded in order.

A small SQLite file per host (every worker process of the host shares it). Each record gets a
random uid when it is spooled; the database keeps the uids it has applied (table `forwarded`,
written in the same transaction as the record), so a record forwarded twice (a crash between the
database's commit and the spool's delete, two workers forwarding at once) is stored once.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb_tools.errors import ActivityLogError, LogUnreachableError
from kb_tools.measure.log_store import SQLiteStore

log = logging.getLogger(__name__)
SPOOL_FILE = "kb-activity-spool.sqlite"
RETRY_EVERY = 1.0  # seconds between attempts to reach the database again
BATCH = 200

_SCHEMA = ("CREATE TABLE IF NOT EXISTS waiting (seq INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, "
           "kind TEXT NOT NULL, args TEXT NOT NULL)")


@dataclass(frozen=True)
class Waiting:
    """One spooled record: what to record (`kind`, with `args`), under a uid the database remembers."""

    seq: int
    uid: str
    kind: str
    args: dict[str, Any]


class Spool:
    """The host's waiting records, oldest first."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._store = SQLiteStore(self.path)
        self._ready = False

    def add(self, kind: str, args: dict[str, Any]) -> str:
        uid = os.urandom(16).hex()
        with self._transaction() as tx:
            tx.run("INSERT INTO waiting (uid, kind, args) VALUES (?, ?, ?)", (uid, kind, json.dumps(args)))
        return uid

    def oldest(self, limit: int = BATCH) -> list[Waiting]:
        with self._transaction() as tx:
            rows = tx.rows("SELECT seq, uid, kind, args FROM waiting ORDER BY seq LIMIT ?", (limit,))
        return [Waiting(seq, uid, kind, json.loads(args)) for seq, uid, kind, args in rows]

    def remove(self, seq: int) -> None:
        with self._transaction() as tx:
            tx.run("DELETE FROM waiting WHERE seq = ?", (seq,))

    def count(self) -> int:
        if not self.path.is_file():
            return 0
        with self._transaction() as tx:
            row = tx.one("SELECT count(*) FROM waiting")
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._store.close()

    def _transaction(self) -> Any:
        if not self._ready:
            with self._store.transaction() as tx:
                tx.run(_SCHEMA)
            self._ready = True
        return self._store.transaction()


class Forwarder:
    """A thread that forwards the spool's records, oldest first, while the database answers.

    `forward(waiting)` stores one record (raising LogUnreachableError while the database is away);
    `on_empty()` is called, under the forwarder's lock, when nothing waits any more.
    """

    def __init__(self, spool: Spool, forward: Callable[[Waiting], None], on_empty: Callable[[], None], *,
                 retry_every: float = RETRY_EVERY) -> None:
        self.spool = spool
        self._forward = forward
        self._on_empty = on_empty
        self._retry_every = retry_every
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.lock = threading.Lock()

    def wake(self) -> None:
        """Start forwarding, unless a forwarding thread already runs."""
        with self.lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="kb-log-forwarder", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self._drain():
                    return
            except LogUnreachableError:
                pass
            except ActivityLogError as exc:  # the spool itself cannot be read: say so, try again later
                log.warning("kb serve: cannot forward the spooled activity records: %s", exc)
            self._stop.wait(self._retry_every)

    def _drain(self) -> bool:
        """Forward every waiting record; True once none waits (the writers may write directly again)."""
        while True:
            batch = self.spool.oldest()
            if not batch:
                with self.lock:
                    if not self.spool.oldest(1):  # nothing was spooled meanwhile
                        self._on_empty()
                        self._thread = None
                        return True
                continue
            for waiting in batch:
                try:
                    self._forward(waiting)
                except LogUnreachableError:
                    raise
                except ActivityLogError as exc:  # refused by the database: it would block every later record
                    log.warning("kb serve: dropped a spooled %s record the activity log refuses: %s", waiting.kind, exc)
                self.spool.remove(waiting.seq)
