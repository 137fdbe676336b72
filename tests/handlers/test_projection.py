"""The month-end projection of the current billing period, with the next tier in sight."""

from __future__ import annotations

from datetime import timedelta

from handlers import texts
from handlers.format import format_kwh, format_money
from handlers.projection import current_period
from handlers.types import Channel
from tariff import BillRequest
from tariff.explain import Projection, project_period_end
from tests.handlers.conftest import TODAY, text_of
from tests.handlers.demo_facts import clean_residential, customer, with_store


def projection_of(store, code: str) -> Projection:  # type: ignore[no-untyped-def]
    details = customer(store, code)
    first, last = current_period(details, TODAY)
    yesterday = TODAY - timedelta(days=1)
    used = with_store(store, lambda _a, usage: usage.daily(code, first, yesterday).used_wh)
    request = BillRequest(
        period_start=first,
        period_end=last,
        kwh=(used + 500) // 1000,
        households=details.households,
        customer_type=details.customer_type,
        voltage_kv=details.voltage_kv,
    )
    return project_period_end(request, yesterday)


def test_projection_says_how_many_kwh_are_left_before_the_next_tier(
    chat_factory, store, demo_data
) -> None:
    candidates = [
        (code, projection_of(store, code))
        for code in clean_residential(demo_data)
        if current_period(customer(store, code), TODAY)[0] < TODAY - timedelta(days=1)
    ]
    code, forecast = next((c, p) for c, p in candidates if p.next_tier_price is not None)
    assert forecast.tier is not None
    assert forecast.kwh_left_in_tier is not None
    assert forecast.crossing_cost_per_kwh is not None
    chat = chat_factory(Channel.TELEGRAM, "p1")
    chat.share_contact(customer(store, code).phone)

    text = text_of(chat.say("tiền điện dự kiến cuối tháng"))

    assert format_kwh(forecast.projected_kwh * 1000) in text
    assert format_money(forecast.bill.total) in text
    assert (
        texts.PROJECTION_NEXT_TIER.format(
            left=format_kwh(forecast.kwh_left_in_tier * 1000),
            next_tier=forecast.tier + 1,
            next_price=format_money(forecast.next_tier_price),
            extra=format_money(forecast.crossing_cost_per_kwh),
        )
        in text
    )
