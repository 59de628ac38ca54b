"""A sliding-window rate limit per client, for the endpoints that write (kb serve's POSTs)."""

from __future__ import annotations

import collections
import math
import threading
import time


class RateLimiter:
    """At most `per_minute` events per key in any 60 s (a sliding window); thread-safe."""

    WINDOW = 60.0

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._events: dict[tuple[str, ...], collections.deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, *keys: tuple[tuple[str, ...], int]) -> int:
        """0 and the event counted when every (key, limit) has room; else the seconds to wait."""
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
