"""The service as `dienbot run` builds it, with the settings a test gives."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.config import load_settings
from meters.demo.generate import generate_demo
from meters.demo.model import DemoData
from tests.clock import offset_to, running_from
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.security.linking import (
    ZONE,
    Clock,
    LinkingService,
    ServiceFactory,
    SmsStandIn,
    demo_store,
    start_process,
)

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


@pytest.fixture(scope="session")
def linking_demo() -> DemoData:
    """A small deterministic data set (its readings do not matter for linking)."""
    return generate_demo(seed=5, customers=30, today=date(2026, 12, 3), zone=ZONE, days=35)


@pytest.fixture
async def sms_stand_in() -> AsyncIterator[tuple[SmsStandIn, str]]:
    """The SMS gateway stand-in and its URL."""
    stand_in = SmsStandIn()
    app = web.Application()
    app.router.add_post("/sms", stand_in.receive)
    server = TestServer(app)
    await server.start_server()
    yield stand_in, str(server.make_url("/sms"))
    await server.close()


@pytest.fixture
def start_service(
    aiohttp_client: ClientFactory,
    database_url: str,
    linking_demo: DemoData,
    sms_stand_in: tuple[SmsStandIn, str],
) -> ServiceFactory:
    """Start processes of the service on one demo store (each engine), sharing one clock."""
    store = demo_store(database_url, linking_demo)
    clock = Clock()

    def start(**environ: str) -> Awaitable[LinkingService]:
        sms, url = sms_stand_in
        return start_process(aiohttp_client, store, sms, url, clock, **environ)

    return start
