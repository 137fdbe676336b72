"""The 30-day usage chart: a PNG with one bar per day, estimated days set apart."""

from __future__ import annotations

from datetime import timedelta

from handlers import texts
from handlers.chart import CHART_DAYS, chart_bars, render_chart
from handlers.format import format_kwh
from handlers.types import Channel
from meters.demo.model import DemoData, Fault
from tests.handlers.conftest import TODAY, button_data, text_of
from tests.handlers.demo_facts import clean_residential, customer, faulty, with_store

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_chart_has_one_bar_per_day_with_the_stored_use(store, demo_data: DemoData) -> None:
    code = clean_residential(demo_data)[0]

    bars, summary = with_store(
        store,
        lambda _a, usage: (
            chart_bars(usage, code, TODAY),
            usage.last_days(code, CHART_DAYS, TODAY),
        ),
    )

    assert len(bars) == CHART_DAYS
    assert [bar.day for bar in bars] == [
        TODAY - timedelta(days=CHART_DAYS - i) for i in range(CHART_DAYS)
    ]
    assert {bar.day: bar.used_wh for bar in bars} == {day.day: day.used_wh for day in summary.days}
    assert render_chart(bars, "t").startswith(PNG_SIGNATURE)


def test_estimated_days_are_marked_on_the_bars(store, demo_data: DemoData) -> None:
    code = faulty(demo_data, Fault.RESET)  # the reset day is estimated from its neighbours

    bars, summary = with_store(
        store,
        lambda _a, usage: (
            chart_bars(usage, code, TODAY),
            usage.last_days(code, CHART_DAYS, TODAY),
        ),
    )

    assert [bar.day for bar in bars if bar.estimated] == [
        day.day for day in summary.days if day.estimated
    ]
    assert any(bar.estimated for bar in bars)


def test_asking_for_a_chart_sends_a_png_with_a_caption(chat_factory, store, demo_data) -> None:
    code = clean_residential(demo_data)[0]
    chat = chat_factory(Channel.TELEGRAM, "c1")
    chat.share_contact(customer(store, code).phone)

    replies = chat.say("cho xem biểu đồ điện năng")

    image = replies[0].image
    assert image is not None
    assert image.png.startswith(PNG_SIGNATURE)
    assert image.caption == texts.CHART_TITLE.format(code=code)
    total = with_store(store, lambda _a, usage: usage.last_days(code, CHART_DAYS, TODAY).used_wh)
    assert format_kwh(total) in text_of(replies)


def test_the_chart_button_under_a_usage_answer(chat_factory, store, demo_data) -> None:
    code = clean_residential(demo_data)[1]
    chat = chat_factory(Channel.TELEGRAM, "c2")
    chat.share_contact(customer(store, code).phone)
    buttons = button_data(chat.say("hôm qua dùng bao nhiêu điện"))
    chart_button = next(data for data in buttons if data.startswith("usage:chart:"))

    replies = chat.press(chart_button)

    assert replies[0].image is not None
    assert replies[0].image.png.startswith(PNG_SIGNATURE)


def test_no_chart_for_an_unlinked_chat(chat_factory, store, demo_data) -> None:
    code = clean_residential(demo_data)[0]
    chat = chat_factory(Channel.TELEGRAM, "c3")

    replies = chat.press(f"usage:chart:{customer(store, code).id}")

    assert all(reply.image is None for reply in replies)
    assert texts.LINK_NEEDED.format(what=texts.WHAT_USAGE) in text_of(replies)
