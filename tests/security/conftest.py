"""The service as `dienbot run` builds it, with the settings a test gives."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import build_app
from bot.config import load_settings
from tests.clock import offset_to, running_from
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
CHAT_HEADERS = {"X-Dienbot-Chat": "1"}
# When the services and the stand-ins of these tests start: inside the agents' hours.
MOMENT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def service(database_url: str, **environ: str) -> web.Application:
    """The application of `dienbot run` on `database_url` with these DIENBOT_* variables, its
    clock reading MOMENT now (unless `DIENBOT_CLOCK_OFFSET` is given)."""
    variables = {"DIENBOT_CLOCK_OFFSET": offset_to(MOMENT), **environ}
    return build_app(
        load_settings({"DIENBOT_DATABASE_URL": database_url, **variables}, env_file=None)
    )


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    """The Bot API stand-in."""
    fake = FakeTelegram(token="123456:SECURITY", clock=running_from(MOMENT))
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    """The Zalo hosts' stand-in."""
    fake = FakeZalo(clock=running_from(MOMENT))
    await fake.start()
    yield fake
    await fake.stop()
