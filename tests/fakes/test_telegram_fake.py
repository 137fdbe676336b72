"""The Bot API stand-in keeps Telegram's contract (checked with PTB's own Bot client)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import telegram as tg

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_state import RateLimits

MOMENT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(clock=lambda: MOMENT)  # a stopped clock: every message at MOMENT
    await server.start()
    server.add_user(111, "An", phone="+84901234567")
    await server.user_message(111, "/start")
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[tg.Bot]:
    client = tg.Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
    async with client:
        yield client


async def test_updates_come_in_order_and_an_offset_confirms_them(
    fake: FakeTelegram, bot: tg.Bot
) -> None:
    [start] = await bot.get_updates(timeout=0)
    assert start.message is not None
    assert start.message.text == "/start"
    assert start.message.date == MOMENT  # the stand-in's clock dates its messages
    assert start.message.entities[0].type == "bot_command"
    await fake.user_message(111, "hai")
    second = await bot.get_updates(offset=start.update_id + 1, timeout=0)
    assert [u.message.text for u in second if u.message] == ["hai"]


async def test_telegram_errors_have_telegrams_codes(fake: FakeTelegram, bot: tg.Bot) -> None:
    with pytest.raises(tg.error.BadRequest, match="Chat not found"):
        await bot.send_message(999, "x")
    with pytest.raises(tg.error.BadRequest, match="too long"):
        await bot.send_message(111, "x" * 4097)
    button = tg.InlineKeyboardButton("a", callback_data="đ" * 33)  # 66 bytes
    with pytest.raises(tg.error.BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(111, "x", reply_markup=tg.InlineKeyboardMarkup([[button]]))
    fake.add_user(222, "Bình")
    with pytest.raises(tg.error.Forbidden, match="initiate"):
        await bot.send_message(222, "x")
    await fake.block(111)
    with pytest.raises(tg.error.Forbidden, match="blocked by the user"):
        await bot.send_message(111, "x")
    with pytest.raises(tg.error.BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("cbq-404")


async def test_faults_fail_the_next_calls_then_stop(fake: FakeTelegram, bot: tg.Bot) -> None:
    fake.fail("sendMessage", 502, "Bad Gateway", times=2)
    for _ in range(2):
        with pytest.raises(tg.error.NetworkError):
            await bot.send_message(111, "x")
    assert (await bot.send_message(111, "x")).text == "x"


async def test_webhook_and_polling_exclude_each_other(fake: FakeTelegram, bot: tg.Bot) -> None:
    await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="abc")
    with pytest.raises(tg.error.Conflict):
        await bot.get_updates(timeout=0)
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0)


async def test_forum_topics_need_rights_and_carry_thread_ids(
    fake: FakeTelegram, bot: tg.Bot
) -> None:
    fake.add_group(-100, "Tổng đài", is_forum=True)
    with pytest.raises(tg.error.BadRequest, match=r"(?i)not enough rights"):
        await bot.create_forum_topic(-100, "Hồ sơ #1")
    fake.add_group(-100, "Tổng đài", is_forum=True, bot_is_admin=True, can_manage_topics=True)
    topic = await bot.create_forum_topic(-100, "Hồ sơ #1")
    sent = await bot.send_message(-100, "chào", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id
    assert await bot.close_forum_topic(-100, topic.message_thread_id)
    with pytest.raises(tg.error.BadRequest, match=r"(?i)topic_closed"):
        await bot.send_message(-100, "x", message_thread_id=topic.message_thread_id)


def test_the_rate_checker_rejects_or_records_on_a_virtual_clock() -> None:
    now = [0.0]
    strict = RateLimits(global_per_s=2, per_chat_per_s=1, group_per_min=3, clock=lambda: now[0])
    strict.check("sendMessage", 1)
    strict.check("sendMessage", 2)
    with pytest.raises(Exception, match="retry after 1") as refused:
        strict.check("sendMessage", 3)
    assert getattr(refused.value, "retry_after", None) == 1
    recorder = RateLimits(group_per_min=2, mode="record", clock=lambda: now[0])
    for second in range(4):
        now[0] = float(second)
        recorder.check("sendMessage", -100)
    assert [(v.rule, v.at) for v in recorder.violations] == [
        ("group_per_min", 2.0),
        ("group_per_min", 3.0),
    ]
    now[0] = 70.0
    recorder.check("sendMessage", -100)
    assert len(recorder.violations) == 2
