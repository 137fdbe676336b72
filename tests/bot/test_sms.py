"""The SMS gateway client against a tiny local gateway stand-in."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import build_app
from bot.config import load_settings
from bot.sms import SMS_GATEWAY, SmsError, SmsGateway
from handlers import texts
from handlers.types import Channel, SendOneTimeCode

EFFECT = SendOneTimeCode("0912345678", "424242", "PE0100012345", Channel.WEB)


class FakeGateway:
    """Accepts messages as JSON and answers with the status it is told to."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200

    async def receive(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        return web.json_response({"ok": self.status < 300}, status=self.status)


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[FakeGateway, str]]:
    """The stand-in and its URL."""
    fake = FakeGateway()
    app = web.Application()
    app.router.add_post("/sms", fake.receive)
    server = TestServer(app)
    await server.start_server()
    yield fake, str(server.make_url("/sms"))
    await server.close()


@pytest.fixture
async def client(gateway: tuple[FakeGateway, str]) -> AsyncIterator[SmsGateway]:
    """An open client of the stand-in."""
    sms = SmsGateway(gateway[1])
    await sms.open()
    yield sms
    await sms.close()


async def test_a_code_is_posted_as_phone_and_vietnamese_message(
    gateway: tuple[FakeGateway, str], client: SmsGateway
) -> None:
    await client.send_code(EFFECT)
    expected = texts.ONE_TIME_CODE_SMS.format(code="424242", customer_code="PE0100012345")
    assert gateway[0].received == [{"phone": "0912345678", "message": expected}]
    assert "424242" in expected


@pytest.mark.parametrize("status", [400, 401, 500, 503])
async def test_a_gateway_refusal_raises_and_the_phone_is_masked_in_the_log(
    gateway: tuple[FakeGateway, str],
    client: SmsGateway,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway[0].status = status
    with caplog.at_level(logging.DEBUG), pytest.raises(SmsError) as raised:
        await client.send_code(EFFECT)
    assert str(status) in str(raised.value)
    assert "0912345678" not in str(raised.value) + caplog.text
    assert "*******678" in caplog.text


async def test_an_unreachable_gateway_raises_sms_error(caplog: pytest.LogCaptureFixture) -> None:
    sms = SmsGateway("http://127.0.0.1:9/sms")  # the discard port: nothing listens
    await sms.open()
    try:
        with caplog.at_level(logging.DEBUG), pytest.raises(SmsError):
            await sms.send_code(EFFECT)
    finally:
        await sms.close()
    assert "0912345678" not in caplog.text


async def test_the_code_after_a_pause_says_that_someone_tried(
    gateway: tuple[FakeGateway, str], client: SmsGateway
) -> None:
    await client.send_code(dataclasses.replace(EFFECT, warned=True))
    [message] = [received["message"] for received in gateway[0].received]
    code = texts.ONE_TIME_CODE_SMS.format(code="424242", customer_code="PE0100012345")
    assert message == code + " " + texts.ONE_TIME_CODE_SMS_WARNING
    assert message.isascii()  # one SMS alphabet: no diacritics


async def test_a_closed_client_refuses_to_send() -> None:
    with pytest.raises(RuntimeError):
        await SmsGateway("http://127.0.0.1:9/sms").send_code(EFFECT)


async def test_the_service_sends_one_time_codes_by_sms_when_a_gateway_is_set(
    gateway: tuple[FakeGateway, str], sqlite_url: str
) -> None:
    settings = load_settings(
        {"DIENBOT_DATABASE_URL": sqlite_url, "DIENBOT_SMS_URL": gateway[1]}, env_file=None
    )
    app = build_app(settings)
    server = TestServer(app)
    await server.start_server()
    try:
        await app[SMS_GATEWAY].send_code(EFFECT)
    finally:
        await server.close()
    assert [message["phone"] for message in gateway[0].received] == ["0912345678"]


def test_without_a_gateway_the_service_has_no_sms_client(sqlite_url: str) -> None:
    app = build_app(load_settings({"DIENBOT_DATABASE_URL": sqlite_url}, env_file=None))
    assert SMS_GATEWAY not in app
