"""The Telegram channel end to end: `dienbot run`'s app, the real PTB client, the real core."""

from __future__ import annotations

import pytest
from aiohttp import web

from handlers import texts
from handlers.format import format_money
from handlers.routes import INTENT_HANDLERS
from meters.demo.model import DemoData
from nlu import Intent
from tests.bot.telegram.conftest import customer_with_own_phone
from tests.bot.telegram.helpers import (
    all_text,
    inline_buttons,
    keyboard_buttons,
    reply_containing,
    settled,
    shown_text,
)
from tests.fakes.telegram_api import FakeTelegram

GROUP = -1001234567890


def international(phone: str) -> str:
    """How Telegram clients send a Vietnamese number: 84… without the leading 0."""
    return "84" + phone.removeprefix("0")


async def test_start_greets_with_the_menu_and_the_commands_are_published(
    tg: FakeTelegram, service: web.Application
) -> None:
    tg.add_user(111, "An")
    await tg.user_message(111, "/start")
    greeting = await reply_containing(tg, 111, "Xin chào An")
    await settled(tg, 111)
    messages = tg.bot_messages(111)
    assert any(inline_buttons(m) for m in messages), "the menu comes as inline buttons"
    share = [b for m in messages for b in keyboard_buttons(m) if b.get("request_contact")]
    assert share, "an unlinked chat is offered to share its phone number"
    assert greeting["chat"]["id"] == 111
    published = [c["command"] for c in tg.commands["default:"]]
    assert published == [
        "start",
        "menu",
        "lienket",
        "huy_lien_ket",
        "xoa_du_lieu",
        "nhanvien",
        "bot",
    ]
    assert all(c["description"] for c in tg.commands["default:"])


async def test_a_menu_button_press_is_answered_and_handled(
    tg: FakeTelegram, service: web.Application
) -> None:
    tg.add_user(111, "An")
    await tg.user_message(111, "/start")
    await settled(tg, 111)
    menu = next(m for m in reversed(tg.bot_messages(111)) if inline_buttons(m))
    button = inline_buttons(menu)[0]
    before = len(tg.bot_messages(111))
    query = await tg.press_button(111, button["callback_data"])
    await tg.wait_until(lambda: tg.callback_answers[query] is not None)
    await tg.wait_until(lambda: len(tg.bot_messages(111)) > before)
    assert shown_text(tg.bot_messages(111)[before])


async def test_sharing_ones_own_phone_links_the_customers_of_that_phone(
    tg: FakeTelegram, service: web.Application, demo_data: DemoData
) -> None:
    customer = customer_with_own_phone(demo_data)
    tg.add_user(222, "Bình", phone=international(customer.phone))
    await tg.user_message(222, "/start")
    await settled(tg, 222)
    before = len(tg.bot_messages(222))
    await tg.user_message(222, share_own_contact=True)
    linked = await reply_containing(tg, 222, customer.customer_code)
    assert "Đã liên kết" in all_text(tg, 222)
    await settled(tg, 222)
    after_card = tg.bot_messages(222)[before:]
    assert any(m.get("reply_markup") == {"remove_keyboard": True} for m in after_card) or any(
        keyboard_buttons(m) for m in after_card
    ), "the share keyboard is taken away once the card is in"
    assert linked["chat"]["type"] == "private"


@pytest.mark.skipif(
    Intent.BILL_QUERY not in INTENT_HANDLERS, reason="bill answers are not in the core yet"
)
async def test_a_linked_chat_gets_its_own_bill(
    tg: FakeTelegram, service: web.Application, demo_data: DemoData
) -> None:
    customer = customer_with_own_phone(demo_data)
    bills = sorted(
        (b for b in demo_data.bills if b.customer_code == customer.customer_code),
        key=lambda b: b.period_end,
    )
    tg.add_user(222, "Bình", phone=international(customer.phone))
    await tg.user_message(222, share_own_contact=True)
    await reply_containing(tg, 222, customer.customer_code)
    await tg.user_message(222, "hóa đơn tiền điện của tôi")
    await reply_containing(tg, 222, format_money(bills[-1].total))


@pytest.mark.skipif(
    Intent.USAGE_QUERY not in INTENT_HANDLERS, reason="usage answers are not in the core yet"
)
async def test_a_linked_chat_gets_its_own_usage(
    tg: FakeTelegram, service: web.Application, demo_data: DemoData
) -> None:
    customer = customer_with_own_phone(demo_data)
    tg.add_user(222, "Bình", phone=international(customer.phone))
    await tg.user_message(222, share_own_contact=True)
    await reply_containing(tg, 222, customer.customer_code)
    await tg.user_message(222, "hôm qua nhà tôi dùng bao nhiêu số điện")
    await reply_containing(tg, 222, "kWh")
    assert texts.LINK_NEEDED.split("{")[0] not in all_text(tg, 222)


@pytest.mark.parametrize("how", ["someone_elses_card", "forwarded_card", "card_in_a_group"])
async def test_a_card_that_proves_nothing_links_nothing(
    tg: FakeTelegram, service: web.Application, demo_data: DemoData, how: str
) -> None:
    customer = customer_with_own_phone(demo_data)
    phone = international(customer.phone)
    tg.add_user(333, "Chi", phone=phone)
    tg.add_user(444, "Dũng", phone=phone)
    await tg.user_message(333, "/start")
    await settled(tg, 333)
    chat = 333
    if how == "someone_elses_card":
        await tg.user_message(333, contact=(phone, 444))
        await reply_containing(tg, 333, texts.CONTACT_NOT_OWN[:40])
    elif how == "forwarded_card":
        await tg.user_message(333, contact=(phone, 333), forwarded_from=444)
        await reply_containing(tg, 333, texts.CONTACT_NOT_OWN[:40])
    else:
        tg.add_group(GROUP, "Hàng xóm")
        await tg.user_message(333, share_own_contact=True, chat_id=GROUP)
        chat = GROUP
        await reply_containing(tg, GROUP, texts.CONTACT_NOT_PRIVATE[:40])
    await settled(tg, 333)
    said = all_text(tg, 333) + all_text(tg, GROUP)
    assert customer.customer_code not in said
    assert customer.name not in said
    assert "Đã liên kết" not in said
    assert tg.bot_messages(chat)


async def test_an_unlinked_chat_asking_for_its_bill_gets_no_personal_data(
    tg: FakeTelegram, service: web.Application, demo_data: DemoData
) -> None:
    customer = customer_with_own_phone(demo_data)
    tg.add_user(555, "Em", phone=international(customer.phone))
    await tg.user_message(555, "tiền điện tháng này của nhà tôi bao nhiêu")
    await tg.user_message(555, f"hóa đơn của mã {customer.customer_code}")
    await settled(tg, 555)
    said = all_text(tg, 555)
    for someone in demo_data.customers:
        assert someone.name not in said
        assert someone.address not in said
        assert someone.phone not in said
    assert all(format_money(b.total) not in said for b in demo_data.bills)


async def test_a_photo_alone_is_answered_with_the_offer_of_an_agent(
    tg: FakeTelegram, service: web.Application
) -> None:
    tg.add_user(111, "An")
    await tg.user_message(111, photo=True)
    answer = await reply_containing(tg, 111, "Em chưa xem được ảnh")
    labels = [button["text"] for button in inline_buttons(answer)]
    assert texts.MENU_AGENT in labels
    assert "1900" in shown_text(answer)  # the hotline, for a hazard


async def test_a_photo_with_a_caption_is_answered_by_its_caption(
    tg: FakeTelegram, service: web.Application
) -> None:
    tg.add_user(111, "An")
    await tg.user_message(111, "đóng tiền điện ở đâu", photo=True)
    await settled(tg, 111)
    said = all_text(tg, 111)
    assert "Em chưa xem được" not in said
