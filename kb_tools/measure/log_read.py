"""The activity log's read side: the rows of a period, for `kb report` and /report.

One snapshot (a read-only transaction) per call, on either back end (log_store.py); the rows come
back as small frozen records the report (kb_tools.measure.report) counts.

  read_activity(target, since=, until=)   an Activity: searches (with what was opened), feedback,
                                          hand-offs of [since, until), and when the log starts
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from kb_tools.errors import ActivityLogError
from kb_tools.measure.log_store import SCHEMA_VERSION, LogTarget, Tx, is_url, open_store

__all__ = ["Activity", "FeedbackRow", "HandoffRow", "SearchRow", "read_activity"]


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
    confidence: str | None = None  # strong, partial, none; None when not recorded (older rows)

    @property
    def has_words(self) -> bool:
        """False for punctuation alone ("...", a stray quote): it asks nothing the content could answer."""
        return any(character.isalnum() for character in self.query)

    @property
    def no_good_match(self) -> bool:
        """Words that found nothing, or nothing that matched well: a content gap."""
        return self.has_words and (self.results == 0 or self.confidence == "none")


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
    trail: tuple[tuple[str, int, str], ...] = ()  # call mode's answers: (article, step, outcome label), oldest first


@dataclass(frozen=True)
class HandoffRow:
    """One call handed to a team."""

    id: int
    at: float
    article: str
    team: str
    step: int | None
    depth: str | None
    via: str


@dataclass
class Activity:
    """The log's rows of one period (empty, with `note` saying why, when there is no log).

    `first_record`: the time of the oldest record the whole log still holds (None: none), so a
    report can say when the period asked for starts before what was kept (see `kb log prune`)."""

    searches: list[SearchRow] = field(default_factory=list)
    feedback: list[FeedbackRow] = field(default_factory=list)
    handoffs: list[HandoffRow] = field(default_factory=list)
    path: LogTarget | None = None
    note: str | None = None
    first_record: float | None = None


def read_activity(target: LogTarget | None, *, since: float | None = None, until: float | None = None) -> Activity:
    """Every search (with its clicks), feedback row and hand-off logged in [since, until)."""
    if target is None:
        return Activity(note="the activity log is off (--no-log or KB_LOG=off): nothing was recorded.")
    store = open_store(target, pool_size=1) if is_url(target) else open_store(target)
    try:
        with store.reading() as db:
            if db is None:
                return Activity(path=target, note=f"no activity log at {store.name} yet: `kb serve` and `kb search` "
                                                  "write it as agents search.")
            version = store.version(db)
            if version > SCHEMA_VERSION:
                raise ActivityLogError(f"the activity log {store.name} was written by a newer kb (schema {version}); "
                                       "upgrade kb.")
            if version == 0:
                return Activity(path=target, note=f"the activity log {store.name} is empty.")
            lo, hi = since if since is not None else 0.0, until if until is not None else float("inf")
            tables = ("searches", "feedback", "handoffs") if version >= 3 else ("searches", "feedback")
            first = db.one("SELECT min(at) FROM ("  # the oldest record of any kind: where the log starts
                           + " UNION ALL ".join(f"SELECT min(at) AS at FROM {table}" for table in tables)
                           + ") AS oldest")
            handoffs = list(_handoffs(db, lo, hi)) if version >= 3 else []
            return Activity(searches=list(_searches(db, lo, hi)), feedback=list(_feedback(db, lo, hi)), handoffs=handoffs,
                            path=store.name, first_record=first[0] if first else None)
    finally:
        store.close()


def _searches(db: Tx, lo: float, hi: float) -> Iterator[SearchRow]:
    opened: dict[int, list[str]] = {}
    for search_id, article in db.rows(
            "SELECT c.search_id, c.article FROM clicks c JOIN searches s ON s.id = c.search_id "
            "WHERE s.at >= ? AND s.at < ? ORDER BY c.id", (lo, hi)):
        opened.setdefault(search_id, []).append(article)
    for row in db.rows("SELECT id, at, source, session, query, filters, results, shown, reworded_as, confidence "
                       "FROM searches WHERE at >= ? AND at < ? ORDER BY at, id", (lo, hi)):
        yield SearchRow(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], tuple(json.loads(row[7])),
                        row[8], tuple(opened.get(row[0], ())), row[9])


def _feedback(db: Tx, lo: float, hi: float) -> Iterator[FeedbackRow]:
    for row in db.rows("SELECT id, at, article, helpful, reason, comment, step, depth, via, trail FROM feedback "
                       "WHERE at >= ? AND at < ? ORDER BY at, id", (lo, hi)):
        yield FeedbackRow(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6], row[7], row[8],
                          _trail(row[9]))


def _trail(stored: str | None) -> tuple[tuple[str, int, str], ...]:
    """A stored trail; one another tool wrote in another shape counts as none rather than stop the report."""
    try:
        answers = json.loads(stored) if stored else []
        return tuple((str(article), int(step), str(label)) for article, step, label in answers)
    except (ValueError, TypeError):
        return ()


def _handoffs(db: Tx, lo: float, hi: float) -> Iterator[HandoffRow]:
    for row in db.rows("SELECT id, at, article, team, step, depth, via FROM handoffs "
                       "WHERE at >= ? AND at < ? ORDER BY at, id", (lo, hi)):
        yield HandoffRow(*row)
