"""The agent console over the real service application, a demo store and a web chat visitor."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher
from sqlalchemy import Engine

from bot.clock import service_clock
from bot.web.keys import ENGINE, SETTINGS
from bot.web.visitor import COOKIE_NAME
from meters.agent_store import SqlAgentStore
from meters.chat_store import SqlChatStore
from meters.demo.model import DemoCustomer, DemoData
from tests.bot.web.conftest import HEADERS, MOMENT, ClientFactory, chat_app

PASSWORD = "mat-khau-rat-dai-1"
Client = TestClient[web.Request, web.Application]
_CSRF = re.compile(r'name="csrf-token" content="([^"]*)"')


@dataclass(frozen=True)
class Staff:
    """The agents of the tests: two units and a supervisor."""

    unit: str
    other_unit: str


def add_agent(engine: Engine, username: str, role: str, unit: str | None) -> int:
    """Create an agent with PASSWORD."""
    with engine.begin() as connection:
        return SqlAgentStore(connection).add_agent(
            username=username,
            display_name=username.capitalize(),
            role=role,
            unit=unit,
            password_hash=PasswordHasher().hash(PASSWORD),
            now=MOMENT,
        )


def customer_of(demo: DemoData) -> DemoCustomer:
    """A customer with a power company that has other customers' companies beside it."""
    return next(c for c in demo.customers if c.power_company == "Điện lực Gia Định")


@pytest.fixture
async def client(aiohttp_client: ClientFactory, demo_url: str) -> Client:
    """The service on the demo store."""
    return await aiohttp_client(chat_app(demo_url))


@pytest.fixture
def staff(client: Client, web_demo: DemoData) -> Staff:
    """An, Binh (the customer's unit), Cuong (another unit) and the supervisor Sup."""
    engine = client.app[ENGINE]
    unit = customer_of(web_demo).power_company
    other = next(c.power_company for c in web_demo.customers if c.power_company != unit)
    add_agent(engine, "an", "agent", unit)
    add_agent(engine, "binh", "agent", unit)
    add_agent(engine, "cuong", "agent", other)
    add_agent(engine, "sup", "supervisor", None)
    return Staff(unit, other)


async def sign_in(client: Client, username: str) -> str:
    """Sign in (as the only console user of this client) and return the CSRF token."""
    client.session.cookie_jar.clear(lambda cookie: cookie.key != COOKIE_NAME)
    response = await client.post("/agent/login", data={"username": username, "password": PASSWORD})
    assert response.status == 200, await response.text()
    assert str(response.url).endswith("/agent/")
    return csrf_of(await response.text())


def csrf_of(page: str) -> str:
    """The CSRF token a console page carries."""
    found = _CSRF.search(page)
    assert found is not None
    assert found.group(1)
    return found.group(1)


async def visitor_linked(client: Client, customer: DemoCustomer) -> int:
    """A web visitor whose chat is linked to `customer` (with every consent); its chat id."""
    response = await client.get("/")
    assert response.status == 200
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE_NAME]
    visitor = cookie.value.partition(".")[0]
    now = service_clock(client.app[SETTINGS])()
    with client.app[ENGINE].begin() as connection:
        chats = SqlChatStore(connection)
        chat_id = chats.enter_chat("web", visitor, None, now)
        from meters.account_store import SqlAccountStore

        found = SqlAccountStore(connection).customer_by_code(customer.customer_code)
        assert found is not None
        chats.link(chat_id, found.id, "otp", now)
        chats.grant_consents(chat_id, ("lookups", "surveys"), now)
    return chat_id


async def say(client: Client, text: str) -> list[str]:
    """The visitor types a message; the texts of the bot's replies."""
    response = await client.post("/chat/api/messages", json={"text": text}, headers=HEADERS)
    assert response.status == 200
    return [reply["text"] for reply in (await response.json())["replies"]]


async def inbox(client: Client) -> list[dict[str, object]]:
    """What the visitor's page would pull now."""
    response = await client.get("/chat/api/inbox", headers=HEADERS)
    assert response.status == 200
    replies: list[dict[str, object]] = (await response.json())["replies"]
    return replies
