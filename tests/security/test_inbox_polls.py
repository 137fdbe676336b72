"""Issue 20 item 7: 200 open chat pages polling their inbox at once, while visitors write,
all get their answer (no "database is locked"), and each queued message is taken once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from aiohttp import DummyCookieJar

from bot.clock import service_clock
from bot.web.keys import ENGINE, SETTINGS
from meters.chat_store import SqlChatStore
from meters.outbox_records import NewMessage
from meters.outbox_store import SqlOutboxStore
from tests.security.conftest import CHAT_HEADERS, Client, ClientFactory, service

pytestmark = pytest.mark.slow

PAGES = 200
ROUNDS = 3
AT_ONCE = 20  # visitors writing at once while the setup is made


async def new_visitor(client: Client) -> str:
    async with client.get("/") as page:
        assert page.status == 200
        return f"dienbot_visitor={page.cookies['dienbot_visitor'].value}"


async def write(client: Client, cookie: str, text: str) -> int:
    headers = {**CHAT_HEADERS, "Cookie": cookie}
    async with client.post("/chat/api/messages", json={"text": text}, headers=headers) as reply:
        await reply.read()
        return reply.status


async def poll(client: Client, cookie: str) -> tuple[int, list[str]]:
    async with client.get("/chat/api/inbox", headers={**CHAT_HEADERS, "Cookie": cookie}) as inbox:
        if inbox.status != 200:
            return inbox.status, []
        body = await inbox.json()
        return 200, [reply["text"] for reply in body["replies"]]


def queue_for(client: Client, cookies: list[str]) -> None:
    """An agent's reply waits in the inbox of each of these visitors."""
    now = service_clock(client.app[SETTINGS])()  # the service's own clock, as its poll reads
    with client.app[ENGINE].begin() as connection:
        chats = SqlChatStore(connection)
        messages = []
        for cookie in cookies:
            visitor = cookie.removeprefix("dienbot_visitor=").partition(".")[0]
            chat_user_id = chats.chat_user_id("web", visitor)
            assert chat_user_id is not None
            messages.append(
                NewMessage(
                    dedup_key=f"test:{visitor}",
                    kind="agent_reply",
                    channel="web",
                    bucket="web",
                    chat_user_id=chat_user_id,
                    customer_id=None,
                    payload={"text": f"reply for {visitor}"},
                    not_before=now - timedelta(seconds=1),
                    expires_at=None,
                )
            )
        SqlOutboxStore(connection).enqueue(messages, now)


async def test_many_pages_polling_at_once_all_get_an_answer(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    client = await aiohttp_client(service(database_url), cookie_jar=DummyCookieJar())
    cookies = [await new_visitor(client) for _ in range(PAGES)]
    gate = asyncio.Semaphore(AT_ONCE)

    async def first_message(cookie: str) -> int:
        async with gate:
            return await write(client, cookie, "xin chào")

    assert set(await asyncio.gather(*(first_message(c) for c in cookies))) == {200}
    waiting = cookies[::2]
    await asyncio.to_thread(queue_for, client, waiting)
    statuses: Counter[int] = Counter()
    taken: Counter[str] = Counter()
    for _ in range(ROUNDS):
        writers = [write(client, cookie, "xin chào") for cookie in cookies[:30]]
        results = await asyncio.gather(*(poll(client, c) for c in cookies), *writers)
        for result in results:
            status, texts = result if isinstance(result, tuple) else (result, [])
            statuses[status] += 1
            taken.update(texts)
    assert statuses == Counter({200: ROUNDS * (PAGES + 30)})
    assert len(taken) == len(waiting)
    assert set(taken.values()) == {1}
