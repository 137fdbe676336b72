"""payment_pay: "cho tôi link thanh toán" gives a linked customer what they owe and how to pay,
never a question for the code the chat has linked.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, update

from handlers import texts
from handlers.types import Channel
from meters.demo.model import DemoCustomer, DemoData
from meters.schema import Bill
from tests.handlers.conftest import ZONE, FakeChat, button_data, text_of
from tests.handlers.demo_facts import customer as stored_customer
from tests.handlers.demo_facts import with_store
from tests.handlers.test_outage import sole_owner


def da_nang_home(demo: DemoData) -> DemoCustomer:
    """A Đà Nẵng (EVNCPC, PP…) household alone on its phone, with two bills or more."""
    return next(
        c
        for c in demo.customers
        if c.customer_code.startswith("PP")
        and c.customer_type == "residential"
        and sole_owner(demo, c)
        and sum(bill.customer_code == c.customer_code for bill in demo.bills) >= 2
    )


def set_bills(store: Engine, code: str, *states: tuple[int, date, datetime | None]) -> None:
    """Give the customer's latest bills these (total, due date, paid at), newest first."""
    owner = stored_customer(store, code)
    bills = with_store(store, lambda accounts, _usage: accounts.bills(owner.id))
    assert len(bills) >= len(states)
    with store.begin() as connection:
        connection.execute(
            update(Bill)
            .where(Bill.customer_id == owner.id)
            .values(paid_at=datetime(2026, 9, 1, 10, tzinfo=ZONE))
        )
        for bill, (total, due, paid_at) in zip(bills, states, strict=False):
            connection.execute(
                update(Bill)
                .where(Bill.bill_no == bill.bill_no)
                .values(total=total, due_date=due, paid_at=paid_at)
            )


@pytest.fixture
def home(demo_data: DemoData) -> DemoCustomer:
    return da_nang_home(demo_data)


def test_a_linked_customer_is_told_the_amount_owed_and_how_to_pay(
    chat_factory: type[FakeChat], store: Engine, home: DemoCustomer
) -> None:
    set_bills(
        store,
        home.customer_code,
        (412_500, date(2026, 11, 25), None),
        (350_000, date(2026, 10, 15), None),
    )
    chat = chat_factory(Channel.TELEGRAM, "pay1")
    chat.share_contact(home.phone)

    replies = chat.say("cho tôi link thanh toán")

    text = text_of(replies)
    lines = text.splitlines()
    # 412 500 + 350 000 = 762 500 đ; the October bill was due 36 days before 20/11.
    assert lines[0] == (
        f"Mã KH {home.customer_code} cần thanh toán 762.500 đ (2 hóa đơn chưa thanh toán):"
    )
    assert lines[1].endswith(": 350.000 đ, hạn 15/10/2026 – quá hạn 36 ngày")
    assert lines[2].endswith(": 412.500 đ, hạn 25/11/2026")
    assert texts.PAY_NOT_IN_CHAT in text
    assert (
        "Khi thanh toán, anh/chị chọn nhà cung cấp EVNCPC và nhập mã khách hàng "
        f"{home.customer_code}."
    ) in text
    assert "nhắn mã khách hàng" not in text  # the code is never asked again
    assert "i:payment_methods" in button_data(replies)


def test_nothing_owed_is_said_with_the_last_payment(
    chat_factory: type[FakeChat], store: Engine, home: DemoCustomer
) -> None:
    set_bills(
        store,
        home.customer_code,
        (298_000, date(2026, 11, 25), datetime(2026, 11, 18, 19, 45, tzinfo=ZONE)),
    )
    chat = chat_factory(Channel.TELEGRAM, "pay2")
    chat.share_contact(home.phone)

    text = text_of(chat.say("trả tiền điện luôn"))

    assert text.splitlines()[0] == (
        f"Mã KH {home.customer_code} không còn nợ tiền điện, anh/chị chưa cần thanh toán."
    )
    assert "(298.000 đ) đã thanh toán ngày 18/11/2026." in text


def test_an_unlinked_chat_is_told_to_link_first(
    chat_factory: type[FakeChat], store: Engine
) -> None:
    chat = chat_factory(Channel.WEB, "pay3")

    text = text_of(chat.say("cho tôi link thanh toán"))

    assert text.startswith(texts.LINK_NEEDED.format(what=texts.WHAT_PAY))


def test_payment_methods_for_a_linked_customer_give_the_code_instead_of_asking(
    chat_factory: type[FakeChat], store: Engine, home: DemoCustomer
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "pay4")
    chat.share_contact(home.phone)

    replies = chat.say("cách trả tiền điện online")
    named = chat.say("thanh toán qua momo được không")

    expected = (
        "Khi thanh toán, anh/chị chọn nhà cung cấp EVNCPC và nhập mã khách hàng "
        f"{home.customer_code}."
    )
    assert expected in text_of(replies)
    assert texts.PAY_METHODS_FOOTER not in text_of(replies)
    assert "i:payment_pay" in button_data(replies)
    assert expected in text_of(named)
