"""Webhook mode: Telegram (the stand-in) pushes updates to our aiohttp route."""

from __future__ import annotations

import pytest
from aiohttp import ClientSession
from sqlalchemy import Engine

from bot.app import build_app
from bot.config import ConfigError
from tests.bot.telegram.conftest import ServerFactory, settings_for
from tests.bot.telegram.helpers import reply_containing
from tests.fakes.telegram_api import SECRET_HEADER, FakeTelegram

SECRET = "s3cret_webhook-token"


@pytest.fixture
async def webhook_url(
    tg: FakeTelegram,
    demo_store: Engine,
    sqlite_url: str,
    aiohttp_server: ServerFactory,
    unused_tcp_port: int,
) -> str:
    """The service in webhook mode on a known port; the URL Telegram pushes to."""
    port = unused_tcp_port
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    settings = settings_for(
        tg, sqlite_url, telegram_webhook_url=url, telegram_webhook_secret=SECRET
    )
    await aiohttp_server(build_app(settings), port=port)
    return url


async def test_updates_pushed_with_the_secret_are_answered(
    tg: FakeTelegram, webhook_url: str
) -> None:
    assert tg.webhook is not None
    assert tg.webhook["url"] == webhook_url
    assert tg.webhook["secret_token"] == SECRET
    assert not tg.calls_of("getUpdates"), "no polling in webhook mode"
    tg.add_user(111, "An")
    await tg.user_message(111, "/start")
    await reply_containing(tg, 111, "Xin chào An")
    assert tg.webhook_deliveries[0] == (1, 200)


@pytest.mark.parametrize("secret", [None, "wrong", SECRET + "x", ""])
async def test_a_missing_or_wrong_secret_is_refused(
    tg: FakeTelegram, webhook_url: str, secret: str | None
) -> None:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    update = {
        "update_id": 99,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 111, "type": "private", "first_name": "An"},
            "from": {"id": 111, "is_bot": False, "first_name": "An"},
            "text": "/start",
        },
    }
    async with (
        ClientSession() as session,
        session.post(webhook_url, json=update, headers=headers) as response,
    ):
        assert response.status == 403
    assert tg.calls_of("sendMessage") == []


async def test_a_body_that_is_not_an_update_is_refused_without_harm(
    tg: FakeTelegram, webhook_url: str
) -> None:
    async with ClientSession() as session:
        for body in (b"not json", b"[1, 2]", b'{"update_id": "x", "message": 5}'):
            async with session.post(
                webhook_url, data=body, headers={SECRET_HEADER: SECRET}
            ) as response:
                assert response.status == 400
    tg.add_user(111, "An")
    await tg.user_message(111, "/start")
    await reply_containing(tg, 111, "Xin chào An")


def test_webhook_mode_needs_a_well_formed_secret(tg: FakeTelegram, sqlite_url: str) -> None:
    url = "https://bot.example.vn/telegram/webhook"
    with pytest.raises(ConfigError, match="DIENBOT_TELEGRAM_WEBHOOK_SECRET"):
        build_app(settings_for(tg, sqlite_url, telegram_webhook_url=url))
    with pytest.raises(ConfigError, match="DIENBOT_TELEGRAM_WEBHOOK_SECRET"):
        build_app(
            settings_for(
                tg, sqlite_url, telegram_webhook_url=url, telegram_webhook_secret="has space"
            )
        )
