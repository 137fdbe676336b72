"""Shared sliding-window limits: exact counts, a window that slides, atomic across connections."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from meters.database import write_transaction
from meters.rate_store import (
    KEPT,
    RateLimit,
    forget,
    prune,
    recent,
    record,
    take,
    take_all,
)
from meters.schema import RateEvent

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
FIVE_A_MINUTE = RateLimit(5, timedelta(minutes=1))


def taken(engine: Engine, key: str, at: datetime, limit: RateLimit = FIVE_A_MINUTE) -> bool:
    with write_transaction(engine) as connection:
        return take(connection, key, limit, at)


def rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(RateEvent)).scalar_one())


def test_a_key_gets_its_limit_within_the_period_and_more_once_it_slides(engine: Engine) -> None:
    answers = [taken(engine, "a", T0 + timedelta(seconds=second)) for second in range(8)]
    assert answers == [True] * 5 + [False] * 3
    assert not taken(engine, "a", T0 + timedelta(seconds=59))
    # The first event (at T0) leaves the window a minute later: one more is allowed.
    assert taken(engine, "a", T0 + timedelta(seconds=60, microseconds=1))
    assert not taken(engine, "a", T0 + timedelta(seconds=60, microseconds=2))
    assert taken(engine, "b", T0 + timedelta(seconds=3))  # other keys count apart


def test_a_refused_event_is_not_counted_and_old_events_of_the_key_are_dropped(
    engine: Engine,
) -> None:
    for second in range(20):
        taken(engine, "a", T0 + timedelta(seconds=second))
    assert rows(engine) == 5
    taken(engine, "a", T0 + timedelta(minutes=5))
    assert rows(engine) == 1


def take_both(engine: Engine, at: datetime) -> tuple[str, RateLimit] | None:
    """One lookup of address 1 against its own two limits and a global one."""
    with write_transaction(engine) as connection:
        return take_all(
            connection,
            (("global", GLOBAL), ("address:1", FIVE_A_MINUTE), ("address:1", SIX_AN_HOUR)),
            at,
        )


GLOBAL = RateLimit(8, timedelta(minutes=1))
SIX_AN_HOUR = RateLimit(6, timedelta(hours=1))


def test_several_limits_are_taken_all_or_nothing_and_the_reached_one_is_named(
    engine: Engine,
) -> None:
    answers = [take_both(engine, T0) for _ in range(6)]
    assert answers == [None] * 5 + [("address:1", FIVE_A_MINUTE)]
    with write_transaction(engine) as connection:
        assert recent(connection, "global", T0 - timedelta(minutes=1)).count == 5
    later = T0 + timedelta(minutes=1)
    assert take_both(engine, later) is None  # the hour's sixth
    with write_transaction(engine) as connection:
        alone = [take_all(connection, (("global", GLOBAL),), later) for _ in range(8)]
    assert alone == [None] * 7 + [("global", GLOBAL)]  # the hour's sixth lookup was one
    assert rows(engine) == 6 + 8  # address 1 within the hour; the minute's global ones
    assert take_both(engine, T0 + timedelta(minutes=2)) == ("address:1", SIX_AN_HOUR)
    assert rows(engine) == 6  # nothing of the refused take; the global ones left the window


def test_recent_record_and_forget(engine: Engine) -> None:
    with write_transaction(engine) as connection:
        record(connection, "user:an", T0)
        record(connection, "user:an", T0 + timedelta(minutes=2))
        record(connection, "user:binh", T0)
        assert recent(connection, "user:an", T0 - timedelta(hours=1)).count == 2
        latest = recent(connection, "user:an", T0).latest
        assert latest == T0 + timedelta(minutes=2)
        assert recent(connection, "user:an", T0 + timedelta(minutes=3)).count == 0
        forget(connection, "user:an")
        assert recent(connection, "user:an", T0 - timedelta(hours=1)).count == 0
        assert recent(connection, "user:binh", T0 - timedelta(hours=1)).count == 1


def test_long_keys_are_stored_hashed(engine: Engine) -> None:
    key = "address:" + "x" * 400
    assert all(taken(engine, key, T0) for _ in range(5))
    assert not taken(engine, key, T0)


def test_prune_drops_what_no_limit_looks_at(engine: Engine) -> None:
    with write_transaction(engine) as connection:
        record(connection, "old", T0 - KEPT - timedelta(seconds=1))
        record(connection, "new", T0 - timedelta(hours=1))
        assert prune(connection, T0) == 1
    assert rows(engine) == 1


def test_a_limit_wider_than_what_is_kept_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateLimit(3, KEPT + timedelta(seconds=1))


def test_concurrent_takers_on_separate_connections_never_exceed_the_limit(
    engine: Engine,
) -> None:
    limit = RateLimit(7, timedelta(minutes=10))
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: taken(engine, "global", T0, limit), range(40)))
    assert answers.count(True) == 7
    assert rows(engine) == 7
