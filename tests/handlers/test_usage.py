"""usage_query: a linked customer's use by day, week, month, billing period and meter index."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from handlers import texts
from handlers.format import describe_freshness, format_date, format_kwh
from handlers.types import Channel
from meters.demo.model import DemoData, Fault
from meters.usage import billing_period, same_days_last_month
from tests.handlers.conftest import NOW, TODAY, ZONE, button_data, text_of
from tests.handlers.demo_facts import (
    SHARED_PHONE,
    TOU_CUSTOMER,
    clean_residential,
    customer,
    faulty,
    with_store,
)


def linked_chat(chat_factory, store: Engine, code: str, user: str = "u1"):  # type: ignore[no-untyped-def]
    chat = chat_factory(Channel.TELEGRAM, user)
    chat.share_contact(customer(store, code).phone)
    return chat


def test_yesterday_is_the_default_with_the_data_freshness(
    chat_factory, store, demo_data: DemoData
) -> None:
    code = clean_residential(demo_data)[0]
    chat = linked_chat(chat_factory, store, code)

    replies = chat.say("hôm qua nhà tôi dùng bao nhiêu số điện")

    used, fresh = with_store(
        store, lambda _a, usage: (usage.yesterday(code, TODAY).used_wh, usage.freshness(code))
    )
    text = text_of(replies)
    assert (
        texts.USAGE_DAY.format(
            date=format_date(TODAY - timedelta(days=1)), code=code, kwh=format_kwh(used)
        )
        in text
    )
    assert fresh is not None
    assert describe_freshness(fresh, NOW, ZONE) in text
    assert f"usage:chart:{customer(store, code).id}" in button_data(replies)
    assert text_of(chat.press("i:usage_query")) == text  # the menu button asks the same


def test_last_7_and_30_days_are_read_from_the_words(chat_factory, store, demo_data) -> None:
    code = clean_residential(demo_data)[1]
    chat = linked_chat(chat_factory, store, code)
    for message, count in (
        ("điện tiêu thụ 7 ngày qua", 7),
        ("tuần qua dùng bao nhiêu điện", 7),
        ("30 ngày qua dùng bao nhiêu", 30),
    ):
        summary = with_store(store, lambda _a, usage, n=count: usage.last_days(code, n, TODAY))
        text = text_of(chat.say(message))
        assert texts.USAGE_LABEL_LAST_DAYS.format(count=count) in text
        assert f"dùng {format_kwh(summary.used_wh)}" in text
        assert format_date(TODAY - timedelta(days=count)) in text


def test_month_to_date_compares_with_the_same_days_last_month(
    chat_factory, store, demo_data
) -> None:
    code = clean_residential(demo_data)[2]
    chat = linked_chat(chat_factory, store, code)

    text = text_of(chat.say("tháng này dùng bao nhiêu số"))

    yesterday = TODAY - timedelta(days=1)
    before_first, before_last = same_days_last_month(TODAY.replace(day=1), yesterday)
    now_wh, before_wh = with_store(
        store,
        lambda _a, usage: (
            usage.daily(code, TODAY.replace(day=1), yesterday).used_wh,
            usage.daily(code, before_first, before_last).used_wh,
        ),
    )
    assert texts.USAGE_LABEL_MONTH_TO_DATE in text
    assert format_kwh(now_wh) in text
    assert format_date(before_first) in text
    assert format_kwh(before_wh) in text


def test_billing_period_starts_after_the_reading_day(chat_factory, store, demo_data) -> None:
    code = clean_residential(demo_data)[3]
    chat = linked_chat(chat_factory, store, code)

    text = text_of(chat.say("kỳ này dùng bao nhiêu kwh"))

    details = customer(store, code)
    first, _ = billing_period(details.reading_day, TODAY)
    used = with_store(store, lambda _a, usage: usage.billing_period_to_date(code, TODAY).used_wh)
    assert texts.USAGE_LABEL_PERIOD in text
    assert format_date(first) in text
    assert format_kwh(used) in text


def test_a_named_month_and_its_estimated_days(chat_factory, store, demo_data) -> None:
    code = faulty(demo_data, Fault.GAPS)
    chat = linked_chat(chat_factory, store, code)

    text = text_of(chat.say("điện tháng 10 dùng hết bao nhiêu kwh"))

    october = with_store(
        store,
        lambda _a, usage: usage.daily(
            code, TODAY.replace(month=10, day=1), TODAY.replace(month=10, day=31)
        ),
    )
    estimated = [day for day in october.days if day.estimated]
    assert estimated, "the gaps fault leaves interpolated days in October"
    assert texts.USAGE_LABEL_MONTH.format(month="10/2026") in text
    assert format_kwh(october.used_wh) in text
    assert 0 < len(estimated) <= 5
    dates = ", ".join(f"{day.day.day:02d}/{day.day.month:02d}" for day in estimated)
    assert texts.USAGE_ESTIMATED.format(count=len(estimated), dates=dates) in text


def test_a_given_date(chat_factory, store, demo_data) -> None:
    code = clean_residential(demo_data)[0]
    chat = linked_chat(chat_factory, store, code)

    text = text_of(chat.say("ngày 15/11 dùng bao nhiêu điện"))

    day = TODAY.replace(day=15)
    used = with_store(store, lambda _a, usage: usage.on_date(code, day).used_wh)
    assert texts.USAGE_DAY.format(date=format_date(day), code=code, kwh=format_kwh(used)) in text


def test_meter_index_with_three_price_registers(chat_factory, store) -> None:
    chat = linked_chat(chat_factory, store, TOU_CUSTOMER)

    text = text_of(chat.say("chỉ số công tơ hiện tại"))

    index = with_store(store, lambda _a, usage: usage.meter_index(TOU_CUSTOMER))
    assert index is not None
    assert index.normal_wh is not None
    assert index.peak_wh is not None
    assert index.offpeak_wh is not None
    assert format_kwh(index.index_wh) in text
    assert (
        texts.USAGE_INDEX_BANDS.format(
            normal=format_kwh(index.normal_wh),
            peak=format_kwh(index.peak_wh),
            offpeak=format_kwh(index.offpeak_wh),
        )
        in text
    )


def test_three_price_use_is_split_by_band(chat_factory, store) -> None:
    chat = linked_chat(chat_factory, store, TOU_CUSTOMER)

    text = text_of(chat.say("hôm qua dùng bao nhiêu điện"))

    day = with_store(store, lambda _a, usage: usage.yesterday(TOU_CUSTOMER, TODAY))
    assert day.normal_wh is not None
    assert day.peak_wh is not None
    assert day.offpeak_wh is not None
    assert (
        texts.USAGE_BANDS.format(
            normal=format_kwh(day.normal_wh),
            peak=format_kwh(day.peak_wh),
            offpeak=format_kwh(day.offpeak_wh),
        )
        in text
    )


def test_an_unlinked_chat_gets_no_data(chat_factory, store, demo_data) -> None:
    code = clean_residential(demo_data)[0]
    chat = chat_factory(Channel.TELEGRAM, "stranger")

    text = text_of(chat.say("hôm qua nhà tôi dùng bao nhiêu số điện"))
    pressed = text_of(chat.press(f"usage:last7:{customer(store, code).id}"))

    expected = texts.LINK_NEEDED.format(what=texts.WHAT_USAGE)
    assert expected in text
    assert expected in pressed
    assert code not in text + pressed


def test_two_linked_customers_are_asked_which_and_the_question_is_kept(
    chat_factory, store
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "family")
    chat.share_contact(SHARED_PHONE)
    codes = with_store(store, lambda accounts, _u: accounts.customers_by_phone(SHARED_PHONE))
    assert len(codes) == 2

    asked = chat.say("7 ngày qua dùng bao nhiêu điện")

    assert texts.CHOOSE_CUSTOMER in text_of(asked)
    second = codes[1]
    assert f"c:{second.id}" in button_data(asked)
    answered = text_of(chat.press(f"c:{second.id}"))
    used = with_store(
        store, lambda _a, usage: usage.last_days(second.customer_code, 7, TODAY).used_wh
    )
    assert second.customer_code in answered
    assert texts.USAGE_LABEL_LAST_DAYS.format(count=7) in answered
    assert format_kwh(used) in answered


def test_buttons_under_an_answer_keep_the_customer(chat_factory, store) -> None:
    chat = chat_factory(Channel.TELEGRAM, "family2")
    chat.share_contact(SHARED_PHONE)
    first = with_store(store, lambda accounts, _u: accounts.customers_by_phone(SHARED_PHONE))[0]

    text = text_of(chat.press(f"usage:period:{first.id}"))

    used = with_store(
        store, lambda _a, usage: usage.billing_period_to_date(first.customer_code, TODAY).used_wh
    )
    assert texts.USAGE_LABEL_PERIOD in text
    assert format_kwh(used) in text
