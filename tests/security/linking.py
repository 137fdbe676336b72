"""The web chat of `dienbot run` on a demo store, on a clock the test moves, with an SMS
gateway stand-in: fresh visitors from chosen addresses linking customer codes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import build_app
from bot.config import load_settings
from bot.web.chat import API_PATH, WEB_CHAT
from bot.web.keys import ENGINE, RUNNER
from meters.database import create_store_engine, upgrade
from meters.demo.load import load_demo
from meters.demo.model import DemoCustomer, DemoData
from meters.schema import ChatLink, ChatUser, Customer
from tests.clock import offset_to

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
ADDRESS = "198.51.100.7"
Replies = list[dict[str, Any]]
Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
CHAT_HEADERS = {"X-Dienbot-Chat": "1"}


@dataclass
class Clock:
    """The service's clock, moved by the test."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class SmsStandIn:
    """The company's SMS gateway: keeps every message, answers with the status it is told."""

    received: list[dict[str, str]] = field(default_factory=list)
    status: int = 200
    hold: asyncio.Event | None = None  # given: every answer waits until it is set
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # a message came

    async def receive(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        self.arrived.set()
        if self.hold is not None:
            await self.hold.wait()
        return web.json_response({"ok": self.status < 300}, status=self.status)

    def to(self, phone: str) -> list[str]:
        """The messages sent to `phone`, oldest first."""
        return [message["message"] for message in self.received if message["phone"] == phone]


@dataclass
class LinkingService:
    """One process of the service: its client, the clock and the SMS stand-in."""

    client: Client
    clock: Clock
    sms: SmsStandIn

    async def visitor(self) -> None:
        """Forget the cookie and open the page: a fresh chat, as `GET /` gives for free."""
        self.client.session.cookie_jar.clear()
        async with self.client.get("/") as page:
            assert page.status == 200

    async def say(self, text: str, address: str = ADDRESS) -> Replies:
        """The visitor's message from `address` (through the trusted proxy); the replies, once
        the one-time code the turn sends (beside the answer) has gone."""
        replies = await self.answer(text, address)
        await self.client.app[RUNNER].settle()
        return replies

    async def answer(self, text: str, address: str = ADDRESS) -> Replies:
        """The replies to the visitor's message as soon as they come."""
        headers = {**CHAT_HEADERS, "X-Forwarded-For": address}
        async with self.client.post(API_PATH, json={"text": text}, headers=headers) as response:
            assert response.status == 200, await response.text()
            body = await response.json()
        replies: Replies = body["replies"]
        return replies

    async def fresh(self, text: str, address: str = ADDRESS) -> Replies:
        """A new visitor's first message."""
        await self.visitor()
        return await self.say(text, address)

    async def metrics(self) -> str:
        async with self.client.get("/metrics") as response:
            return await response.text()

    def linked(self, customer_code: str) -> int:
        """How many chats the customer code is linked to."""
        with self.client.app[ENGINE].connect() as connection:
            rows = connection.execute(
                select(ChatUser.id)
                .join(ChatLink, ChatLink.chat_user_id == ChatUser.id)
                .join(Customer, Customer.id == ChatLink.customer_id)
                .where(Customer.customer_code == customer_code)
            )
            return len(rows.all())


class ServiceFactory(Protocol):
    """Starts a process of the service on the test's store (fixture `start_service`)."""

    def __call__(self, **environ: str) -> Awaitable[LinkingService]:
        """A process with these DIENBOT_* variables over the tests' defaults."""


def text_of(replies: Replies) -> str:
    """Every reply's text, joined."""
    return "\n".join(reply["text"] for reply in replies)


def single_phone_customers(demo: DemoData) -> list[DemoCustomer]:
    """Customers whose contract phone holds no other customer code."""
    phones = [customer.phone for customer in demo.customers]
    return [customer for customer in demo.customers if phones.count(customer.phone) == 1]


def unknown_codes(demo: DemoData, count: int) -> list[str]:
    """Customer codes of the demo's shape (13 characters) that no customer has."""
    known = {customer.customer_code for customer in demo.customers}
    prefix = demo.customers[0].customer_code[:5]
    candidates = (f"{prefix}{number:08d}" for number in range(10_000_000, 100_000_000, 7919))
    return [code for code in candidates if code not in known][:count]


def wrong_guess(sent_code: str) -> str:
    """A 6-digit code that is not the one sent."""
    return "000000" if sent_code != "000000" else "111111"


def demo_store(database_url: str, demo: DemoData) -> str:
    """`database_url`, migrated and holding the demo data."""
    engine = create_store_engine(database_url)
    upgrade(engine)
    with engine.begin() as connection:
        load_demo(connection, demo, ZONE)
    engine.dispose()
    return database_url


async def start_process(
    aiohttp_client: ClientFactory,
    database_url: str,
    sms: SmsStandIn,
    sms_url: str,
    clock: Clock,
    **environ: str,
) -> LinkingService:
    """A process of `dienbot run` on the store, behind a proxy at 127.0.0.1; the web chat's
    updates are received at `clock`'s moments."""
    settings = {
        "DIENBOT_DATABASE_URL": database_url,
        "DIENBOT_TRUSTED_PROXIES": "127.0.0.1",
        "DIENBOT_SMS_URL": sms_url,
        "DIENBOT_CLOCK_OFFSET": offset_to(clock()),  # the scheduler's jobs too
        **environ,
    }
    client = await aiohttp_client(build_app(load_settings(settings, env_file=None)))
    client.app[WEB_CHAT].now = clock
    return LinkingService(client, clock, sms)
