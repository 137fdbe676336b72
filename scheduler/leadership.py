"""Which process runs the scheduled jobs: the one holding the "scheduler" lease.

Every process runs the same APScheduler and renews (or tries to take) the lease every
RENEW_EVERY; only the holder's jobs do anything. A holder that dies is replaced within the
lease's time to live. A holder counts itself leader until MARGIN before its lease runs out, so
that a slow renewal or a slightly fast clock elsewhere does not give two leaders at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from meters.outbox_store import SqlOutboxStore

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
TTL = timedelta(seconds=60)
RENEW_EVERY = timedelta(seconds=20)
MARGIN = timedelta(seconds=5)


def utc_now() -> datetime:
    """The current moment (the default clock)."""
    return datetime.now(UTC)


class Leadership:
    """Takes and renews the scheduler lease for one process, and says whether it holds it."""

    def __init__(
        self,
        engine: Engine,
        holder: str,
        *,
        name: str = LEASE_NAME,
        ttl: timedelta = TTL,
        clock: Callable[[], datetime] = utc_now,
        on_gain: Callable[[], object] | None = None,
    ) -> None:
        self._engine = engine
        self.holder = holder
        self._name = name
        self._ttl = ttl
        self._clock = clock
        self.on_gain = on_gain  # called on taking the lease (build_scheduler sets it)
        self._until: datetime | None = None

    @property
    def is_leader(self) -> bool:
        """Whether this process holds the lease now (and for a few seconds more)."""
        return self._until is not None and self._clock() < self._until - MARGIN

    def renew(self) -> bool:
        """Take or renew the lease; whether this process holds it now."""
        was_leader = self.is_leader
        now = self._clock()
        with self._engine.begin() as connection:
            taken = SqlOutboxStore(connection).take_lease(self._name, self.holder, now, self._ttl)
        self._until = now + self._ttl if taken else None
        if taken and not was_leader:
            logger.info("%s now runs the scheduled jobs", self.holder)
            if self.on_gain is not None:
                self.on_gain()
        elif was_leader and not taken:
            logger.warning("%s lost the scheduler lease", self.holder)
        return taken
