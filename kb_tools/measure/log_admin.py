"""`kb log`: look after an activity log, on either back end.

  upgrade_log(target)              create or upgrade the schema in place; (before, after)
  copy_log(src, dest)              every record of one log into another (SQLite <-> PostgreSQL),
                                   ids kept; idempotent and resumable; counts in = counts out
  prune_log(target, before)        delete the records older than a time
  retention(target, days=)         read or set the log's retention_days (kb serve prunes by it)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from kb_tools.errors import ActivityLogError
from kb_tools.measure.log_store import TABLES, LogStore, Tx, open_store, upgrade

COLUMNS = {
    "searches": ("id", "at", "source", "session", "query", "filters", "results", "shown", "confidence"),
    "clicks": ("id", "search_id", "at", "article", "rank"),
    "feedback": ("id", "at", "article", "helpful", "reason", "comment", "step", "depth", "via", "session", "trail"),
    "handoffs": ("id", "at", "article", "team", "step", "depth", "via", "session"),
}
BATCH = 2000
DAY = 86400.0
Progress = Callable[[str, int], None]  # (table, rows copied so far)


@dataclass(frozen=True)
class Copied:
    """What `kb log copy` did: records per table in the source, and how many of them were new in DEST."""

    counts: dict[str, int]
    added: dict[str, int]

    def summary(self) -> str:
        total, added = sum(self.counts.values()), sum(self.added.values())
        parts = ", ".join(f"{n} {table}" for table, n in self.counts.items())
        return (f"{total} records in both logs ({parts}); {added} copied now, "
                f"{total - added} were already there.")


def upgrade_log(target: str) -> tuple[int, int]:
    store = open_store(target)
    try:
        return upgrade(store)
    finally:
        store.close()


def copy_log(source: str, destination: str, *, progress: Progress | None = None, batch: int = BATCH) -> Copied:
    """Copy every search, click and feedback row of `source` into `destination`, in id order and
    keeping ids (a click still names its search). A row already in `destination` with the same id
    must be the same row (an earlier, maybe interrupted, copy): it is skipped, so running the copy
    again finishes it. The counts of both logs must then be equal, or nothing is claimed."""
    src, dest = open_store(source), open_store(destination)
    try:
        with src.reading() as tx:
            if tx is None:
                raise ActivityLogError(f"no activity log at {src.name} to copy.")
        upgrade(dest)
        added = {table: _copy_table(src, dest, table, progress, batch) for table in TABLES}
        _copy_rewordings(src, dest, batch)
        counts = {table: _count(src, table) for table in TABLES}
        for table in TABLES:
            there = _count(dest, table)
            if there != counts[table]:
                raise ActivityLogError(f"{dest.name} holds {there} {table} and {src.name} {counts[table]}: the "
                                       "destination already had records of its own; copy into an empty log.")
        return Copied(counts, added)
    finally:
        src.close()
        dest.close()


def _copy_table(src: LogStore, dest: LogStore, table: str, progress: Progress | None, batch: int) -> int:
    columns = ", ".join(COLUMNS[table])
    marks = ", ".join("?" for _ in COLUMNS[table])
    last, added, seen = -1, 0, 0
    while True:
        with src.reading() as tx:
            assert tx is not None
            rows = tx.rows(f"SELECT {columns} FROM {table} WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
        if not rows:
            break
        with dest.transaction() as tx:
            there = {row[0]: row for row in tx.rows(f"SELECT {columns} FROM {table} WHERE id >= ? AND id <= ?",
                                                    (rows[0][0], rows[-1][0]))}
            for row in rows:
                if row[0] in there and tuple(there[row[0]]) != tuple(row):
                    raise ActivityLogError(f"{dest.name} already has a different {table} record {row[0]}: it holds "
                                           "records of its own; copy into an empty log.")
            new = [row for row in rows if row[0] not in there]
            tx.many(f"INSERT INTO {table} ({columns}) VALUES ({marks})", new)
            dest.after_copy(tx, table)
        added += len(new)
        seen += len(rows)
        last = rows[-1][0]
        if progress:
            progress(table, seen)
    return added


def _copy_rewordings(src: LogStore, dest: LogStore, batch: int) -> None:
    """searches.reworded_as names a later search: set once every search is there."""
    last = -1
    while True:
        with src.reading() as tx:
            assert tx is not None
            rows = tx.rows("SELECT id, reworded_as FROM searches WHERE id > ? AND reworded_as IS NOT NULL "
                           "ORDER BY id LIMIT ?", (last, batch))
        if not rows:
            return
        with dest.transaction() as tx:
            tx.many("UPDATE searches SET reworded_as = ? WHERE id = ?", [(later, row_id) for row_id, later in rows])
        last = rows[-1][0]


def _count(store: LogStore, table: str) -> int:
    with store.reading() as tx:
        row = tx.one(f"SELECT count(*) FROM {table}") if tx is not None else None
    return int(row[0]) if row else 0


def prune_log(target: str, before: float) -> dict[str, int]:
    """Delete every record logged before `before` (a Unix time); how many of each kind."""
    store = open_store(target)
    try:
        upgrade(store)
        with store.transaction() as tx:
            return prune(tx, before)
    finally:
        store.close()


def prune(tx: Tx, before: float) -> dict[str, int]:
    """In an open transaction: the records before `before` deleted (a search's clicks with it)."""
    removed = {"clicks": tx.run("DELETE FROM clicks WHERE search_id IN (SELECT id FROM searches WHERE at < ?)",
                                (before,))}
    # A kept search never names a pruned one (reworded_as points to a later search), but a pruned
    # one may name a kept one: that reference goes with it.
    removed["searches"] = tx.run("DELETE FROM searches WHERE at < ?", (before,))
    removed["feedback"] = tx.run("DELETE FROM feedback WHERE at < ?", (before,))
    removed["handoffs"] = tx.run("DELETE FROM handoffs WHERE at < ?", (before,))
    tx.run("DELETE FROM forwarded WHERE at < ?", (before,))
    return removed


def retention(target: str, days: int | None = None, *, clear: bool = False) -> int | None:
    """The log's retention_days (None: kept forever); with `days`, set it first (`clear`: forget it)."""
    store = open_store(target)
    try:
        upgrade(store)
        with store.transaction() as tx:
            if clear:
                tx.run("DELETE FROM settings WHERE name = 'retention_days'")
            elif days is not None:
                tx.run("INSERT INTO settings (name, value) VALUES ('retention_days', ?) "
                       "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (str(days),))
            return retention_days(tx)
    finally:
        store.close()


def retention_days(tx: Tx) -> int | None:
    row = tx.one("SELECT value FROM settings WHERE name = 'retention_days'")
    return int(row[0]) if row else None


def apply_retention(tx: Tx, now: float | None = None) -> dict[str, int]:
    """Prune by the log's retention_days, if it has one (kb serve, about once an hour)."""
    days = retention_days(tx)
    if days is None:
        return {}
    return prune(tx, (time.time() if now is None else now) - days * DAY)
