"""The bill calculator, its inverse, the tier table and appliance estimates, on the demo store."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from handlers import texts
from handlers.format import format_kwh, format_money
from handlers.types import Channel
from meters.demo.model import DemoCustomer, DemoData
from meters.repository import SqlMeterRepository
from meters.usage import UsageService
from tariff import Bill, BillRequest, CustomerType, compute_bill, default_schedule_book
from tariff.appliances import air_conditioner, estimate_appliance, find_appliance
from tariff.explain import project_period_end
from tariff.vat import default_vat_table
from tests.handlers.conftest import TODAY, FakeChat, button_data, text_of

MONTH = (date(2026, 11, 1), date(2026, 11, 30))  # the calendar month of TODAY


def household_bill(kwh: int, **contract: object) -> Bill:
    return compute_bill(
        BillRequest(kwh=kwh, period_start=MONTH[0], period_end=MONTH[1], **contract)
    )  # type: ignore[arg-type]


def alone_on_phone(demo_data: DemoData, wanted: Callable[[DemoCustomer], bool]) -> DemoCustomer:
    phones = Counter(customer.phone for customer in demo_data.customers)
    return next(c for c in demo_data.customers if phones[c.phone] == 1 and wanted(c))


def assert_shows_bill(text: str, bill: Bill) -> None:
    for line in bill.lines:
        kwh, price = format_kwh(line.kwh * 1000), format_money(line.price)
        assert f"{kwh} × {price} = {format_money(line.amount)}" in text
    assert texts.CALC_SUBTOTAL.format(amount=format_money(bill.amount_before_vat)) in text
    assert texts.CALC_VAT.format(rate="8%", amount=format_money(bill.vat)) in text
    assert texts.CALC_TOTAL.format(amount=format_money(bill.total)) in text


def test_the_bill_of_the_kwh_asked_for_a_household(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    bill = household_bill(350)

    replies = chat.say("dùng 350 kWh thì hết bao nhiêu tiền")

    text = text_of(replies)
    assert text.startswith(
        texts.CALC_HEADER.format(
            kwh=format_kwh(350_000),
            month="11/2026",
            tariff=texts.CALC_TARIFF_RESIDENTIAL.format(households="1"),
        )
    )
    assert [line.tier for line in bill.lines] == [1, 2, 3, 4, 5]
    for line in bill.lines:
        assert (
            texts.CALC_LINE_TIER.format(
                tier=line.tier,
                kwh=format_kwh(line.kwh * 1000),
                price=format_money(line.price),
                amount=format_money(line.amount),
            )
            in text
        )
    assert_shows_bill(text, bill)


def test_the_only_linked_customer_s_households_count(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    customer = alone_on_phone(
        demo_data, lambda c: c.customer_type == "residential" and c.households > 1
    )
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    bill = household_bill(350, households=customer.households)
    assert bill.total != household_bill(350).total

    text = text_of(chat.say("tính tiền điện 350 số"))

    assert customer.customer_code in text
    assert_shows_bill(text, bill)


def test_a_business_customer_is_billed_at_its_own_prices(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    customer = alone_on_phone(demo_data, lambda c: c.customer_type == "business")
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    bill = household_bill(350, customer_type=CustomerType.BUSINESS, voltage_kv=customer.voltage_kv)

    text = text_of(chat.say("tính tiền điện 350 số"))

    assert texts.CALC_TARIFF_OTHER.format(group=texts.CUSTOMER_GROUPS["business"]) in text
    assert_shows_bill(text, bill)


def test_money_gives_the_kwh_it_buys(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")

    replies = chat.say("tính tiền điện 1 triệu được bao nhiêu số")

    found = re.search(r"tối đa ([\d.]+),0 kWh", text_of(replies))
    assert found is not None
    kwh = int(found.group(1).replace(".", ""))
    assert household_bill(kwh).total <= 1_000_000 < household_bill(kwh + 1).total
    assert f"bc:{kwh}" in button_data(replies)


def test_without_a_number_it_asks_and_a_button_computes(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")

    asked = chat.say("tính tiền điện")

    assert text_of(asked) == texts.CALC_ASK
    assert "bc:200" in button_data(asked)
    assert_shows_bill(text_of(chat.press("bc:200")), household_bill(200))


def test_the_tier_table_in_force_today(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    decision = default_schedule_book().in_force(CustomerType.RESIDENTIAL, TODAY)
    assert decision.residential is not None

    text = text_of(chat.say("giá điện bậc thang hiện nay"))

    assert decision.name in text
    assert f"{decision.effective_from:%d/%m/%Y}" in text
    for tier in decision.residential.tiers:
        assert f"Bậc {tier.number} (" in text
        assert f"): {format_money(tier.price)}/kWh" in text
    assert texts.TARIFF_VAT_NOTE.format(rate="8%") in text


def test_one_tier_with_and_without_vat(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    decision = default_schedule_book().in_force(CustomerType.RESIDENTIAL, TODAY)
    assert decision.residential is not None
    price = decision.residential.tier_price(3)
    with_vat = price + default_vat_table().rate_on(TODAY).tax_on(price)

    text = text_of(chat.say("giá điện bậc 3 là bao nhiêu"))

    assert text.startswith("Giá điện sinh hoạt bậc 3 (101–200 kWh)")
    assert format_money(price) in text
    assert format_money(with_vat) in text
    assert decision.name in text


def test_an_appliance_without_a_customer_uses_a_typical_household(
    chat_factory: type[FakeChat],
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    unit = air_conditioner(hp=Decimal("1.5"))
    base = BillRequest(kwh=200, period_start=MONTH[0], period_end=MONTH[1])
    estimate = estimate_appliance(unit, base, hours_per_day=Decimal(8))

    text = text_of(chat.say("máy lạnh 1.5HP chạy 8 tiếng mỗi ngày tốn bao nhiêu điện"))

    assert unit.name in text
    assert (
        texts.APPLIANCE_PER_DAY.format(kwh=format_kwh(round(estimate.kwh_per_day * 1000))) in text
    )
    assert (
        texts.APPLIANCE_PER_MONTH.format(days=30, kwh=format_kwh(estimate.kwh_per_period * 1000))
        in text
    )
    assert texts.APPLIANCE_COST.format(total=format_money(estimate.added_total)) in text
    assert texts.APPLIANCE_BASIS_TYPICAL.format(kwh=format_kwh(200_000)) in text


def test_an_appliance_is_priced_at_the_linked_customer_s_own_tiers(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    customer = alone_on_phone(
        demo_data, lambda c: c.customer_type == "residential" and TODAY.day < c.reading_day < 28
    )
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    with store.connect() as connection:
        used = UsageService(SqlMeterRepository(connection)).billing_period_to_date(
            customer.customer_code, TODAY
        )
    period_start = date(2026, 10, customer.reading_day + 1)
    period_end = date(2026, 11, customer.reading_day)
    so_far = BillRequest(
        kwh=round(used.used_wh / 1000),
        period_start=period_start,
        period_end=period_end,
        households=customer.households,
    )
    projected = project_period_end(so_far, used.days[-1].day).projected_kwh
    fridge = find_appliance("tu_lanh")
    estimate = estimate_appliance(fridge, replace(so_far, kwh=projected))

    text = text_of(chat.say("tủ lạnh tốn bao nhiêu điện"))

    days = (period_end - period_start).days + 1
    assert (
        texts.APPLIANCE_PER_MONTH.format(days=days, kwh=format_kwh(estimate.kwh_per_period * 1000))
        in text
    )
    assert texts.APPLIANCE_COST.format(total=format_money(estimate.added_total)) in text
    assert customer.customer_code in text
    assert format_kwh(projected * 1000) in text


def test_withdrawn_lookups_consent_falls_back_to_a_typical_household(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    customer = alone_on_phone(demo_data, lambda c: c.customer_type == "residential")
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    chat.press("consent:lookups")

    text = text_of(chat.say("tủ lạnh tốn bao nhiêu điện"))

    assert texts.APPLIANCE_BASIS_NO_CONSENT.format(kwh=format_kwh(200_000)) in text
    assert customer.customer_code not in text


def test_an_unknown_appliance_without_its_power_is_asked_for(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")

    text = text_of(chat.say("nồi chiên không dầu tốn bao nhiêu điện"))

    assert text == texts.APPLIANCE_ASK_POWER.format(name="nồi chiên không dầu")


def test_the_appliance_buttons_use_typical_hours(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    asked = chat.press("i:appliance_estimate")
    assert text_of(asked) == texts.APPLIANCE_ASK
    assert "ae:binh_nong_lanh" in button_data(asked)
    heater = find_appliance("binh_nong_lanh")
    base = BillRequest(kwh=200, period_start=MONTH[0], period_end=MONTH[1])
    estimate = estimate_appliance(heater, base)

    text = text_of(chat.press("ae:binh_nong_lanh"))

    assert heater.name in text
    assert texts.APPLIANCE_COST.format(total=format_money(estimate.added_total)) in text
