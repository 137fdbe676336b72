"""The real PTB application against the local Bot API stand-in, over a store with demo data."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import Engine

from bot.app import build_app
from bot.config import load_settings
from bot.telegram import TelegramChannel
from bot.web.keys import TELEGRAM
from handlers.types import Reply, Update
from meters.database import create_store_engine, upgrade
from meters.demo.generate import generate_demo
from meters.demo.load import load_demo
from meters.demo.model import DemoCustomer, DemoData
from tests.clock import offset_to, running_from
from tests.fakes.telegram_api import FakeTelegram

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# The stand-in's clock and the service's read MOMENT when a test starts them (in the agents'
# hours); the demo data's last day of readings is the day before.
TODAY = date(2026, 11, 20)
MOMENT = datetime.combine(TODAY, time(10, 0), tzinfo=ZONE)
ServerFactory = Callable[..., Awaitable[TestServer]]


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns (an error under our warning filter) on every 429 unless opted in to its
    future `retry_after: timedelta`; the channel never reads that attribute itself."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """The Bot API stand-in on a free local port."""
    fake = FakeTelegram(clock=running_from(MOMENT))
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture(scope="session")
def demo_data() -> DemoData:
    """A small deterministic data set whose last day of readings is the day before TODAY."""
    return generate_demo(seed=7, customers=30, today=TODAY, zone=ZONE, days=70)


@pytest.fixture
def demo_store(sqlite_url: str, demo_data: DemoData) -> Iterator[Engine]:
    """A migrated SQLite store filled with the demo data (the service opens the same file)."""
    engine = create_store_engine(sqlite_url)
    upgrade(engine)
    with engine.begin() as connection:
        load_demo(connection, demo_data, ZONE)
    yield engine
    engine.dispose()


def customer_with_own_phone(demo: DemoData) -> DemoCustomer:
    """A customer whose contract phone holds no other customer code."""
    counts = Counter(c.phone for c in demo.customers)
    return next(c for c in demo.customers if counts[c.phone] == 1)


def settings_for(tg: FakeTelegram, database_url: str, **more: str) -> Any:
    """The service's settings: the fake's token, URL and clock, and the given store."""
    environ = {
        "DIENBOT_DATABASE_URL": database_url,
        "DIENBOT_CLOCK_OFFSET": offset_to(tg.clock()),
        "DIENBOT_TELEGRAM_TOKEN": tg.token,
        "DIENBOT_TELEGRAM_API_URL": tg.base_url,
        **{f"DIENBOT_{key.upper()}": value for key, value in more.items()},
    }
    return load_settings(environ, env_file=None)


@pytest.fixture
async def service(
    tg: FakeTelegram, demo_store: Engine, sqlite_url: str, aiohttp_server: ServerFactory
) -> web.Application:
    """`dienbot run`'s web application with the Telegram channel, long polling the fake."""
    app = build_app(settings_for(tg, sqlite_url))
    await aiohttp_server(app)
    return app


class Scripted:
    """A conversation that answers from a script (for rendering and failure tests)."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = replies
        self.seen: list[Update] = []
        self.error: Exception | None = None

    async def handle(self, update: Update, *, receipt: object = None) -> tuple[Reply, ...]:
        """Record the update; raise the planted error or answer the script."""
        self.seen.append(update)
        if self.error is not None:
            raise self.error
        return self.replies


@pytest.fixture
def scripted() -> Scripted:
    """The scripted conversation (`scripted.replies = (...)` to change the answer)."""
    return Scripted(Reply("ok"))


@pytest.fixture
async def channel(tg: FakeTelegram, scripted: Scripted) -> AsyncIterator[TelegramChannel]:
    """A long-polling channel over the scripted conversation, no web server."""
    channel = TelegramChannel(
        tg.token, scripted, api_url=tg.base_url, poll_timeout=1, clock=tg.clock
    )
    await channel.start()
    yield channel
    await channel.stop()


def channel_of(app: web.Application) -> TelegramChannel:
    """The Telegram channel installed in the service."""
    return app[TELEGRAM]
