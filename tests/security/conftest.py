"""The service as `dienbot run` builds it, with the settings a test gives."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import build_app
from bot.config import load_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
CHAT_HEADERS = {"X-Dienbot-Chat": "1"}


def service(database_url: str, **environ: str) -> web.Application:
    """The application of `dienbot run` on `database_url` with these DIENBOT_* variables."""
    return build_app(
        load_settings({"DIENBOT_DATABASE_URL": database_url, **environ}, env_file=None)
    )


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    """The Bot API stand-in."""
    fake = FakeTelegram(token="123456:SECURITY")
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    """The Zalo hosts' stand-in."""
    fake = FakeZalo()
    await fake.start()
    yield fake
    await fake.stop()
