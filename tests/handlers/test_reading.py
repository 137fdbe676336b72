"""The meter-reading schedule: this month's and next month's dates, and the period they close."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from handlers import texts
from handlers.format import format_date
from handlers.types import Channel
from meters.account_store import SqlAccountStore
from meters.demo.model import DemoCustomer, DemoData
from meters.usage import billing_period, reading_date
from tests.handlers.conftest import TODAY, FakeChat, button_data, text_of

NEXT_MONTH = (TODAY.replace(day=28) + timedelta(days=4)).replace(day=1)


def alone_on_phone(demo_data: DemoData, wanted: Callable[[DemoCustomer], bool]) -> DemoCustomer:
    phones = Counter(customer.phone for customer in demo_data.customers)
    return next(c for c in demo_data.customers if phones[c.phone] == 1 and wanted(c))


def test_a_reading_later_this_month(chat_factory: type[FakeChat], demo_data: DemoData) -> None:
    customer = alone_on_phone(demo_data, lambda c: TODAY.day < c.reading_day < 31)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    this_month = reading_date(TODAY.year, TODAY.month, customer.reading_day)
    next_one = reading_date(NEXT_MONTH.year, NEXT_MONTH.month, customer.reading_day)
    first, _ = billing_period(customer.reading_day, TODAY)

    replies = chat.say("ngày nào chốt chỉ số công tơ")

    text = text_of(replies)
    assert texts.READING_DAY.format(code=customer.customer_code, day=customer.reading_day) in text
    assert texts.READING_THIS_MONTH.format(date=format_date(this_month)) in text
    assert texts.READING_NEXT_MONTH.format(date=format_date(next_one)) in text
    assert (
        texts.READING_PERIOD.format(
            first=format_date(first),
            last=format_date(this_month),
            days=(this_month - first).days + 1,
            next_first=format_date(this_month + timedelta(days=1)),
        )
        in text
    )
    assert {"i:usage_query", "i:bill_query"} <= set(button_data(replies))


def test_a_reading_already_done_this_month(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    customer = alone_on_phone(demo_data, lambda c: c.reading_day < TODAY.day)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    this_month = reading_date(TODAY.year, TODAY.month, customer.reading_day)
    next_one = reading_date(NEXT_MONTH.year, NEXT_MONTH.month, customer.reading_day)

    text = text_of(chat.say("lịch ghi chỉ số"))

    assert texts.READING_THIS_MONTH_DONE.format(date=format_date(this_month)) in text
    assert texts.READING_NEXT_MONTH.format(date=format_date(next_one)) in text
    assert (
        texts.READING_PERIOD.format(
            first=format_date(this_month + timedelta(days=1)),
            last=format_date(next_one),
            days=(next_one - this_month).days,
            next_first=format_date(next_one + timedelta(days=1)),
        )
        in text
    )


def test_a_month_end_reading(chat_factory: type[FakeChat], demo_data: DemoData) -> None:
    customer = alone_on_phone(demo_data, lambda c: c.reading_day == 31)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)

    text = text_of(chat.say("ngày nào chốt chỉ số công tơ"))

    assert texts.READING_DAY_LAST.format(code=customer.customer_code) in text
    assert texts.READING_THIS_MONTH.format(date="30/11/2026") in text
    assert texts.READING_NEXT_MONTH.format(date="31/12/2026") in text


def test_without_a_linked_customer_it_asks_to_link(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")

    text = text_of(chat.say("ngày nào chốt chỉ số công tơ"))

    assert text.startswith(texts.LINK_NEEDED.format(what=texts.WHAT_READING))


def test_with_two_customers_it_asks_which_then_answers(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    phones = Counter(customer.phone for customer in demo_data.customers)
    shared = next(phone for phone, count in phones.items() if count > 1)
    with store.connect() as connection:
        customers = SqlAccountStore(connection).customers_by_phone(shared)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(shared)

    asked = chat.say("ngày nào chốt chỉ số công tơ")

    assert text_of(asked) == texts.CHOOSE_CUSTOMER
    assert button_data(asked) == [f"c:{customer.id}" for customer in customers]
    second = customers[1]
    text = text_of(chat.press(f"c:{second.id}"))
    assert second.customer_code in text
    assert customers[0].customer_code not in text
