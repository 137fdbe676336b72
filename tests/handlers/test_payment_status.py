"""payment_status: paid or unpaid per bill, the debt, due dates and overdue bills."""

from __future__ import annotations

from datetime import timedelta

from handlers import texts
from handlers.format import format_date, format_money
from handlers.types import Channel
from tests.handlers.conftest import TODAY, button_data, text_of
from tests.handlers.demo_facts import customer, with_store


def bills_by_code(store, demo_data):  # type: ignore[no-untyped-def]
    found = {}
    for item in demo_data.customers:
        details = customer(store, item.customer_code)
        found[item.customer_code] = (
            details,
            with_store(store, lambda a, _u, d=details: a.bills(d.id)),
        )
    return found


def test_unpaid_bills_and_the_total_debt(chat_factory, store, demo_data) -> None:
    details, bills = next(
        v for v in bills_by_code(store, demo_data).values() if any(b.paid_at is None for b in v[1])
    )
    unpaid = [bill for bill in bills if bill.paid_at is None]
    chat = chat_factory(Channel.TELEGRAM, "s1")
    chat.share_contact(details.phone)

    replies = chat.say("tôi đã đóng tiền điện chưa")

    text = text_of(replies)
    assert (
        texts.PAYMENT_UNPAID_HEADER.format(code=details.customer_code, count=len(unpaid)) in text
    )
    assert (
        texts.PAYMENT_TOTAL_DEBT.format(total=format_money(sum(b.total for b in unpaid))) in text
    )
    for bill in unpaid:
        assert format_date(bill.due_date) in text
    if any(bill.due_date < TODAY for bill in unpaid):
        assert texts.PAYMENT_OVERDUE_WARNING in text
    assert {"i:payment_methods", "i:payment_points"} <= set(button_data(replies))


def test_an_overdue_bill_is_warned_about(chat_factory, store, demo_data) -> None:
    details, bills = next(
        v for v in bills_by_code(store, demo_data).values() if any(b.paid_at is None for b in v[1])
    )
    bill = next(b for b in bills if b.paid_at is None)
    chat = chat_factory(Channel.TELEGRAM, "s2")
    chat.share_contact(details.phone)
    late = (bill.due_date - TODAY).days + 3
    chat.later(timedelta(days=late))  # three days past the due date, still unpaid

    text = text_of(chat.say("hạn thanh toán là ngày mấy"))

    assert texts.PAYMENT_UNPAID_OVERDUE.format(days=3) in text
    assert texts.PAYMENT_OVERDUE_WARNING in text


def test_everything_paid(chat_factory, store, demo_data) -> None:
    details, bills = next(
        v
        for v in bills_by_code(store, demo_data).values()
        if v[1] and all(b.paid_at is not None for b in v[1])
    )
    chat = chat_factory(Channel.TELEGRAM, "s3")
    chat.share_contact(details.phone)

    text = text_of(chat.say("tôi còn nợ tiền điện không"))

    assert texts.PAYMENT_ALL_PAID.format(code=details.customer_code) in text
    assert format_money(bills[0].total) in text


def test_no_payment_data_for_an_unlinked_chat(chat_factory, store, demo_data) -> None:
    chat = chat_factory(Channel.TELEGRAM, "s4")
    code = demo_data.customers[0].customer_code

    text = text_of(chat.say("tôi đã đóng tiền điện chưa")) + text_of(
        chat.press(f"paystatus:{customer(store, code).id}")
    )

    assert texts.LINK_NEEDED.format(what=texts.WHAT_PAYMENT) in text
    assert code not in text
