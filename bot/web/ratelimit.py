"""A per-visitor sliding-window message limit, kept in this process's memory."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

MAX_TRACKED = 100_000  # visitors remembered at once; the idlest are dropped beyond this


class RateLimiter:
    """At most `limit` events per `window` seconds for each key."""

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = MAX_TRACKED,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("the limit and the window must be positive")
        self._limit = limit
        self._window = window
        self._clock = clock
        self._max_tracked = max_tracked
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Record one event of `key` if it is within the limit; False when it is not."""
        moment = self._clock()
        events = self._events.pop(key, None) or deque()
        while events and events[0] <= moment - self._window:
            events.popleft()
        self._events[key] = events  # re-inserted: the dict's order is least recently seen first
        if len(events) >= self._limit:
            return False
        events.append(moment)
        while len(self._events) > self._max_tracked:
            del self._events[next(iter(self._events))]
        return True
