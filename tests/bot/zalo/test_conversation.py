"""The real conversation core behind the Zalo channel: greeting, and linking by ZNS code."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.app import build_app
from bot.conversation import ConversationRunner
from bot.web.keys import ENGINE
from bot.zalo.webhook import ZALO
from handlers import texts
from handlers.context import ConversationConfig
from meters.demo.generate import generate_demo
from meters.demo.load import load_demo
from tests.bot.zalo.conftest import ClientFactory, ZaloService, zalo_app, zalo_settings
from tests.fakes.zalo_api import FakeZalo

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


async def test_a_zalo_user_links_a_customer_with_the_code_zns_delivered(
    aiohttp_client: ClientFactory, fake_zalo: FakeZalo, sqlite_url: str
) -> None:
    settings = zalo_settings(fake_zalo, sqlite_url, DIENBOT_ZNS_TEMPLATES='{"otp": "330875"}')
    runners: list[ConversationRunner] = []
    config = ConversationConfig(zone=ZONE, new_one_time_code=lambda: "424242")

    def runner() -> ConversationRunner:  # made once the store's engine exists
        if not runners:
            runners.append(ConversationRunner(app[ENGINE], config))
        return runners[0]

    app, channel = zalo_app(settings, runner)
    client = await aiohttp_client(app)
    demo = generate_demo(seed=5, customers=5, today=date(2026, 11, 20), zone=ZONE, days=30)
    with app[ENGINE].begin() as connection:
        load_demo(connection, demo, ZONE)
    zalo = ZaloService(client, channel, fake_zalo, None)  # type: ignore[arg-type]
    customer = demo.customers[2]

    await fake_zalo.user_follows(zalo.webhook_url, "z1")
    await channel.drain()
    greeting = fake_zalo.texts_to("z1")
    assert greeting
    assert greeting[0].startswith(texts.GREETING.split("{name}")[0])

    await zalo.say("z1", f"liên kết mã khách hàng {customer.customer_code}")
    await runners[0].settle()  # the code goes by ZNS beside the answer
    [sent] = fake_zalo.zns_sent
    assert sent["phone"] == "84" + customer.phone[1:]
    assert sent["template_data"] == {"otp": "424242"}
    assert customer.phone not in "\n".join(fake_zalo.texts_to("z1"))

    before = len(fake_zalo.texts_to("z1"))
    await zalo.say("z1", "424242")
    answer = "\n".join(fake_zalo.texts_to("z1")[before:])
    assert customer.customer_code in answer
    assert texts.LINKED.split("{customers}")[0] in answer


async def test_the_service_links_a_zalo_user_by_sms_when_no_zns_template_is_set(
    aiohttp_client: ClientFactory, fake_zalo: FakeZalo, sqlite_url: str
) -> None:
    received: list[dict[str, str]] = []

    async def sms(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(status=202)

    gateway = web.Application()
    gateway.router.add_post("/sms", sms)
    gateway_client = await aiohttp_client(gateway)
    settings = zalo_settings(
        fake_zalo, sqlite_url, DIENBOT_SMS_URL=str(gateway_client.make_url("/sms"))
    )
    app = build_app(settings)  # the real composition root
    client = await aiohttp_client(app)
    demo = generate_demo(seed=5, customers=5, today=date(2026, 11, 20), zone=ZONE, days=30)
    with app[ENGINE].begin() as connection:
        load_demo(connection, demo, ZONE)
    customer = demo.customers[1]
    zalo = ZaloService(client, app[ZALO], fake_zalo, None)  # type: ignore[arg-type]
    await zalo.say("z2", f"liên kết mã khách hàng {customer.customer_code}")
    assert fake_zalo.zns_sent == []
    [message] = received
    assert message["phone"] == customer.phone
    code = message["message"].split(": ")[1][:6]
    before = len(fake_zalo.texts_to("z2"))
    await zalo.say("z2", code)
    answer = "\n".join(fake_zalo.texts_to("z2")[before:])
    assert texts.LINKED.split("{customers}")[0] + customer.customer_code in answer
