"""bill_query: the bill of a month or the latest, its tier lines, and why it changed."""

from __future__ import annotations

from sqlalchemy import Engine, update

from handlers import texts
from handlers.format import format_date, format_money
from handlers.types import Channel
from meters.records import BillRecord, CustomerDetails
from meters.schema import Bill
from tariff import BillRequest, compute_bill
from tariff.explain import explain_difference
from tests.handlers.conftest import button_data, text_of
from tests.handlers.demo_facts import clean_residential, customer, with_store


def request_of(details: CustomerDetails, bill: BillRecord) -> BillRequest:
    return BillRequest(
        period_start=bill.period_start,
        period_end=bill.period_end,
        kwh=int(bill.kwh),
        households=details.households,
        customer_type=details.customer_type,
        voltage_kv=details.voltage_kv,
    )


def with_two_bills(
    store: Engine, codes: list[str]
) -> tuple[CustomerDetails, tuple[BillRecord, ...]]:
    for code in codes:
        details = customer(store, code)
        bills = with_store(store, lambda accounts, _u, d=details: accounts.bills(d.id))
        if len(bills) >= 2:
            return details, bills
    raise AssertionError("no demo customer with two bills")


def test_the_latest_bill_with_recomputed_tier_lines(chat_factory, store, demo_data) -> None:
    details, bills = with_two_bills(store, clean_residential(demo_data))
    chat = chat_factory(Channel.TELEGRAM, "b1")
    chat.share_contact(details.phone)

    replies = chat.say("hóa đơn tiền điện")

    latest = bills[0]
    text = text_of(replies)
    assert (
        texts.BILL_HEADER.format(
            month=f"{latest.period_end.month}/{latest.period_end.year}", code=details.customer_code
        )
        in text
    )
    assert (
        texts.BILL_AMOUNT.format(
            before=format_money(latest.amount_before_vat),
            vat=format_money(latest.vat),
            total=format_money(latest.total),
        )
        in text
    )
    assert texts.BILL_DUE.format(date=format_date(latest.due_date)) in text
    computed = compute_bill(request_of(details, latest))
    for line in computed.lines:
        assert f"Bậc {line.tier}:" in text
        assert format_money(line.amount) in text
    assert computed.total == latest.total
    assert "Lưu ý" not in text  # no note when the engine agrees with the issued bill
    assert f"bill:why:{latest.period_end:%Y-%m}:{details.id}" in button_data(replies)


def test_the_bill_of_a_named_month(chat_factory, store, demo_data) -> None:
    details, bills = with_two_bills(store, clean_residential(demo_data))
    older = bills[1]
    chat = chat_factory(Channel.TELEGRAM, "b2")
    chat.share_contact(details.phone)

    text = text_of(chat.say(f"tiền điện tháng {older.period_end.month} bao nhiêu"))

    assert (
        texts.BILL_PERIOD.format(
            first=format_date(older.period_start),
            last=format_date(older.period_end),
            days=(older.period_end - older.period_start).days + 1,
        )
        in text
    )
    assert format_money(older.total) in text


def test_a_stored_total_the_engine_does_not_reproduce_is_pointed_out(
    chat_factory, store, demo_data
) -> None:
    details, bills = with_two_bills(store, clean_residential(demo_data))
    latest = bills[0]
    with store.begin() as connection:
        connection.execute(
            update(Bill).where(Bill.bill_no == latest.bill_no).values(total=latest.total + 1000)
        )
    chat = chat_factory(Channel.TELEGRAM, "b3")
    chat.share_contact(details.phone)

    text = text_of(chat.say("hóa đơn"))

    computed = compute_bill(request_of(details, latest))
    assert (
        texts.BILL_RECOMPUTED_DIFFERS.format(
            recomputed=format_money(computed.total),
            difference=format_money(1000),
            hotline="1900 545454",
        )
        in text
    )


def test_why_the_bill_differs_from_the_previous_one(chat_factory, store, demo_data) -> None:
    details, bills = with_two_bills(store, clean_residential(demo_data))
    latest, previous = bills[0], bills[1]
    chat = chat_factory(Channel.TELEGRAM, "b4")
    chat.share_contact(details.phone)

    text = text_of(chat.press(f"bill:why:{latest.period_end:%Y-%m}:{details.id}"))

    difference = explain_difference(request_of(details, previous), request_of(details, latest))
    assert format_money(abs(latest.total - previous.total)) in text
    for part in (difference.days, difference.kwh, difference.vat):
        assert format_money(abs(part)) in text
    if difference.tier_mix:
        assert format_money(abs(difference.tier_mix)) in text


def test_no_bill_data_for_an_unlinked_chat(chat_factory, store, demo_data) -> None:
    details, bills = with_two_bills(store, clean_residential(demo_data))
    chat = chat_factory(Channel.TELEGRAM, "b5")

    text = text_of(chat.say("hóa đơn tháng trước")) + text_of(
        chat.press(f"bill:latest:{details.id}")
    )

    assert texts.LINK_NEEDED.format(what=texts.WHAT_BILL) in text
    assert format_money(bills[0].total) not in text
