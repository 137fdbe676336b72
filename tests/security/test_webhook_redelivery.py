"""Issue 20 item 5: a redelivered Telegram update (same `update_id`) is answered once."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import ClientSession
from sqlalchemy import Engine

from bot.web.keys import ENGINE, TELEGRAM
from tests.fakes.telegram_api import SECRET_HEADER, FakeTelegram
from tests.security.conftest import service
from tests.security.service_process import turns_by_user

SECRET = "redelivery-secret"


def update(update_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_800_000_000,
            "chat": {"id": 4242, "type": "private", "first_name": "An"},
            "from": {"id": 4242, "is_bot": False, "first_name": "An"},
            "text": text,
        },
    }


async def test_a_redelivered_update_is_acknowledged_and_answered_once(
    aiohttp_server: Any, telegram: FakeTelegram, sqlite_url: str, unused_tcp_port: int
) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/webhook"
    app = service(
        sqlite_url,
        DIENBOT_TELEGRAM_TOKEN=telegram.token,
        DIENBOT_TELEGRAM_API_URL=telegram.base_url,
        DIENBOT_TELEGRAM_WEBHOOK_URL=url,
        DIENBOT_TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    await aiohttp_server(app, port=unused_tcp_port)
    telegram.add_user(4242, "An")
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with ClientSession() as session:
        for body in (update(7, "xin chào"), update(7, "xin chào"), update(8, "menu")):
            async with session.post(url, data=json.dumps(body), headers=headers) as response:
                assert response.status == 200
    inbox = app[TELEGRAM].inbox
    assert inbox is not None
    await inbox.drain()
    engine: Engine = app[ENGINE]
    assert turns_by_user(engine, "telegram") == {"4242": 2}
