"""Issue 20 item 2: one-time codes cannot flood a phone nor be guessed across chats.

Per customer code and per contract phone, over every chat and process: at most one code a
minute, 3 in 15 minutes and 10 a day; 10 wrong codes in 24 hours pause the customer's linking
(a new code does not give more tries), and the next code's SMS says that someone tried. Codes
are counted in /metrics. A customer who links normally never meets any of it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from handlers import texts
from meters.demo.model import DemoData
from tests.security.linking import LinkingService, ServiceFactory, single_phone_customers, text_of

SENT = texts.CODE_SENT.split("{")[0]
PAUSED = texts.LINK_PAUSED.split("{")[0]
LOOKUPS = {  # wide enough that only the limits by customer and phone apply here
    "DIENBOT_LINK_LOOKUPS_PER_ADDRESS_MINUTE": "1000",
    "DIENBOT_LINK_LOOKUPS_PER_ADDRESS_HOUR": "1000",
    "DIENBOT_LINK_LOOKUPS_PER_MINUTE": "1000",
}
CODE_LIMITS = {
    "DIENBOT_LINK_CODE_GAP_SECONDS": "60",
    "DIENBOT_LINK_CODES_PER_15_MINUTES": "3",
    "DIENBOT_LINK_CODES_PER_DAY": "10",
    "DIENBOT_LINK_WRONG_CODES_PER_DAY": "10",
}


def sent_code(message: str) -> str:
    found = re.search(r"\b\d{6}\b", message)
    assert found is not None, message
    return found.group(0)


def wrong(code: str, number: int) -> str:
    """The `number`th wrong guess of `code`."""
    guesses = (f"{value:06d}" for value in range(100_000, 200_000, 7))
    return [guess for guess in guesses if guess != code][number]


async def ask_code(service: LinkingService, customer_code: str, chat: int) -> str:
    """A fresh chat, from an address of its own, asks for a code; the answer's text."""
    return text_of(await service.fresh(customer_code, address=f"10.{chat // 250}.{chat % 250}.1"))


async def test_sixty_fresh_chats_get_one_code_then_one_a_minute_three_in_15_minutes_ten_a_day(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    service = await start_service(**LOOKUPS, **CODE_LIMITS)
    customer = single_phone_customers(linking_demo)[0]
    answers = [await ask_code(service, customer.customer_code, chat) for chat in range(60)]
    assert all(answer.startswith(SENT) for answer in answers)
    assert len(set(answers)) == 1  # the same answer whether a code went or not
    assert len(service.sms.to(customer.phone)) == 1
    service.clock.advance(timedelta(seconds=59))
    await ask_code(service, customer.customer_code, 60)
    assert len(service.sms.to(customer.phone)) == 1  # not a minute since the last one
    sent = [1]
    for window in range(5):  # 3 in each 15 minutes, 10 in the day, none in the fifth window
        for second in range(4):
            service.clock.advance(timedelta(seconds=61))
            await ask_code(service, customer.customer_code, 100 + window * 4 + second)
        sent.append(len(service.sms.to(customer.phone)))
        service.clock.advance(timedelta(minutes=15))
    assert sent == [1, 3, 6, 9, 10, 10]
    service.clock.advance(timedelta(hours=24))
    await ask_code(service, customer.customer_code, 200)
    assert len(service.sms.to(customer.phone)) == 11


async def test_the_codes_of_one_phone_are_limited_over_all_its_customer_codes(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    service = await start_service(**LOOKUPS, **CODE_LIMITS)
    phones = [customer.phone for customer in linking_demo.customers]
    first, second = [c for c in linking_demo.customers if phones.count(c.phone) > 1][:2]
    assert first.phone == second.phone
    await ask_code(service, first.customer_code, 1)
    await ask_code(service, second.customer_code, 2)
    assert len(service.sms.to(first.phone)) == 1
    service.clock.advance(timedelta(seconds=61))
    await ask_code(service, second.customer_code, 3)
    assert len(service.sms.to(first.phone)) == 2


async def test_wrong_codes_across_chats_pause_the_customer_and_the_next_sms_says_so(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    service = await start_service(**LOOKUPS, **CODE_LIMITS)
    customer = single_phone_customers(linking_demo)[0]
    answers: list[str] = []
    for chat in range(2):  # each chat gets its own code, a minute apart, and guesses 5 times
        await ask_code(service, customer.customer_code, chat)
        code = sent_code(service.sms.to(customer.phone)[-1])
        answers += [text_of(await service.say(wrong(code, n))) for n in range(5)]
        service.clock.advance(timedelta(seconds=61))
    assert [PAUSED in answer for answer in answers] == [False] * 9 + [True]
    assert PAUSED in text_of(await service.say(code))  # the right code is no longer compared
    assert PAUSED in await ask_code(service, customer.customer_code, 2)
    assert len(service.sms.to(customer.phone)) == 2  # none while paused
    assert service.linked(customer.customer_code) == 0

    service.clock.advance(timedelta(hours=24))
    assert (await ask_code(service, customer.customer_code, 3)).startswith(SENT)
    assert len(service.sms.to(customer.phone)) == 3
    *earlier, warned = service.sms.to(customer.phone)
    assert texts.ONE_TIME_CODE_SMS_WARNING in warned
    assert all(texts.ONE_TIME_CODE_SMS_WARNING not in message for message in earlier)
    await service.say(sent_code(warned))
    assert service.linked(customer.customer_code) == 1
    service.clock.advance(timedelta(minutes=2))
    await ask_code(service, customer.customer_code, 4)
    assert len(service.sms.to(customer.phone)) == 4
    assert texts.ONE_TIME_CODE_SMS_WARNING not in service.sms.to(customer.phone)[-1]  # once


async def test_a_new_code_does_not_give_more_tries_within_the_customers_window(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    limits = {**LOOKUPS, **CODE_LIMITS, "DIENBOT_LINK_WRONG_CODES_PER_DAY": "6"}
    service = await start_service(**limits)
    customer = single_phone_customers(linking_demo)[1]
    await service.fresh(customer.customer_code)
    code = sent_code(service.sms.to(customer.phone)[-1])
    for number in range(4):
        await service.say(wrong(code, number))
    service.clock.advance(timedelta(seconds=61))
    await service.say(customer.customer_code)  # the same chat asks for a new code
    assert len(service.sms.to(customer.phone)) == 2
    code = sent_code(service.sms.to(customer.phone)[-1])
    assert texts.CODE_WRONG.format(left=4) in text_of(await service.say(wrong(code, 0)))
    assert PAUSED in text_of(await service.say(wrong(code, 1)))  # the customer's 6th
    assert PAUSED in text_of(await service.say(code))
    assert service.linked(customer.customer_code) == 0


async def test_a_customer_linking_normally_meets_no_limit(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    service = await start_service()  # the defaults
    customer = single_phone_customers(linking_demo)[2]
    await service.visitor()
    await service.say("tôi muốn liên kết tài khoản")
    assert text_of(await service.say(customer.customer_code)).startswith(SENT)
    [message] = service.sms.to(customer.phone)
    assert texts.ONE_TIME_CODE_SMS_WARNING not in message
    code = sent_code(message)
    service.clock.advance(timedelta(seconds=40))
    assert texts.CODE_WRONG.format(left=4) in text_of(await service.say(wrong(code, 0)))
    service.clock.advance(timedelta(seconds=20))
    linked = text_of(await service.say(code))
    assert texts.LINKED.format(customers=f"{customer.customer_code} – {customer.name}") in linked
    assert service.linked(customer.customer_code) == 1


async def test_codes_are_counted_in_metrics_by_channel_and_result(
    start_service: ServiceFactory, linking_demo: DemoData
) -> None:
    service = await start_service(**LOOKUPS, **CODE_LIMITS)
    first, second = single_phone_customers(linking_demo)[:2]
    await ask_code(service, first.customer_code, 1)  # sent
    await ask_code(service, first.customer_code, 2)  # withheld: within the minute
    service.sms.status = 503
    await ask_code(service, second.customer_code, 3)  # the gateway refuses it
    metrics = await service.metrics()
    assert 'dienbot_one_time_codes_total{channel="web",result="sent"} 1' in metrics
    assert 'dienbot_one_time_codes_total{channel="web",result="withheld"} 1' in metrics
    assert 'dienbot_one_time_codes_total{channel="web",result="failed"} 1' in metrics
