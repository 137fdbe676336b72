"""Pending questions survive a digression: answered later while valid, offered again meanwhile."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from handlers import texts
from handlers.format import format_money
from handlers.types import Channel, Reply
from meters.demo.model import DemoData
from meters.schema import ChatLink, ChatUser, Customer, HandoffCase
from tests.handlers.conftest import ZONE, ChatFactory, FakeChat, button_data, text_of
from tests.handlers.demo_facts import SHARED_PHONE

DIGRESSION = "trong lúc chờ mã, giá điện bậc 3 bao nhiêu"
TARIFF_TIER_3 = texts.TARIFF_ONE.split("(")[0].format(tier=3)


def linked_codes(store: Engine, chat: FakeChat) -> set[str]:
    """The customer codes linked to the chat, read from the store."""
    with store.connect() as connection:
        rows = connection.execute(
            select(Customer.customer_code)
            .join(ChatLink, ChatLink.customer_id == Customer.id)
            .join(ChatUser, ChatUser.id == ChatLink.chat_user_id)
            .where(ChatUser.external_id == chat.user.external_id)
        )
        return {row[0] for row in rows}


def no_case(store: Engine) -> bool:
    """Whether no chat has been handed to a person."""
    with store.connect() as connection:
        return connection.execute(select(HandoffCase.id)).first() is None


def reminder_of(replies: tuple[Reply, ...], line: str) -> Reply:
    """The reply that re-offers the pending question."""
    return next(reply for reply in replies if reply.text == line)


def code_sent(chat_factory: ChatFactory, demo_data: DemoData) -> tuple[FakeChat, str]:
    """A web chat whose one-time code is on its way, and the customer code it links."""
    customer = demo_data.customers[3]
    chat = chat_factory(Channel.WEB, "visitor")
    chat.say(f"liên kết mã khách hàng {customer.customer_code}")
    return chat, customer.customer_code


def test_the_code_typed_after_a_digression_links(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    chat, code = code_sent(chat_factory, demo_data)
    until = (chat.now + timedelta(minutes=5)).astimezone(ZONE)

    digression = chat.say(DIGRESSION)

    assert TARIFF_TIER_3 in text_of(digression)  # the question is answered
    assert texts.REMIND_ONE_TIME_CODE.format(time=f"{until:%H:%M}") in text_of(digression)
    chat.later(timedelta(minutes=2))
    linked = chat.say(chat.last_code().code)
    assert texts.UNKNOWN not in text_of(linked)
    assert linked_codes(store, chat) == {code}
    assert no_case(store)


def test_a_bare_code_is_the_pending_code_whatever_came_between(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    chat, code = code_sent(chat_factory, demo_data)
    chat.say(DIGRESSION)
    chat.say("lịch cắt điện tuần này")  # a second digression, with a question of its own
    chat.say("cảm ơn")
    chat.say(chat.last_code().code)
    assert linked_codes(store, chat) == {code}


def test_a_wrong_code_after_a_digression_still_counts_its_tries(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    chat, _code = code_sent(chat_factory, demo_data)
    chat.say(DIGRESSION)
    assert texts.CODE_WRONG.format(left=4) in text_of(chat.say("000000"))
    chat.say(DIGRESSION)
    assert texts.CODE_WRONG.format(left=3) in text_of(chat.say("111111"))
    assert linked_codes(store, chat) == set()


def test_an_expired_code_after_a_digression_says_so(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    chat, _code = code_sent(chat_factory, demo_data)
    chat.say(DIGRESSION)
    chat.later(timedelta(minutes=6))
    late = chat.say(DIGRESSION)
    assert all(not reply.text.startswith(texts.REMIND_ONE_TIME_CODE[:20]) for reply in late)
    assert texts.CODE_EXPIRED in text_of(chat.say(chat.last_code().code))
    assert linked_codes(store, chat) == set()
    assert no_case(store)


def test_cancel_after_a_digression_cancels_the_code(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    chat, _code = code_sent(chat_factory, demo_data)
    chat.say(DIGRESSION)
    assert texts.CANCELLED in text_of(chat.say("hủy"))
    after = chat.say(chat.last_code().code)
    assert texts.LINKED.split(":")[0] not in text_of(after)
    assert linked_codes(store, chat) == set()


def test_the_customer_code_asked_for_is_still_awaited_after_a_digression(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    customer = demo_data.customers[4]
    chat = chat_factory(Channel.ZALO, "z1")
    chat.say("tôi muốn liên kết tài khoản")
    digression = chat.say("giá điện bậc 3 bao nhiêu")
    assert texts.REMIND_CUSTOMER_CODE in text_of(digression)
    chat.say(customer.customer_code)
    assert chat.last_code().customer_code == customer.customer_code


def test_the_customer_buttons_still_work_after_a_digression(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(SHARED_PHONE)
    asked = chat.say("hóa đơn mới nhất")
    choices = [data for data in button_data(asked) if data.startswith("c:")]
    assert len(choices) == 2

    digression = chat.say("giá điện bậc 3 bao nhiêu")

    assert TARIFF_TIER_3 in text_of(digression)
    reminder = reminder_of(digression, texts.REMIND_CHOOSE_CUSTOMER)
    assert [button.data for button in reminder.buttons] == choices
    answered = chat.press(choices[1])
    with store.connect() as connection:
        code = connection.execute(
            select(Customer.customer_code).where(Customer.id == int(choices[1][2:]))
        ).scalar_one()
    assert texts.BILL_HEADER.split("{")[0] in text_of(answered)
    assert code in text_of(answered)


def test_a_typed_customer_code_answers_which_customer(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    codes = sorted(c.customer_code for c in demo_data.customers if c.phone == SHARED_PHONE)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(SHARED_PHONE)
    chat.say("hóa đơn mới nhất")
    chat.say("giá điện bậc 3 bao nhiêu")
    answered = text_of(chat.say(codes[0]))
    assert texts.BILL_HEADER.split("{")[0] in answered
    assert codes[0] in answered


def test_a_slot_question_is_answered_by_a_typed_value_after_a_digression(
    chat_factory: ChatFactory,
) -> None:
    chat = chat_factory(Channel.WEB, "visitor")
    asked = chat.say("tính tiền điện")
    digression = chat.say("giá điện bậc 3 bao nhiêu")
    reminder = reminder_of(digression, texts.REMIND_CALCULATOR)
    assert reminder.buttons == asked[-1].buttons
    answered = text_of(chat.say("500 nghìn"))  # alone, the NLU reads it as an alert threshold
    assert texts.CALC_INVERSE.split("{rate}")[0].format(money=format_money(500_000)) in answered


def test_a_slot_question_s_buttons_after_a_digression_end_the_reminders(
    chat_factory: ChatFactory,
) -> None:
    chat = chat_factory(Channel.WEB, "visitor")
    asked = chat.say("lịch cắt điện")
    area = next(data for data in button_data(asked) if data.startswith("outage:a"))
    assert texts.REMIND_OUTAGE_AREA in text_of(chat.say("giá điện bậc 3 bao nhiêu"))
    chat.press(area)
    assert texts.REMIND_OUTAGE_AREA not in text_of(chat.say("giá điện bậc 3 bao nhiêu"))


def test_a_question_expires(chat_factory: ChatFactory, config: object) -> None:
    chat = chat_factory(Channel.WEB, "visitor")
    chat.say("tính tiền điện")
    chat.later(timedelta(hours=1))
    assert texts.REMIND_CALCULATOR not in text_of(chat.say("giá điện bậc 3 bao nhiêu"))
