"""Linking a chat to its customers: who may link what, and nothing personal before it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func, select

from handlers import texts
from handlers.privacy import mask_phone
from handlers.types import ButtonKind, Channel, Reply, SendOneTimeCode
from meters.demo.model import DemoData
from meters.schema import ChatLink, ChatUser, Consent, ConversationLogEntry
from tests.handlers.conftest import FakeChat, button_data, text_of


def linked_codes(store: Engine, chat: FakeChat) -> set[str]:
    """The customer codes linked to the chat, read from the store."""
    from meters.schema import Customer

    with store.connect() as connection:
        rows = connection.execute(
            select(Customer.customer_code)
            .join(ChatLink, ChatLink.customer_id == Customer.id)
            .join(ChatUser, ChatUser.id == ChatLink.chat_user_id)
            .where(ChatUser.external_id == chat.user.external_id)
        )
        return {row[0] for row in rows}


def codes_of_phone(demo: DemoData, phone: str) -> set[str]:
    """Every customer code whose contract phone is `phone`, from the demo data."""
    return {c.customer_code for c in demo.customers if c.phone == phone}


def test_start_greets_and_offers_linking_by_phone_on_telegram(
    chat_factory: type[FakeChat],
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    replies = chat.say("/start")
    assert texts.GREETING.format(name="An") in text_of(replies)
    kinds = [button.kind for reply in replies for button in reply.buttons]
    assert ButtonKind.SHARE_CONTACT in kinds


def test_web_chat_offers_linking_by_code_only(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.WEB, "visitor")
    replies = chat.say("/start")
    kinds = [button.kind for reply in replies for button in reply.buttons]
    assert ButtonKind.SHARE_CONTACT not in kinds
    assert texts.LINK_HOW_CODE_ONLY in text_of(replies)


def test_own_contact_links_every_customer_of_that_phone(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    customer = demo_data.customers[0]
    chat = chat_factory(Channel.TELEGRAM, "111")
    replies = chat.share_contact("+84" + customer.phone[1:])
    assert linked_codes(store, chat) == codes_of_phone(demo_data, customer.phone)
    assert customer.customer_code in text_of(replies)
    assert texts.CONSENT_NOTICE in text_of(replies)


def test_another_persons_card_is_refused(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    replies = chat.share_contact(demo_data.customers[0].phone, owner="999")
    assert texts.CONTACT_NOT_OWN in text_of(replies)
    assert linked_codes(store, chat) == set()


def test_forwarded_card_and_group_card_are_refused(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    phone = demo_data.customers[0].phone
    assert texts.CONTACT_NOT_OWN in text_of(chat.share_contact(phone, forwarded=True))
    assert texts.CONTACT_NOT_PRIVATE in text_of(chat.share_contact(phone, private_chat=False))
    assert linked_codes(store, chat) == set()


def test_contact_is_not_proof_on_web_chat(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    chat = chat_factory(Channel.WEB, "visitor")
    chat.share_contact(demo_data.customers[0].phone)
    assert linked_codes(store, chat) == set()


def test_unknown_phone_links_nothing_and_masks_the_number(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    replies = chat.share_contact("0999000111")
    assert texts.CONTACT_NO_CUSTOMER.format(phone=mask_phone("0999000111")) in text_of(replies)


def test_customer_code_and_one_time_code_link_on_web(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    customer = demo_data.customers[3]
    chat = chat_factory(Channel.WEB, "visitor")
    replies = chat.say(f"liên kết mã khách hàng {customer.customer_code}")
    sent = chat.last_code()
    assert sent == SendOneTimeCode(customer.phone, "424242", customer.customer_code, Channel.WEB)
    assert texts.CODE_SENT.split("{")[0] in text_of(replies)
    assert customer.phone[-3:] not in text_of(replies)  # no digit of the phone before the proof
    assert mask_phone(customer.phone) not in text_of(replies)
    assert linked_codes(store, chat) == set()
    chat.say(sent.code)
    assert linked_codes(store, chat) == {customer.customer_code}


def test_an_unknown_customer_code_is_answered_as_a_found_one_and_sends_nothing(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    customer = demo_data.customers[3]
    known = {c.customer_code for c in demo_data.customers}
    unknown = next(
        code
        for code in (customer.customer_code[:-4] + f"{n:04d}" for n in range(10_000))
        if code not in known
    )
    found, missing = chat_factory(Channel.WEB, "a"), chat_factory(Channel.WEB, "b")
    asked = [
        chat.say(f"liên kết mã khách hàng {code}")
        for chat, code in ((found, customer.customer_code), (missing, unknown))
    ]
    assert asked[0] == asked[1]
    assert found.last_code().customer_code == customer.customer_code
    assert missing.effects == []
    for typed in ("000000", "111111"):  # wrong ones, then expiry: the same steps
        assert found.say(typed) == missing.say(typed)
    found.later(timedelta(minutes=6))
    missing.later(timedelta(minutes=6))
    assert found.say("424242") == missing.say("424242") == (Reply(texts.CODE_EXPIRED),)


def test_the_customer_code_sent_again_within_a_minute_keeps_the_code_on_its_way(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    customer = demo_data.customers[3]
    chat = chat_factory(Channel.WEB, "visitor")
    chat.say(f"liên kết mã khách hàng {customer.customer_code}")
    assert texts.CODE_WRONG.format(left=4) in text_of(chat.say("000000"))
    chat.later(timedelta(seconds=20))
    again = chat.say(customer.customer_code)  # the SMS is slow: the code typed once more
    assert texts.CODE_SENT.split("{")[0] in text_of(again)
    assert [effect for effect in chat.effects if isinstance(effect, SendOneTimeCode)] == [
        chat.last_code()
    ]  # no second SMS
    assert texts.CODE_WRONG.format(left=3) in text_of(chat.say("111111"))  # its tries go on
    chat.say("424242")
    assert linked_codes(store, chat) == {customer.customer_code}


def test_wrong_one_time_codes_run_out(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData, config: object
) -> None:
    customer = demo_data.customers[3]
    chat = chat_factory(Channel.ZALO, "z1")
    chat.say(customer.customer_code)  # not yet asked: a bare code is understood as linking
    chat.say(f"đăng ký mã khách hàng {customer.customer_code}")
    for left in (4, 3, 2, 1):
        assert texts.CODE_WRONG.format(left=left) in text_of(chat.say("000000"))
    assert texts.CODE_EXPIRED in text_of(chat.say("000000"))
    chat.say("424242")  # the right code, too late: the code is spent
    assert linked_codes(store, chat) == set()


def test_expired_one_time_code_does_not_link(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    customer = demo_data.customers[3]
    chat = chat_factory(Channel.WEB, "visitor")
    chat.say(f"liên kết {customer.customer_code}")
    chat.later(timedelta(minutes=6))
    assert texts.CODE_EXPIRED in text_of(chat.say("424242"))
    assert linked_codes(store, chat) == set()


def test_guessing_codes_is_slowed_down(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.WEB, "guesser")
    for number in range(5):
        chat.say(f"liên kết mã PE0400000{number:04d}")
    replies = chat.say("liên kết mã PE04000009999")
    assert "thử liên kết quá nhiều lần" in text_of(replies)
    assert chat.effects == []


def test_unlinked_chat_gets_no_personal_data(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    customer = demo_data.customers[0]
    chat = chat_factory(Channel.TELEGRAM, "stranger")
    replies = chat.say(f"tiền điện tháng trước của mã {customer.customer_code}")
    assert texts.CODE_NOT_LINKED.format(code=customer.customer_code) in text_of(replies)
    for personal in (customer.name, customer.address, customer.phone):
        assert personal not in text_of(replies)


def test_unlink_removes_the_link(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    customer = demo_data.customers[0]
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    codes = codes_of_phone(demo_data, customer.phone)
    replies = chat.say("/huy_lien_ket")
    if len(codes) > 1:
        chat.press(button_data(replies)[0])
    else:
        assert texts.UNLINKED.format(code=customer.customer_code) in text_of(replies)
    assert len(linked_codes(store, chat)) == len(codes) - 1


def test_forgetting_deletes_links_and_history_after_confirmation(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(demo_data.customers[0].phone)
    replies = chat.say("/xoa_du_lieu")
    assert "forget:yes" in button_data(replies)
    assert linked_codes(store, chat) != set()
    assert texts.FORGOTTEN in text_of(chat.press("forget:yes"))
    assert linked_codes(store, chat) == set()
    with store.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(ConversationLogEntry)).scalar()
            == 0
        )
        assert connection.execute(select(func.count()).select_from(ChatUser)).scalar() == 0


def test_consents_are_recorded_at_linking_and_withdrawable(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(demo_data.customers[0].phone)

    def active() -> set[str]:
        with store.connect() as connection:
            rows = connection.execute(
                select(Consent.purpose).where(Consent.withdrawn_at.is_(None))
            )
            return {row[0] for row in rows}

    assert active() == {"lookups", "daily", "alerts", "outages", "surveys"}
    replies = chat.press("consent:daily")
    assert texts.CONSENT_WITHDRAWN.format(purpose=texts.PURPOSE_NAMES["daily"]) in text_of(replies)
    assert "daily" not in active()
    chat.press("consent:daily")
    assert "daily" in active()
