"""The channel over a scripted conversation: what reaches the core, what reaches Telegram."""

from __future__ import annotations

import logging
import struct
import zlib

import pytest

from bot.telegram import TelegramChannel
from handlers import texts
from handlers.types import Button, ButtonKind, Image, Location, Reply, SharedContact
from tests.bot.telegram.conftest import Scripted
from tests.bot.telegram.helpers import inline_buttons, keyboard_buttons, reply_containing
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_state import BLOCKED, utf16_length

GROUP = -1009876543210


def png(width: int, height: int) -> bytes:
    """A valid PNG of the given size (one grey pixel row repeated)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_a_message_reaches_the_core_as_a_channel_neutral_update(
    tg: FakeTelegram, channel: TelegramChannel, scripted: Scripted
) -> None:
    tg.add_user(111, "An", last_name="Nguyễn")
    sent = await tg.user_message(111, "xin chào")
    await tg.wait_bot_messages(111, 1)
    [update] = scripted.seen
    assert update.text == "xin chào"
    assert update.user.external_id == "111"
    assert update.user.display_name == "An Nguyễn"
    assert update.user.channel == "telegram"
    assert update.private_chat
    assert not update.forwarded
    assert update.received_at.utcoffset() is not None
    assert update.message_id == f"111:{sent['message_id']}"


async def test_cards_places_forwards_and_groups_are_described_faithfully(
    tg: FakeTelegram, channel: TelegramChannel, scripted: Scripted
) -> None:
    tg.add_user(111, "An", phone="84901234567")
    tg.add_user(222, "Bình")
    tg.add_group(GROUP, "Tổ dân phố")
    await tg.user_message(111, share_own_contact=True)
    await tg.user_message(111, contact=("0907654321", 222))
    await tg.user_message(111, contact=("0907654321", None))
    await tg.user_message(111, contact=("84901234567", 111), forwarded_from=222)
    await tg.user_message(111, location=(10.7769, 106.7009))
    await tg.user_message(111, share_own_contact=True, chat_id=GROUP)
    await tg.wait_bot_messages(111, 5)
    await tg.wait_bot_messages(GROUP, 1)
    own, other, anonymous, forwarded, place = [u for u in scripted.seen if u.private_chat]
    [in_group] = [u for u in scripted.seen if not u.private_chat]  # chats run in parallel
    assert own.contact == SharedContact("84901234567", "111")
    assert own.private_chat
    assert not own.forwarded
    assert other.contact == SharedContact("0907654321", "222")
    assert anonymous.contact == SharedContact("0907654321", None)
    assert forwarded.forwarded
    assert place.location == Location(10.7769, 106.7009)
    assert in_group.contact == SharedContact("84901234567", "111")
    assert not in_group.private_chat


async def test_a_button_press_is_answered_and_reaches_the_core(
    tg: FakeTelegram, channel: TelegramChannel, scripted: Scripted
) -> None:
    tg.add_user(111, "An")
    scripted.replies = (Reply("Chọn:", (Button("Hóa đơn", "i:bill_query"),)),)
    await tg.user_message(111, "menu")
    [menu] = await tg.wait_bot_messages(111, 1)
    assert inline_buttons(menu) == [{"text": "Hóa đơn", "callback_data": "i:bill_query"}]
    scripted.replies = (Reply("Hóa đơn tháng 10"),)
    query = await tg.press_button(111, "i:bill_query")
    [answer] = await tg.wait_bot_messages(111, 1)
    assert answer["text"] == "Hóa đơn tháng 10"
    assert tg.callback_answers[query] is not None
    press = scripted.seen[-1]
    assert press.callback_data == "i:bill_query"
    assert press.text == ""
    assert press.message_id == f"cb:{query}"


async def test_long_replies_are_split_on_line_boundaries_and_buttons_go_last(
    tg: FakeTelegram, channel: TelegramChannel, scripted: Scripted
) -> None:
    lines = [f"Ngày {day:02d}: {'điện năng ' * 9}{day} kWh" for day in range(1, 61)]
    scripted.replies = (Reply("\n".join(lines), (Button("Menu", "i:help"),)),)
    tg.add_user(111, "An")
    await tg.user_message(111, "lịch sử")
    first, second = await tg.wait_bot_messages(111, 2)
    assert all(utf16_length(m["text"]) <= 4096 for m in (first, second))
    assert first["text"].split("\n") + second["text"].split("\n") == lines
    assert "reply_markup" not in first
    assert inline_buttons(second) == [{"text": "Menu", "callback_data": "i:help"}]


async def test_share_buttons_become_a_one_time_keyboard(
    tg: FakeTelegram, channel: TelegramChannel, scripted: Scripted
) -> None:
    scripted.replies = (
        Reply(
            "Liên kết",
            (
                Button(texts.BUTTON_SHARE_PHONE, kind=ButtonKind.SHARE_CONTACT),
                Button("Gửi vị trí", kind=ButtonKind.SHARE_LOCATION),
            ),
        ),
    )
    tg.add_user(111, "An")
    await tg.user_message(111, "liên kết")
    [message] = await tg.wait_bot_messages(111, 1)
    phone, place = keyboard_buttons(message)
    assert phone["request_contact"] is True
    assert place["request_location"] is True
    assert message["reply_markup"]["one_time_keyboard"] is True


async def test_an_image_goes_as_a_photo_with_its_caption_and_the_rest_as_text(
    tg: FakeTelegram, channel: TelegramChannel, scripted: Scripted
) -> None:
    picture = png(40, 30)
    caption = "\n".join(f"Tuần {week}: {'x' * 60}" for week in range(30))
    scripted.replies = (Reply("Xem thêm bên dưới", image=Image(picture, caption)),)
    tg.add_user(111, "An")
    await tg.user_message(111, "biểu đồ")
    photo, rest = await tg.wait_bot_messages(111, 2)
    [size] = photo["photo"]
    assert (size["width"], size["height"]) == (40, 30)
    assert tg.file_bytes(size["file_id"]) == picture
    assert utf16_length(photo["caption"]) <= 1024
    assert (photo["caption"] + "\n" + rest["text"]).split("\n") == [
        *caption.split("\n"),
        "Xem thêm bên dưới",
    ]


async def test_replies_in_a_forum_topic_stay_in_the_topic(
    tg: FakeTelegram, channel: TelegramChannel
) -> None:
    tg.add_user(111, "An")
    tg.add_group(GROUP, "Tổng đài", is_forum=True, bot_is_admin=True, can_manage_topics=True)
    topic = await channel.bot.create_forum_topic(GROUP, "Hồ sơ #12")
    await tg.user_message(111, "chào", chat_id=GROUP, message_thread_id=topic.message_thread_id)
    [reply] = await tg.wait_bot_messages(GROUP, 1)
    assert reply["message_thread_id"] == topic.message_thread_id


async def test_a_chat_that_blocked_the_bot_is_logged_and_the_channel_goes_on(
    tg: FakeTelegram, channel: TelegramChannel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram")
    tg.add_user(111, "An")
    tg.add_user(222, "Bình")
    await tg.user_message(111, "xin chào")  # sent just before blocking the bot
    await tg.block(111)
    await tg.wait_until(lambda: any(c.status == 403 for c in tg.calls_of("sendMessage")))
    await tg.user_message(222, "xin chào")
    await tg.wait_bot_messages(222, 1)
    refused = [r for r in caplog.records if BLOCKED in r.getMessage()]
    assert refused
    assert all(r.levelno == logging.INFO for r in refused)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert tg.bot_messages(111) == []


async def test_a_flood_429_is_waited_out_and_retried(
    tg: FakeTelegram, channel: TelegramChannel
) -> None:
    tg.add_user(111, "An")
    tg.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await tg.user_message(111, "xin chào")
    [reply] = await tg.wait_bot_messages(111, 1)
    assert reply["text"] == "ok"
    assert [c.status for c in tg.calls_of("sendMessage")] == [429, 200]


async def test_a_failing_conversation_is_logged_and_apologised_for(
    tg: FakeTelegram,
    channel: TelegramChannel,
    scripted: Scripted,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scripted.error = RuntimeError("the store is on fire")
    tg.add_user(111, "An")
    await tg.user_message(111, "xin chào")
    [apology] = await tg.wait_bot_messages(111, 1)
    assert apology["text"] == texts.SORRY
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None
    assert "the store is on fire" in str(record.exc_info[1])
    scripted.error = None
    await tg.user_message(111, "lại nhé")
    [reply] = await tg.wait_bot_messages(111, 1)
    assert reply["text"] == "ok"


async def test_updates_of_one_chat_are_answered_in_order(
    tg: FakeTelegram, channel: TelegramChannel, scripted: Scripted
) -> None:
    class Echo(Scripted):
        async def handle(self, update, *, receipt=None):  # type: ignore[no-untyped-def]
            return (Reply(f"1/{update.text}"), Reply(f"2/{update.text}"))

    channel._conversation = Echo()
    tg.add_user(111, "An")
    for number in range(5):
        await tg.user_message(111, str(number))
    replies = await tg.wait_bot_messages(111, 10)
    assert [m["text"] for m in replies] == [f"{n}/{i}" for i in range(5) for n in (1, 2)]


async def test_edits_and_other_bots_commands_are_ignored(
    tg: FakeTelegram, channel: TelegramChannel, scripted: Scripted
) -> None:
    tg.add_user(111, "An")
    tg.add_group(GROUP, "Tổ dân phố")
    await tg.user_message(111, "/start@another_bot", chat_id=GROUP)
    await tg.user_message(111, f"/start@{tg.bot['username']}", chat_id=GROUP)
    await reply_containing(tg, GROUP, "ok")
    assert [u.text for u in scripted.seen] == [f"/start@{tg.bot['username']}"]
