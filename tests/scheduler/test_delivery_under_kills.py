"""Delivery survives dispatchers killed mid-send: real `dienbot push send` processes, SIGKILL.

The Bot API stand-in runs in the test process with Telegram's flood limits in reject mode and a
global limit above the configured paid-broadcast rate. The daily messages of every subscriber
are fanned out, then `dienbot push send` processes deliver them (two at once on PostgreSQL,
one on SQLite); one is SIGKILLed twice in the middle and started again. Everyone gets the
message, duplicates are at most what the killed processes held at the kill, nothing is 429'd,
nothing is left pending. The full-size run (100 000 messages) is bench/bench_push.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from meters.schema import OutboxMessage
from scheduler.fanout import fan_out_daily
from tests.clock import offset_to, running_from
from tests.fakes.telegram_api import FakeTelegram
from tests.scheduler.bulk import add_subscribers
from tests.scheduler.conftest import MORNING, WINDOW, YESTERDAY
from tests.scheduler.fleet import Fleet, leased_to

pytestmark = pytest.mark.slow

TOKEN = "123456:KILLS"
SUBSCRIBERS = {"postgresql": 2_000, "sqlite": 1_000}  # two dispatchers / one
RATE = 400  # per second: a paid-broadcast rate...
LIMIT = 450  # ...under the stand-in's global limit (reject mode: over it answers 429)
LEASE_SECONDS = 2.0  # short, so the killed process's messages come back quickly
KILLS_AT = (0.25, 0.55)  # fractions of the subscribers reached when the victim is killed
PROCESS_TIMEOUT = 90.0  # a safety net for the real subprocesses, not a synchronisation
SENDING = MORNING + timedelta(hours=2)  # the dispatchers' clocks read it when they start


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    """The Bot API stand-in with Telegram's flood limits on, in reject mode."""
    fake = FakeTelegram(token=TOKEN, clock=running_from(SENDING))
    await fake.start()
    fake.set_limits(global_per_s=LIMIT, per_chat_per_s=1, mode="reject")
    yield fake
    await fake.stop()


@contextlib.contextmanager
def no_full_collections() -> Iterator[None]:
    """Keep the test process's garbage collector from pausing the stand-in mid-delivery.

    A full collection over everything pytest has loaded takes up to a second on a busy machine;
    the stand-in then answers the requests that queued meanwhile all at once, a burst its
    sliding-window limit would count although the dispatchers sent at their rate.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def queue_daily_now(engine: Engine) -> None:
    """Fan out yesterday's message, then make it due at SENDING and valid for an hour."""
    fan_out_daily(engine, YESTERDAY, WINDOW, MORNING)
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage).values(
                not_before=SENDING - timedelta(seconds=1), expires_at=SENDING + timedelta(hours=1)
            )
        )


def statuses(engine: Engine) -> Counter[str]:
    """How many outbox messages are in each status."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return Counter({status: int(count) for status, count in rows})


async def test_killed_dispatchers_lose_nothing_and_repeat_only_what_they_held(
    engine: Engine, database_url: str, telegram: FakeTelegram, tmp_path: Path
) -> None:
    total = SUBSCRIBERS[engine.dialect.name]
    subscribers = add_subscribers(engine, total, YESTERDAY, MORNING)
    for subscriber in subscribers:
        telegram.add_user(subscriber.telegram_id).started = True  # they wrote to the bot
    queue_daily_now(engine)
    assert statuses(engine) == Counter({"pending": total})

    fleet = Fleet(
        database_url,
        telegram.base_url,
        TOKEN,
        tmp_path,
        RATE,
        LEASE_SECONDS,
        clock_offset=offset_to(SENDING),  # every process's clock: SENDING and on
    )
    survivors = ["steady"] if engine.dialect.name == "postgresql" else []
    held_at_kills = 0
    with no_full_collections():
        for worker in ["victim-1", *survivors]:
            await fleet.start(worker)
        for number, fraction in enumerate(KILLS_AT, start=1):
            await telegram.wait_until(
                lambda fraction=fraction: len(telegram.calls) >= fraction * total,
                PROCESS_TIMEOUT,
            )
            await fleet.kill(f"victim-{number}")
            held_at_kills += await asyncio.to_thread(leased_to, engine, f"victim-{number}")
            await fleet.start(f"victim-{number + 1}")
        exits = await fleet.finish(PROCESS_TIMEOUT)

    assert exits == dict.fromkeys(exits, 0), [fleet.output(worker) for worker in exits]
    received = Counter(
        {s.telegram_id: len(telegram.bot_messages(s.telegram_id)) for s in subscribers}
    )
    assert min(received.values()) >= 1
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= held_at_kills
    assert [call for call in telegram.calls_of("sendMessage") if call.status == 429] == []
    assert statuses(engine) == Counter({"sent": total})
