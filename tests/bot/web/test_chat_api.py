"""The web chat's JSON API: a visitor's cookie, what the API refuses, and a real conversation."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from matplotlib.image import imread
from sqlalchemy import Engine

from bot.web.chat import (
    MAX_BODY_BYTES,
    MAX_TEXT_CHARS,
    MESSAGES_PER_MINUTE,
    WEB_CHAT,
    reply_json,
)
from bot.web.keys import ENGINE, RUNNER
from bot.web.ratelimit import RateLimiter
from bot.web.visitor import COOKIE_NAME
from handlers import texts
from handlers.chart import render_chart
from handlers.format import format_money
from handlers.privacy import mask_phone
from handlers.routes import INTENT_HANDLERS
from handlers.types import Channel, Image, Reply
from meters.account_store import SqlAccountStore
from meters.demo.model import DemoCustomer, DemoData
from nlu import Intent
from tests.bot.web.conftest import API, HEADERS, CapturedCodes, ClientFactory, chat_app, visit

Client = TestClient[web.Request, web.Application]


async def say(client: Client, message: dict[str, Any]) -> list[dict[str, Any]]:
    """Send one message and return the replies of a successful answer."""
    response = await client.post(API, json=message, headers=HEADERS)
    assert response.status == 200, await response.text()
    body = await response.json()
    replies: list[dict[str, Any]] = body["replies"]
    return replies


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(reply["text"] for reply in replies)


def data_of(replies: list[dict[str, Any]]) -> list[str]:
    return [button["data"] for reply in replies for button in reply["buttons"]]


def single_code_customer(demo: DemoData) -> DemoCustomer:
    """A customer whose contract phone holds no other customer code."""
    phones = [customer.phone for customer in demo.customers]
    return next(c for c in demo.customers if phones.count(c.phone) == 1)


@pytest.fixture
async def client(aiohttp_client: ClientFactory, demo_url: str) -> Client:
    """A client of the service on a demo store, the page already visited."""
    client = await aiohttp_client(chat_app(demo_url))
    await visit(client)
    return client


async def test_the_page_gives_an_httponly_strict_cookie_and_the_first_message_greets(
    aiohttp_client: ClientFactory, demo_url: str
) -> None:
    client = await aiohttp_client(chat_app(demo_url))
    page = await client.get("/")
    assert page.content_type == "text/html"
    assert texts.WEB_HEADING in await page.text()
    header = page.headers["Set-Cookie"]
    assert header.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in header
    assert "SameSite=Strict" in header
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]

    replies = await say(client, {"text": "/start"})

    assert texts.GREETING.format(name=texts.GREETING_ANONYMOUS_NAME) in text_of(replies)
    assert texts.LINK_HOW_CODE_ONLY in text_of(replies)
    assert f"i:{Intent.ACCOUNT_LINK.value}" in data_of(replies)
    assert all(b["kind"] == "callback" for r in replies for b in r["buttons"])


async def test_a_second_visit_keeps_the_visitor(client: Client) -> None:
    again = await client.get("/")
    assert "Set-Cookie" not in again.headers


async def test_the_page_says_where_codes_go_on_the_embedded_default(client: Client) -> None:
    page = await (await client.get("/")).text()
    assert texts.WEB_DEV_NOTICE in page


async def test_the_api_needs_the_visitor_cookie(
    aiohttp_client: ClientFactory, demo_url: str
) -> None:
    client = await aiohttp_client(chat_app(demo_url))
    response = await client.post(API, json={"text": "xin chào"}, headers=HEADERS)
    assert response.status == 401
    assert (await response.json())["replies"][0]["text"] == texts.WEB_SESSION_MISSING

    client.session.cookie_jar.update_cookies({COOKIE_NAME: "forged.signature"})
    forged = await client.post(API, json={"text": "xin chào"}, headers=HEADERS)
    assert forged.status == 401


async def test_the_api_needs_the_custom_header_and_the_same_origin(client: Client) -> None:
    without_header = await client.post(API, json={"text": "xin chào"})
    assert without_header.status == 403
    assert "X-Dienbot-Chat" in (await without_header.json())["error"]

    cross_site = await client.post(
        API, json={"text": "xin chào"}, headers={**HEADERS, "Origin": "https://evil.example"}
    )
    assert cross_site.status == 403

    form = await client.post(API, data="text=hi", headers=HEADERS)
    assert form.status == 415


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"text": "xin ch', "not valid JSON"),
        (b'["xin chao"]', "JSON object"),
        (b'{"text": 5}', "non-empty string"),
        (b'{"text": "a", "callback_data": "i:help"}', "exactly one"),
        (b'{"texte": "a"}', "unknown field"),
        (b'{"callback_data": "' + b"x" * 65 + b'"}', "callback_data"),
        (b'{"location": {"lat": 91, "lon": 106}}', "location.lat"),
        (b'{"location": {"lat": true, "lon": 106}}', "location.lat"),
        (b'\xff\xfe{"text": "a"}', "UTF-8"),
    ],
)
async def test_a_malformed_message_is_a_400_that_says_what_is_wrong(
    client: Client, body: bytes, problem: str
) -> None:
    response = await client.post(
        API, data=body, headers={**HEADERS, "Content-Type": "application/json"}
    )
    assert response.status == 400
    answer = await response.json()
    assert problem in answer["error"]
    assert answer["replies"][0]["text"] == texts.WEB_BAD_REQUEST


async def test_an_oversized_body_is_refused_unread(client: Client) -> None:
    body = json.dumps({"text": "a" * (MAX_BODY_BYTES + 1)})
    response = await client.post(
        API, data=body, headers={**HEADERS, "Content-Type": "application/json"}
    )
    assert response.status == 413

    async def chunks() -> Any:  # no Content-Length: the limit holds while streaming
        for _ in range(MAX_BODY_BYTES // 100 + 2):
            yield b" " * 100

    streamed = await client.post(
        API, data=chunks(), headers={**HEADERS, "Content-Type": "application/json"}
    )
    assert streamed.status == 413


async def test_a_too_long_text_is_answered_in_vietnamese(client: Client) -> None:
    response = await client.post(API, json={"text": "đ" * (MAX_TEXT_CHARS + 1)}, headers=HEADERS)
    assert response.status == 400
    reply = (await response.json())["replies"][0]["text"]
    assert reply == texts.WEB_TEXT_TOO_LONG.format(limit=MAX_TEXT_CHARS)


async def test_a_visitor_sending_too_fast_is_told_to_wait(client: Client) -> None:
    moments = [0.0]
    chat = client.app[WEB_CHAT]
    chat.limiter = RateLimiter(MESSAGES_PER_MINUTE, 60.0, clock=lambda: moments[0])
    for _ in range(MESSAGES_PER_MINUTE):
        await say(client, {"callback_data": "i:help"})

    refused = await client.post(API, json={"text": "alo"}, headers=HEADERS)
    assert refused.status == 429
    assert (await refused.json())["replies"][0]["text"] == texts.WEB_RATE_LIMITED

    moments[0] = 60.5  # a minute later the visitor may go on
    assert await say(client, {"callback_data": "i:help"})


async def test_a_button_press_and_a_location_are_messages_too(client: Client) -> None:
    replies = await say(client, {"callback_data": "i:help"})
    assert texts.HELP.format(examples=texts.HELP_EXAMPLES) in text_of(replies)

    placed = await say(client, {"location": {"lat": 10.7769, "lon": 106.7009}})
    assert placed  # whatever the location handler answers, it answers


async def test_an_unlinked_visitor_gets_no_personal_data(
    client: Client, web_demo: DemoData
) -> None:
    customer = single_code_customer(web_demo)
    questions = [
        "tiền điện tháng này bao nhiêu",
        "hôm qua nhà tôi dùng bao nhiêu số",
        f"hóa đơn của mã {customer.customer_code}",
        f"tra cứu điện tiêu thụ mã {customer.customer_code}",
        "lịch cắt điện nhà tôi",
    ]
    answers = [text_of(await say(client, {"text": question})) for question in questions]

    personal = {c.name for c in web_demo.customers} | {c.phone for c in web_demo.customers}
    personal |= {c.address for c in web_demo.customers}
    totals = {format_money(bill.total) for bill in web_demo.bills}
    for answer in answers:
        assert not [value for value in personal | totals if value in answer], answer


async def test_linking_by_customer_code_and_one_time_code_then_a_bill(
    client: Client, web_demo: DemoData
) -> None:
    codes = CapturedCodes()
    client.app[RUNNER].set_code_sender(Channel.WEB, codes)
    customer = single_code_customer(web_demo)

    asked = await say(client, {"callback_data": f"i:{Intent.ACCOUNT_LINK.value}"})
    assert texts.LINK_HOW_CODE_ONLY in text_of(asked)
    sent = await say(client, {"text": customer.customer_code})
    await client.app[RUNNER].settle()  # the code goes beside the answer
    assert len(codes.sent) == 1
    assert codes.sent[0].customer_code == customer.customer_code
    assert codes.sent[0].phone == customer.phone
    assert codes.sent[0].channel is Channel.WEB
    assert customer.phone not in text_of(sent)
    assert mask_phone(customer.phone) not in text_of(sent)  # no digit before the proof

    linked = await say(client, {"text": codes.sent[0].code})
    assert texts.LINKED.format(customers=f"{customer.customer_code} – {customer.name}") in (
        text_of(linked)
    )

    if Intent.BILL_QUERY not in INTENT_HANDLERS:
        pytest.skip("no bill handler is registered yet (handlers/routes.py)")
    answer = text_of(await say(client, {"text": "tiền điện kỳ gần nhất bao nhiêu"}))
    engine: Engine = client.app[ENGINE]
    with engine.connect() as connection:
        accounts = SqlAccountStore(connection)
        found = accounts.customer_by_code(customer.customer_code)
        assert found is not None
        bills = accounts.bills(found.id)
    assert bills
    assert any(format_money(bill.total) in answer for bill in bills), answer


async def test_visitors_writing_at_the_same_moment_are_all_answered(
    aiohttp_client: ClientFactory, demo_url: str
) -> None:
    client = await aiohttp_client(chat_app(demo_url))
    cookies = client.app[WEB_CHAT].cookies
    visitors = [cookies.new_visitor()[1] for _ in range(24)]

    async def first_message(cookie: str) -> int:
        response = await client.post(
            API, json={"text": "/start"}, headers={**HEADERS, "Cookie": f"{COOKIE_NAME}={cookie}"}
        )
        return response.status

    statuses = await asyncio.gather(*(first_message(cookie) for cookie in visitors))
    assert statuses == [200] * len(visitors)


def test_a_picture_is_sent_with_its_own_size_and_an_agents_reply_with_its_author() -> None:
    png = render_chart([], "Điện năng tiêu thụ 30 ngày")
    height, width = imread(io.BytesIO(png)).shape[:2]
    shown = reply_json(Reply("Biểu đồ", image=Image(png, "Biểu đồ")))
    assert (shown["width"], shown["height"]) == (width, height)
    assert shown["author"] is None
    assert reply_json(Reply("Dạ em kiểm tra ạ.", author="Lan"))["author"] == "Nhân viên Lan"
    assert reply_json(Reply("x", image=Image(b"not a png", "x")))["width"] is None
