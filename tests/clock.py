"""The suite's time: fixed moments, and clocks that run on from them, never the wall clock.

A test that needs time to pass (leases, rates, timeouts) uses `running_from(moment)`: it reads
`moment`, then advances with the monotonic clock. A service built from settings, in this
process or a spawned `dienbot`, is given `DIENBOT_CLOCK_OFFSET=offset_to(moment)` instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def running_from(moment: datetime) -> Callable[[], datetime]:
    """A clock that reads `moment` now and then runs at the pace of the monotonic clock."""
    started = time.monotonic()

    def now() -> datetime:
        return moment + timedelta(seconds=time.monotonic() - started)

    return now


def offset_to(moment: datetime) -> str:
    """The DIENBOT_CLOCK_OFFSET (seconds) of a service whose clock must read `moment` now."""
    # The suite's one read of the wall clock: the service adds the offset to its own wall clock,
    # so it reads `moment` plus the time elapsed since, whatever the hour, day or year the
    # suite runs at. No expectation sees the wall clock itself.
    wall = datetime.fromtimestamp(time.time(), UTC)
    return repr((moment - wall).total_seconds())
