"""Issue 20 item 5: a `dienbot run` SIGKILLed while both webhooks deliver loses no event.

Telegram's stand-in pushes updates to the webhook one at a time (a failed delivery is tried
three times, then dropped: never acknowledged); Zalo's events arrive a few at a time. Each user
writes once. The service is killed half-way and started again; every event that got its 200
has been taken in by the conversation core exactly once and answered. The full-size run (web
chat visitors, both webhooks, throughput and latency) is bench/bench_abuse.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from aiohttp import ClientError
from sqlalchemy import Engine

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.security.service_process import ServiceProcess, turns_by_user

pytestmark = pytest.mark.slow

EVENTS = 120  # per channel
ZALO_AT_ONCE = 4
KILL_AT = 0.4  # share of the Zalo events sent when the service is killed
ANSWER_TIMEOUT = 60.0  # a safety net (the killed process's leases run out after 10 s)
TEXT = "xin chào"


async def send_zalo(zalo: FakeZalo, url: str, user: str, acknowledged: set[str]) -> None:
    """One user's event; remembered when the webhook acknowledged it."""
    zalo.add_user(user)
    with contextlib.suppress(ClientError, ConnectionError):
        if await zalo.user_sends_text(f"{url}/zalo/webhook", user, TEXT) == 200:
            acknowledged.add(user)


async def test_every_acknowledged_event_is_answered_once_after_a_kill(
    engine: Engine, database_url: str, telegram: FakeTelegram, zalo: FakeZalo, tmp_path: Path
) -> None:
    service = ServiceProcess(database_url, telegram, zalo, tmp_path)
    await service.start()
    try:
        telegram_users = [1000 + number for number in range(EVENTS)]
        for user in telegram_users:
            telegram.add_user(user)
            await telegram.user_message(user, TEXT)  # queued; pushed one by one
        zalo_users = [f"zu{number}" for number in range(EVENTS)]
        zalo_acknowledged: set[str] = set()
        for start in range(0, EVENTS, ZALO_AT_ONCE):
            if start == int(EVENTS * KILL_AT):
                # Telegram's pushes go one at a time: kill once a share of them is acknowledged.
                await telegram.wait_until(
                    lambda: len(telegram.webhook_deliveries) >= EVENTS * KILL_AT, ANSWER_TIMEOUT
                )
                await service.kill()
                await service.start()
            batch = zalo_users[start : start + ZALO_AT_ONCE]
            await asyncio.gather(
                *(send_zalo(zalo, service.url, u, zalo_acknowledged) for u in batch)
            )
        telegram_acknowledged = {
            telegram_users[update_id - 1]
            for update_id, outcome in telegram.webhook_deliveries
            if outcome == 200
        }

        def answered() -> bool:
            return all(telegram.bot_messages(user) for user in telegram_acknowledged) and all(
                zalo.texts_to(user) for user in zalo_acknowledged
            )

        # Both stand-ins receive answers: look at them both now and then (a safety net).
        for _ in range(int(ANSWER_TIMEOUT * 10)):
            if answered():
                break
            await asyncio.sleep(0.1)
        silent_telegram = [u for u in telegram_acknowledged if not telegram.bot_messages(u)]
        silent_zalo = [u for u in zalo_acknowledged if not zalo.texts_to(u)]
        assert (silent_telegram, silent_zalo) == ([], []), service.output()
    finally:
        await service.stop()
    assert service.starts == 2
    assert len(zalo_acknowledged) >= EVENTS * 0.8, service.output()
    assert len(telegram_acknowledged) >= EVENTS * KILL_AT, service.output()
    for channel, acknowledged in (
        ("telegram", {str(user) for user in telegram_acknowledged}),
        ("zalo", zalo_acknowledged),
    ):
        turns = turns_by_user(engine, channel)
        assert {user: turns[user] for user in acknowledged} == dict.fromkeys(acknowledged, 1)
        assert max(turns.values()) == 1  # nothing unacknowledged ran twice either
