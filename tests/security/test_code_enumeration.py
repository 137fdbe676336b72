"""Issue 20 item 1: customer codes cannot be enumerated through fresh chats.

A found and an unknown customer code get the same answer, at every step; lookups are limited
per client (the web chat's address; the platform user on Telegram and Zalo) and over the whole
service, counted in the store, so that every process sees them; a refused lookup sends no SMS.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from bot.web.keys import RUNNER
from handlers import texts
from handlers.privacy import mask_phone
from handlers.types import Channel, Update, UserRef
from meters.demo.model import DemoData
from tests.security.linking import (
    ADDRESS,
    Replies,
    ServiceFactory,
    single_phone_customers,
    text_of,
    unknown_codes,
)

SENT = texts.CODE_SENT.split("{")[0]  # the answer to a looked-up code, found or not
THROTTLED = texts.LINK_THROTTLED.split("{")[0]
BUSY = texts.LINK_BUSY.split("{")[0]
LIMITS = {
    "DIENBOT_LINK_LOOKUPS_PER_ADDRESS_MINUTE": "5",
    "DIENBOT_LINK_LOOKUPS_PER_ADDRESS_HOUR": "20",
    "DIENBOT_LINK_LOOKUPS_PER_MINUTE": "1000",
}


def answered(replies: Replies) -> bool:
    return text_of(replies).startswith(SENT)


def sent_code(message: str) -> str:
    """The one-time code of an SMS."""
    found = re.search(r"\b\d{6}\b", message)
    assert found is not None, message
    return found.group(0)


async def test_a_found_and_an_unknown_code_get_the_same_answers_and_no_phone_digits(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    service = await start_service(**LIMITS)
    customer = single_phone_customers(linking_demo)[0]
    [unknown] = unknown_codes(linking_demo, 1)
    steps: dict[str, list[Replies]] = {}
    for code in (customer.customer_code, unknown):
        await service.visitor()
        asked = await service.say(f"liên kết mã khách hàng {code}")
        digression = await service.say("giá điện bậc 3 bao nhiêu")  # then the reminder
        sent = [sent_code(message) for message in service.sms.to(customer.phone)]
        guesses = [guess for guess in ("000001", "000002", "000003") if guess not in sent]
        steps[code] = [asked, digression, *[await service.say(g) for g in guesses[:2]]]
    found, missing = steps[customer.customer_code], steps[unknown]
    assert found == missing
    assert answered(found[0])
    shown = "\n".join(text_of(replies) for replies in found)
    assert mask_phone(customer.phone) not in shown
    assert not re.search(r"\*{3,}\d", shown)  # no masked number at all
    assert texts.CODE_WRONG.format(left=4) in text_of(found[2])
    assert len(service.sms.to(customer.phone)) == 1
    assert len(service.sms.received) == 1


async def test_the_answer_does_not_wait_for_the_sms_gateway(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    service = await start_service(**LIMITS)
    customer = single_phone_customers(linking_demo)[0]
    service.sms.hold = asyncio.Event()
    await service.visitor()
    # The gateway answers nothing until released: an answer that waited for it would not come.
    replies = await asyncio.wait_for(service.answer(customer.customer_code), timeout=10)
    assert answered(replies)  # so the gateway's time tells nothing about the customer code
    await asyncio.wait_for(service.sms.arrived.wait(), timeout=10)  # on its way meanwhile
    service.sms.hold.set()
    await service.client.app[RUNNER].settle()
    assert len(service.sms.to(customer.phone)) == 1


async def test_many_fresh_chats_from_one_address_are_stopped_and_send_no_more_sms(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    service = await start_service(**LIMITS)
    real = [customer.customer_code for customer in single_phone_customers(linking_demo)]
    unknown = unknown_codes(linking_demo, 60)
    codes = [real[0], unknown[0], real[1], unknown[1], real[2], *unknown[2:]]
    minute = [await service.fresh(code) for code in codes[:30]]
    assert [answered(replies) for replies in minute] == [True] * 5 + [False] * 25
    assert all(THROTTLED in text_of(replies) for replies in minute[5:])
    assert len(service.sms.received) == 3  # the real codes among the five looked up
    later = iter(codes[30:])
    for served in (5, 5, 5, 0):  # a new minute each time, until the hour's 20 have run out
        service.clock.advance(timedelta(minutes=1))
        answers = [answered(await service.fresh(next(later))) for _ in range(6)]
        assert answers == [True] * served + [False] * (6 - served)
    assert len(service.sms.received) == 3  # the other codes looked up are unknown
    assert answered(await service.fresh(real[3], address="203.0.113.50"))  # someone else
    assert len(service.sms.received) == 4
    service.clock.advance(timedelta(hours=1))
    assert answered(await service.fresh(real[4]))
    assert len(service.sms.received) == 5


async def test_the_global_limit_counts_every_address_in_every_process(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    limits = {**LIMITS, "DIENBOT_LINK_LOOKUPS_PER_MINUTE": "6"}
    first, second = await start_service(**limits), await start_service(**limits)
    real = [customer.customer_code for customer in single_phone_customers(linking_demo)]
    answers = []
    for number, code in enumerate(real[:10]):
        process = first if number % 2 == 0 else second
        answers.append(await process.fresh(code, address=f"203.0.113.{number}"))
    assert [answered(replies) for replies in answers] == [True] * 6 + [False] * 4
    assert all(BUSY in text_of(replies) for replies in answers[6:])
    assert len(first.sms.received) == 6  # one stand-in serves both processes
    first.clock.advance(timedelta(minutes=1))
    assert answered(await second.fresh(real[10], address="203.0.113.99"))
    assert len(first.sms.received) == 7


async def test_the_client_is_the_trusted_proxys_forwarded_address_and_no_one_elses(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    codes = unknown_codes(linking_demo, 12)
    behind_proxy = await start_service(**LIMITS)
    for code in codes[:5]:
        assert answered(await behind_proxy.fresh(code, address=ADDRESS))
    assert not answered(await behind_proxy.fresh(codes[5], address=ADDRESS))
    assert answered(await behind_proxy.fresh(codes[6], address="203.0.113.8"))

    exposed = await start_service(**LIMITS, DIENBOT_TRUSTED_PROXIES="10.0.0.0/8")
    # No trusted proxy in front: X-Forwarded-For is the visitor's own writing, not believed;
    # every request is the peer's (127.0.0.1), which has looked up nothing yet: five.
    for number, code in enumerate(codes[7:12]):
        assert answered(await exposed.fresh(code, address=f"192.0.2.{number}"))
    assert not answered(await exposed.fresh(codes[0], address="192.0.2.200"))


async def test_on_telegram_and_zalo_the_platform_user_is_the_client(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    service = await start_service(**LIMITS)
    runner = service.client.app[RUNNER]
    codes = iter(unknown_codes(linking_demo, 20))

    async def lookup(channel: Channel, user: str) -> str:
        update = Update(user=UserRef(channel, user), received_at=service.clock(), text=next(codes))
        return "\n".join(reply.text for reply in await runner.handle(update))

    for channel in (Channel.TELEGRAM, Channel.ZALO):
        for _ in range(5):
            assert (await lookup(channel, "1001")).startswith(SENT)
        assert THROTTLED in await lookup(channel, "1001")
        assert (await lookup(channel, "1002")).startswith(SENT)
