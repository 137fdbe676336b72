"""The web chat over the real service application and a store filled with demo data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import build_app
from bot.clock import service_clock
from bot.config import load_settings
from bot.web.keys import ENGINE, SETTINGS
from handlers.types import SendOneTimeCode
from meters.account_store import SqlAccountStore
from meters.chat_store import SqlChatStore
from meters.database import create_store_engine, upgrade
from meters.demo.generate import generate_demo
from meters.demo.load import load_demo
from meters.demo.model import DemoData
from tests.clock import offset_to

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
API = "/chat/api/messages"
HEADERS = {"X-Dienbot-Chat": "1"}


# The service's clock reads MOMENT when a test starts it (inside the agents' hours), and the demo
# data ends on its day, so that its bills are recent.
TODAY = date(2026, 11, 20)
MOMENT = datetime.combine(TODAY, time(10, 0), tzinfo=ZONE)


@dataclass
class CapturedCodes:
    """A code sender that keeps the one-time codes instead of sending an SMS."""

    sent: list[SendOneTimeCode] = field(default_factory=list)

    async def send_code(self, effect: SendOneTimeCode) -> None:
        """Keep the code."""
        self.sent.append(effect)


@pytest.fixture(scope="session")
def web_demo() -> DemoData:
    """A small deterministic data set ending on TODAY."""
    return generate_demo(seed=5, customers=30, today=TODAY, zone=ZONE, days=70)


@pytest.fixture
def demo_url(database_url: str, web_demo: DemoData) -> str:
    """A database on each engine, migrated and filled with the demo data."""
    engine = create_store_engine(database_url)
    upgrade(engine)
    with engine.begin() as connection:
        load_demo(connection, web_demo, ZONE)
    engine.dispose()
    return database_url


def chat_app(database_url: str) -> web.Application:
    """The application of `dienbot run` on the embedded default's settings, at MOMENT."""
    environ = {"DIENBOT_DATABASE_URL": database_url, "DIENBOT_CLOCK_OFFSET": offset_to(MOMENT)}
    return build_app(load_settings(environ, env_file=None))


async def visit(client: TestClient[web.Request, web.Application]) -> None:
    """Open the page, which gives the visitor its cookie."""
    response = await client.get("/")
    assert response.status == 200


@pytest.fixture
async def served(
    sqlite_url: str, web_demo: DemoData
) -> AsyncIterator[tuple[str, web.Application]]:
    """The service on 127.0.0.1 at a free port, on a SQLite demo store (for the browser)."""
    engine = create_store_engine(sqlite_url)
    upgrade(engine)
    with engine.begin() as connection:
        load_demo(connection, web_demo, ZONE)
    engine.dispose()
    app = chat_app(sqlite_url)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}", app
    await runner.cleanup()


def link_visitor(app: web.Application, visitor: str, customer_code: str) -> None:
    """Link the visitor's chat to a customer, as a verified one-time code does."""
    now = service_clock(app[SETTINGS])()
    with app[ENGINE].begin() as connection:
        chats = SqlChatStore(connection)
        chat_id = chats.enter_chat("web", visitor, None, now)
        found = SqlAccountStore(connection).customer_by_code(customer_code)
        assert found is not None
        chats.link(chat_id, found.id, "otp", now)
        chats.grant_consents(chat_id, ("lookups", "surveys"), now)
