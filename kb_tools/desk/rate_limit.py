"""A sliding-window rate limit per client, for the endpoints that write (kb serve's POSTs).

With an activity log, the events are counted in the log itself (table `rate_events`), so the
limit holds across every worker process of a host (one SQLite file) and every host of a floor
(one PostgreSQL database): a desk gets the limit the README states, however many processes
answer it. Each check is one short transaction that holds the client's key (SQLite serialises
every writer; PostgreSQL takes an advisory lock on the key). While the log cannot be written
(its database away, the file locked) the process counts in memory, as without a log.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from typing import TYPE_CHECKING

from kb_tools.errors import ActivityLogError

if TYPE_CHECKING:
    from kb_tools.measure.activity import ActivityLog

Key = tuple[str, ...]
WINDOW = 60.0
FORGET_EVERY = 60.0  # seconds between deletions of the events older than the window


class RateLimiter:
    """At most `per_minute` events per key in any 60 s (a sliding window); thread-safe.

    `shared`: the activity log to count in (every process and host writing to it shares the
    limit); `name` tells this limiter's keys from another's there (the endpoint).
    """

    WINDOW = WINDOW

    def __init__(self, per_minute: int, *, shared: ActivityLog | None = None, name: str = "") -> None:
        self.per_minute = per_minute
        self.shared = shared
        self.name = name
        self._events: dict[Key, collections.deque[float]] = {}
        self._lock = threading.Lock()
        self._forget_at = 0.0

    def retry_after(self, *keys: tuple[Key, int]) -> int:
        """0 and the event counted when every (key, limit) has room; else the seconds to wait."""
        if self.shared is not None and not self.shared.spooling:
            try:
                return self._shared_retry_after(self.shared, keys)
            except ActivityLogError:
                pass  # the log is away: this process's own count holds the line meanwhile
        return self._local_retry_after(keys)

    def _shared_retry_after(self, shared: ActivityLog, keys: tuple[tuple[Key, int], ...]) -> int:
        now = time.time()
        named = sorted(("\x1f".join((self.name, *key)), limit) for key, limit in keys)
        shared.ensure_schema()
        with shared.store.transaction() as tx:
            for key, _ in named:  # in one order everywhere, so two checks never wait on each other
                shared.store.lock(tx, f"rate:{key}")
            waits = []
            for key, limit in named:
                newest = tx.rows("SELECT at FROM rate_events WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?",
                                 (key, now - self.WINDOW, limit))
                if len(newest) >= limit:
                    waits.append(newest[-1][0] + self.WINDOW - now)
            if waits:
                return max(1, math.ceil(max(waits)))
            tx.many("INSERT INTO rate_events (key, at) VALUES (?, ?)", [(key, now) for key, _ in named])
            if now >= self._forget_at:
                self._forget_at = now + FORGET_EVERY
                tx.run("DELETE FROM rate_events WHERE at <= ?", (now - self.WINDOW,))
        return 0

    def _local_retry_after(self, keys: tuple[tuple[Key, int], ...]) -> int:
        now = time.monotonic()
        with self._lock:
            if len(self._events) > 10_000:  # forget clients that went quiet
                self._events = {k: q for k, q in self._events.items() if q and q[-1] > now - self.WINDOW}
            queues = [(self._events.setdefault(key, collections.deque()), limit) for key, limit in keys]
            for events, _ in queues:
                while events and events[0] <= now - self.WINDOW:
                    events.popleft()
            waits = [events[0] + self.WINDOW - now for events, limit in queues if len(events) >= limit]
            if waits:
                return max(1, math.ceil(max(waits)))
            for events, _ in queues:
                events.append(now)
            return 0
