"""Only the holder of the scheduler lease leads; another takes over when it stops renewing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from scheduler.leadership import MARGIN, TTL, Leadership
from tests.scheduler.conftest import MORNING


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        """The current test time."""
        return self.now


def test_one_of_two_processes_leads(engine: Engine) -> None:
    clock = Clock(MORNING)
    first, second = (Leadership(engine, name, clock=clock) for name in ("web-1", "web-2"))
    assert first.renew()
    assert not second.renew()
    assert (first.is_leader, second.is_leader) == (True, False)


def test_the_leader_keeps_the_lease_by_renewing_it(engine: Engine) -> None:
    clock = Clock(MORNING)
    first, second = (Leadership(engine, name, clock=clock) for name in ("web-1", "web-2"))
    first.renew()
    for _ in range(5):
        clock.now += timedelta(seconds=20)
        assert first.renew()
        assert not second.renew()


def test_another_process_takes_over_when_the_leader_stops_renewing(engine: Engine) -> None:
    clock = Clock(MORNING)
    first, second = (Leadership(engine, name, clock=clock) for name in ("web-1", "web-2"))
    first.renew()
    clock.now += TTL - MARGIN
    assert not first.is_leader  # it stops working before its lease runs out
    assert not second.renew()  # but the lease is still its
    clock.now += MARGIN + timedelta(seconds=1)
    assert second.renew()
    assert not first.renew()
    assert (first.is_leader, second.is_leader) == (False, True)


def test_gaining_the_lease_is_announced_once(engine: Engine) -> None:
    clock = Clock(MORNING)
    gained: list[str] = []
    leader = Leadership(engine, "web-1", clock=clock, on_gain=lambda: gained.append("web-1"))
    for _ in range(3):
        leader.renew()
        clock.now += timedelta(seconds=20)
    assert gained == ["web-1"]
