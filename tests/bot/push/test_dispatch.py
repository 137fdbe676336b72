"""The Telegram dispatcher of the service: `dienbot run` delivers the due scheduled messages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import Engine, func, select, update

from bot.app import build_app
from bot.config import ConfigError, load_settings
from bot.push.dispatch import telegram_dispatcher
from meters.database import create_store_engine
from meters.schema import OutboxMessage
from scheduler.fanout import fan_out_daily
from tests.bot.telegram.conftest import MOMENT, settings_for
from tests.clock import running_from
from tests.fakes.telegram_api import FakeTelegram
from tests.scheduler.bulk import add_subscribers
from tests.scheduler.conftest import MORNING, WINDOW, YESTERDAY

ServerFactory = Callable[..., Awaitable[TestServer]]
SUBSCRIBERS = 30


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB's channel runs in the service too; opt in to its future retry_after type."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """The Bot API stand-in with Telegram's flood limits on."""
    fake = FakeTelegram(clock=running_from(MOMENT))
    await fake.start()
    fake.set_limits(global_per_s=30, per_chat_per_s=1, mode="reject")
    yield fake
    await fake.stop()


def queue_due(engine: Engine, tg: FakeTelegram) -> list[int]:
    """Fan out yesterday's message to SUBSCRIBERS chats and make it due at MOMENT (the
    service's now)."""
    subscribers = add_subscribers(engine, SUBSCRIBERS, YESTERDAY, MORNING)
    for subscriber in subscribers:
        tg.add_user(subscriber.telegram_id).started = True
    fan_out_daily(engine, YESTERDAY, WINDOW, MORNING)
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage).values(
                not_before=MOMENT - timedelta(seconds=1), expires_at=MOMENT + timedelta(hours=1)
            )
        )
    return [subscriber.telegram_id for subscriber in subscribers]


def sent_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).where(OutboxMessage.status == "sent")
            ).scalar_one()
        )


async def test_the_service_sends_the_due_messages_at_its_configured_rate(
    tg: FakeTelegram, engine: Engine, database_url: str, aiohttp_server: ServerFactory
) -> None:
    chats = queue_due(engine, tg)
    app = build_app(settings_for(tg, database_url, telegram_send_rate="25"))
    await aiohttp_server(app)
    await tg.wait_until(lambda: all(tg.bot_messages(chat) for chat in chats), timeout=20)
    assert [call for call in tg.calls_of("sendMessage") if call.status == 429] == []
    await app.shutdown()
    await app.cleanup()
    assert sent_count(engine) == SUBSCRIBERS


async def test_there_is_no_dispatcher_without_a_token(sqlite_url: str) -> None:
    settings = load_settings({"DIENBOT_DATABASE_URL": sqlite_url}, env_file=None)
    engine = create_store_engine(sqlite_url)
    try:
        with pytest.raises(ConfigError, match="DIENBOT_TELEGRAM_TOKEN"):
            async with telegram_dispatcher(engine, settings):
                pass
    finally:
        engine.dispose()
