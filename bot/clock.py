"""The service's clock: the wall clock, moved by `DIENBOT_CLOCK_OFFSET` (tests and rehearsals).

The moments the service works with (the "now" of an answer, an import, a queued or claimed
message, a lease, an agent's session) come from the clock of its settings. The offset lets a
test run a real `dienbot` process as at a moment of its choosing: the process reads that moment
plus the time elapsed since, and every process given the same offset reads the same time, so
leases between them hold. APScheduler's cron triggers still fire by the wall clock, and the
start time in /metrics is the wall clock's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.config import Settings

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)


def service_clock(settings: Settings) -> Clock:
    """The clock of the service configured by `settings`."""
    if not settings.clock_offset:
        return wall_clock
    offset = timedelta(seconds=settings.clock_offset)

    def moved() -> datetime:
        return datetime.now(UTC) + offset

    return moved
