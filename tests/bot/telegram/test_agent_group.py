"""The Telegram agent group against the Bot API stand-in, with the real PTB application.

A customer's chat and the agents' forum group are both on the stand-in; the customer talks to
the real conversation runner, agents write in the case's topic. The group's flood budget runs
on a manual clock shared with the stand-in's limit checker, so a minute passes when the test
says so (no sleeps, nothing timed).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import time

import pytest
from sqlalchemy import Engine, select

from bot.app import build_app
from bot.case_deps import case_deps
from bot.config import ConfigError, load_settings
from bot.conversation import ConversationRunner
from bot.push.dispatch import telegram_dispatcher
from bot.telegram import TelegramChannel
from bot.telegram.agent_group import AgentGroup
from handlers import cases, texts
from handlers.context import ConversationConfig
from handlers.types import Channel, Update, UserRef
from meters.agent_store import SqlAgentStore
from meters.case_store import SqlCaseStore
from meters.database import create_store_engine, upgrade
from meters.schema import ChatUser, ConversationLogEntry, OutboxMessage
from meters.telegram_topic_store import SqlTelegramTopicStore
from tests.bot.telegram.conftest import MOMENT, ZONE, ServerFactory, settings_for
from tests.bot.telegram.helpers import reply_containing, shown_text
from tests.fakes.telegram_api import FakeTelegram

GROUP = -1001000000001
SECOND_GROUP = -1001000000002
CUSTOMER = 111
AGENT_USER = 501
STRANGER = 777
JsonObject = dict[str, object]


class ManualClock:
    """Monotonic seconds that move only when the test advances them; sleepers wait for it."""

    def __init__(self) -> None:
        self.seconds = 1000.0
        self._moved = asyncio.Event()

    def now(self) -> float:
        """The current reading."""
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        """Return once the clock has moved `seconds` on."""
        target = self.seconds + seconds
        while self.seconds < target:
            moved = self._moved
            await moved.wait()

    def advance(self, seconds: float) -> None:
        """Move the clock on and wake the sleepers."""
        self.seconds += seconds
        self._moved.set()
        self._moved = asyncio.Event()


@dataclass
class Desk:
    """The running pieces of one test."""

    tg: FakeTelegram
    engine: Engine
    runner: ConversationRunner
    channel: TelegramChannel
    group: AgentGroup
    clock: ManualClock
    agent_id: int


def forum(tg: FakeTelegram, chat_id: int, title: str = "CSKH trực tuyến") -> None:
    """A forum supergroup where the bot is an admin that may manage topics."""
    tg.add_group(chat_id, title, is_forum=True, bot_is_admin=True, can_manage_topics=True)


@pytest.fixture
def clock() -> ManualClock:
    """The clock of the groups' flood budget and of the stand-in's limit checker."""
    return ManualClock()


@pytest.fixture
def group_ids() -> tuple[int, ...]:
    """The configured agent groups."""
    return (GROUP,)


@pytest.fixture
async def desk(
    tg: FakeTelegram, demo_store: Engine, clock: ManualClock, group_ids: tuple[int, ...]
) -> AsyncIterator[Desk]:
    """Customer channel, runner and agent group(s) on the stand-in; one registered agent."""
    for chat_id in group_ids:
        forum(tg, chat_id)
    tg.add_user(CUSTOMER, "Khách")
    tg.add_user(AGENT_USER, "Lan")
    tg.add_user(STRANGER, "Người lạ")
    now = tg.clock()
    with demo_store.begin() as connection:
        agent_id = SqlAgentStore(connection).add_agent(
            username="lan",
            display_name="Lan",
            role="agent",
            unit=ConversationConfig(zone=ZONE).default_unit,  # the queue of unlinked chats
            password_hash="-",
            now=now,
        )
        SqlTelegramTopicStore(connection).link_agent(agent_id, AGENT_USER, now)
    config = ConversationConfig(zone=ZONE, agent_hours=(time.min, time.max))  # all day
    runner = ConversationRunner(demo_store, config)
    channel = TelegramChannel(
        tg.token, runner, api_url=tg.base_url, poll_timeout=1, clock=tg.clock
    )
    group = AgentGroup(
        channel.bot,
        group_ids,
        poll_seconds=0.05,
        clock=clock.now,
        sleep=clock.sleep,
        margin=0,
        now=tg.clock,
    )
    group.install(channel.application)
    await channel.start()
    await group.start(demo_store, config)
    runner.set_agent_notifier(group)
    yield Desk(tg, demo_store, runner, channel, group, clock, agent_id)
    await group.stop()
    await channel.stop()


def topic_messages(tg: FakeTelegram, chat_id: int, thread_id: int) -> list[JsonObject]:
    """The bot's posts in one topic (not the topic's creation notice)."""
    return [
        m
        for m in tg.bot_messages(chat_id)
        if m.get("message_thread_id") == thread_id and "forum_topic_created" not in m
    ]


def topics_of(tg: FakeTelegram, chat_id: int) -> list[int]:
    """The thread ids of the topics of a group."""
    return [thread for (chat, thread) in tg.topics if chat == chat_id]


async def open_case(desk: Desk, user_id: int = CUSTOMER, chat_id: int = GROUP) -> int:
    """The customer asks for a person; the new topic's thread id once its summary is posted."""
    before = set(topics_of(desk.tg, chat_id))
    await desk.tg.user_message(user_id, "/nhanvien")
    await reply_containing(desk.tg, user_id, "mã hồ sơ")
    await desk.tg.wait_until(
        lambda: any(
            topic_messages(desk.tg, chat_id, thread)
            for thread in set(topics_of(desk.tg, chat_id)) - before
        ),
        describe=lambda: f"a new topic with its summary in {chat_id}",
    )
    (thread,) = set(topics_of(desk.tg, chat_id)) - before
    return thread


async def in_topic(desk: Desk, thread_id: int, needle: str, chat_id: int = GROUP) -> JsonObject:
    """Wait for a bot post in a topic containing `needle`."""

    def found() -> JsonObject | None:
        return next(
            (m for m in topic_messages(desk.tg, chat_id, thread_id) if needle in shown_text(m)),
            None,
        )

    await desk.tg.wait_until(
        lambda: found() is not None,
        describe=lambda: (
            f"{needle!r} in topic {thread_id}: "
            f"{[shown_text(m) for m in topic_messages(desk.tg, chat_id, thread_id)]}"
        ),
    )
    message = found()
    assert message is not None
    return message


async def agent_says(desk: Desk, thread_id: int, said: str, user_id: int = AGENT_USER) -> None:
    """A group member writes in a topic."""
    await desk.tg.user_message(user_id, said, chat_id=GROUP, message_thread_id=thread_id)


def case_code(desk: Desk) -> str:
    """The code of the customer's open case."""
    with desk.engine.connect() as connection:
        chat = connection.execute(
            select(ChatUser.id).where(ChatUser.external_id == str(CUSTOMER))
        ).scalar_one()
        case = SqlCaseStore(connection).open_case_of_chat(chat)
    assert case is not None
    return case.code


async def test_a_new_case_gets_a_topic_with_its_summary(desk: Desk) -> None:
    await desk.tg.user_message(CUSTOMER, "gọi cho tôi số 0903123456 nhé")
    thread = await open_case(desk)
    code = case_code(desk)
    topic = desk.tg.topics[(GROUP, thread)]
    assert topic.name.startswith(code)
    [summary] = topic_messages(desk.tg, GROUP, thread)
    text = shown_text(summary)
    assert f"Hồ sơ {code}" in text
    assert "0903123456" not in text  # the transcript is masked
    assert "*******456" in text
    assert "/nhanvien" in text  # the transcript so far


async def test_customer_messages_are_relayed_into_the_topic(desk: Desk) -> None:
    thread = await open_case(desk)
    await desk.tg.user_message(CUSTOMER, "Nhà tôi mất điện từ sáng, số 0912345678")
    relayed = await in_topic(desk, thread, "mất điện từ sáng")
    assert "0912345678" not in shown_text(relayed)
    assert desk.tg.bot_messages(CUSTOMER)[-1]["text"] != shown_text(relayed)


async def test_a_photo_the_customer_sends_is_copied_into_the_topic_protected(
    desk: Desk,
) -> None:
    thread = await open_case(desk)
    answered = len(desk.tg.bot_messages(CUSTOMER))
    sent = await desk.tg.user_message(CUSTOMER, "công tơ nhà tôi quay nhanh", photo=True)
    line = await in_topic(desk, thread, "[ảnh] công tơ nhà tôi quay nhanh")
    await desk.tg.wait_until(
        lambda: any("photo" in m for m in topic_messages(desk.tg, GROUP, thread)),
        describe=lambda: f"the photo in topic {thread}",
    )
    posts = topic_messages(desk.tg, GROUP, thread)
    [copied] = [m for m in posts if "photo" in m]
    assert copied["photo"] == sent["photo"]
    assert copied.get("has_protected_content") is True  # seen in the group, not forwarded
    assert posts.index(line) < posts.index(copied)
    # A person has the chat: the bot only acknowledges (its place in the queue or the hours).
    [acknowledged] = desk.tg.bot_messages(CUSTOMER)[answered:]
    assert acknowledged["text"].startswith(texts.WAITING_POSITION.split(" (")[0])


async def test_an_agent_reply_reaches_the_customer_and_the_log(
    desk: Desk, sqlite_url: str
) -> None:
    thread = await open_case(desk)
    await agent_says(desk, thread, "Chào anh, em là Lan, em kiểm tra ngay ạ.")
    await agent_says(desk, thread, "/note đã gọi lại")
    await in_topic(desk, thread, texts.AGENT_GROUP_NOTE_SAVED)  # updates of a group: in order
    with desk.engine.connect() as connection:
        queued = connection.execute(
            select(OutboxMessage.kind, OutboxMessage.payload).where(
                OutboxMessage.kind == "agent_reply"
            )
        ).all()
        logged = connection.execute(
            select(ConversationLogEntry.text).where(ConversationLogEntry.direction == "out")
        ).scalars()
        assert "Chào anh, em là Lan, em kiểm tra ngay ạ." in list(logged)
    assert [payload["text"] for _, payload in queued] == [
        "Chào anh, em là Lan, em kiểm tra ngay ạ."
    ]
    async with telegram_dispatcher(desk.engine, settings_for(desk.tg, sqlite_url)) as push:
        await push.run(asyncio.Event(), until_empty=True)
    received = await reply_containing(desk.tg, CUSTOMER, "em là Lan")
    assert received["text"] == texts.AGENT_SIGNED.format(
        agent="Lan", text="Chào anh, em là Lan, em kiểm tra ngay ạ."
    )  # the customer sees who writes


def agent_replies(desk: Desk) -> list[dict[str, object]]:
    """The payloads of the agents' replies queued so far."""
    with desk.engine.connect() as connection:
        return list(
            connection.execute(
                select(OutboxMessage.payload).where(OutboxMessage.kind == "agent_reply")
            ).scalars()
        )


async def test_an_agent_photo_reaches_a_telegram_customer_as_a_copy(
    desk: Desk, sqlite_url: str
) -> None:
    thread = await open_case(desk)
    posted = await desk.tg.user_message(
        AGENT_USER, "Số công tơ nằm ở ô này ạ", chat_id=GROUP, message_thread_id=thread, photo=True
    )
    await desk.tg.wait_until(lambda: agent_replies(desk), describe=lambda: "the agent's reply")
    [payload] = agent_replies(desk)
    assert payload == {
        "text": "Số công tơ nằm ở ô này ạ",
        "copy_from": f"telegram:{GROUP}:{posted['message_id']}",
        "author": "Lan",
    }
    async with telegram_dispatcher(desk.engine, settings_for(desk.tg, sqlite_url)) as push:
        await push.run(asyncio.Event(), until_empty=True)
    received = desk.tg.bot_messages(CUSTOMER)[-1]
    assert received["photo"] == posted["photo"]
    assert received["caption"] == texts.AGENT_SIGNED.format(
        agent="Lan", text="Số công tơ nằm ở ô này ạ"
    )
    with desk.engine.connect() as connection:
        case = SqlCaseStore(connection).case(case_code(desk))
        assert case is not None
        last = SqlCaseStore(connection).messages(case.id)[-1]
    assert (last.author, last.text) == ("agent", "[ảnh] Số công tơ nằm ở ô này ạ")


async def test_an_agent_file_for_a_customer_off_telegram_is_refused(desk: Desk) -> None:
    before = set(topics_of(desk.tg, GROUP))
    zalo = UserRef(Channel.ZALO, "zalo-user-1")
    await desk.runner.handle(Update(user=zalo, received_at=desk.tg.clock(), text="/nhanvien"))
    desk.group.wake()
    await desk.tg.wait_until(
        lambda: any(
            topic_messages(desk.tg, GROUP, t) for t in set(topics_of(desk.tg, GROUP)) - before
        ),
        describe=lambda: "the Zalo customer's topic",
    )
    (thread,) = set(topics_of(desk.tg, GROUP)) - before
    await desk.tg.user_message(
        AGENT_USER, "ảnh hướng dẫn", chat_id=GROUP, message_thread_id=thread, photo=True
    )
    await in_topic(desk, thread, texts.AGENT_FILE_TELEGRAM_ONLY)
    assert agent_replies(desk) == []


async def test_a_member_who_is_not_an_agent_is_ignored(desk: Desk) -> None:
    thread = await open_case(desk)
    await agent_says(desk, thread, "Tôi trả lời hộ nhé", user_id=STRANGER)
    await agent_says(desk, thread, "/note kiểm tra")
    await in_topic(desk, thread, texts.AGENT_GROUP_NOTE_SAVED)
    with desk.engine.connect() as connection:
        replies = connection.execute(
            select(OutboxMessage.id).where(OutboxMessage.kind == "agent_reply")
        ).all()
        strangers = connection.execute(
            select(ChatUser.id).where(ChatUser.external_id == str(STRANGER))
        ).all()
    assert replies == []
    assert strangers == []  # never reached the customer conversation either
    assert desk.tg.bot_messages(STRANGER) == []


async def test_claim_and_close_from_the_topic(desk: Desk) -> None:
    thread = await open_case(desk)
    code = case_code(desk)
    await agent_says(desk, thread, "/claim")
    await in_topic(desk, thread, texts.AGENT_GROUP_CLAIMED.format(agent="Lan", code=code))
    await agent_says(desk, thread, "/close xong")
    await in_topic(desk, thread, "Cú pháp: /close")
    await agent_says(desk, thread, "/close 1")
    await in_topic(desk, thread, f"Hồ sơ {code} đã đóng")
    await desk.tg.wait_until(lambda: desk.tg.topics[(GROUP, thread)].closed)
    with desk.engine.connect() as connection:
        case = SqlCaseStore(connection).case(code)
    assert case is not None
    assert not case.open
    assert case.resolution == "resolved"


async def test_a_transfer_made_in_the_web_console_is_announced_in_the_topic(desk: Desk) -> None:
    thread = await open_case(desk)
    code = case_code(desk)
    config = ConversationConfig(zone=ZONE)
    now = desk.tg.clock()
    with desk.engine.begin() as connection:  # what the console's transfer button does
        agents = SqlAgentStore(connection)
        minh = agents.add_agent(
            username="minh",
            display_name="Minh",
            role="agent",
            unit=config.default_unit,
            password_hash="-",
            now=now,
        )
        lan = agents.agent(desk.agent_id)
        assert lan is not None
        cases.transfer(case_deps(connection, config, now), lan, code, to_agent_id=minh)
    desk.group.wake()
    announced = await in_topic(desk, thread, "Lan chuyển hồ sơ cho Minh")
    assert shown_text(announced).startswith("📌 ")
    await agent_says(desk, thread, "/note đã gọi lại")
    await in_topic(desk, thread, texts.AGENT_GROUP_NOTE_SAVED)
    await desk.tg.user_message(CUSTOMER, "còn ai ở đó không")
    await in_topic(desk, thread, "còn ai ở đó không")
    posts = [shown_text(m) for m in topic_messages(desk.tg, GROUP, thread)]
    assert sum("chuyển hồ sơ" in post for post in posts) == 1  # announced once
    assert not any(post.startswith("📌") and "đã gọi lại" in post for post in posts)


async def test_a_burst_stays_within_twenty_posts_a_minute_and_loses_nothing(
    desk: Desk, clock: ManualClock
) -> None:
    limits = desk.tg.set_limits(
        group_per_min=20, global_per_s=None, per_chat_per_s=None, mode="record", clock=clock.now
    )
    thread = await open_case(desk)
    user = UserRef(Channel.TELEGRAM, str(CUSTOMER), "Khách")
    for number in range(30):
        said = Update(user=user, received_at=desk.tg.clock(), text=f"tin nhắn số {number:02d}")
        await desk.runner.handle(said)
        await desk.group.poll_once()  # each line is queued on its own: 18 fit in the minute
    clock.advance(61)

    def relayed() -> str:
        return "\n".join(shown_text(m) for m in topic_messages(desk.tg, GROUP, thread))

    await desk.tg.wait_until(
        lambda: all(f"tin nhắn số {number:02d}" in relayed() for number in range(30)),
        describe=lambda: f"all 30 lines in the topic; got {relayed()!r}",
    )
    assert limits.violations == []
    assert all(relayed().count(f"tin nhắn số {number:02d}") == 1 for number in range(30))
    posts = topic_messages(desk.tg, GROUP, thread)
    assert len(posts) < 1 + 30  # the summary and fewer posts than lines: batched
    assert desk.group.senders[GROUP].window.in_last_period() <= 20


@pytest.mark.parametrize("group_ids", [(GROUP, SECOND_GROUP)])
async def test_two_groups_share_the_cases(desk: Desk) -> None:
    desk.tg.add_user(112, "Khách hai")
    await open_case(desk, CUSTOMER, GROUP)
    await open_case(desk, 112, SECOND_GROUP)
    assert len(topics_of(desk.tg, GROUP)) == 1
    assert len(topics_of(desk.tg, SECOND_GROUP)) == 1


def test_agents_telegram_links_an_account(sqlite_url: str) -> None:
    from bot.cli import main

    engine = create_store_engine(sqlite_url)
    upgrade(engine)
    with engine.begin() as connection:
        agent_id = SqlAgentStore(connection).add_agent(
            username="lan",
            display_name="Lan",
            role="agent",
            unit=None,
            password_hash="-",
            now=MOMENT,
        )
    assert main(["agents", "telegram", "lan", "501", "--database", sqlite_url]) == 0
    with engine.connect() as connection:
        assert SqlTelegramTopicStore(connection).agent_of(501) == agent_id
    assert main(["agents", "telegram", "lan", "--remove", "--database", sqlite_url]) == 0
    assert main(["agents", "telegram", "nobody", "502", "--database", sqlite_url]) != 0
    with engine.connect() as connection:
        assert SqlTelegramTopicStore(connection).agent_of(501) is None
    engine.dispose()


def test_several_agent_groups_are_configured() -> None:
    settings = load_settings(
        {"DIENBOT_TELEGRAM_AGENT_CHAT_ID": f"{GROUP}, {SECOND_GROUP}"}, env_file=None
    )
    assert settings.telegram_agent_chat_id == (GROUP, SECOND_GROUP)
    with pytest.raises(ConfigError, match="negative"):
        load_settings({"DIENBOT_TELEGRAM_AGENT_CHAT_ID": "12345"}, env_file=None)


async def test_the_service_runs_the_agent_group_when_configured(
    tg: FakeTelegram, demo_store: Engine, sqlite_url: str, aiohttp_server: ServerFactory
) -> None:
    forum(tg, GROUP)
    tg.add_user(CUSTOMER, "Khách")
    settings = settings_for(tg, sqlite_url, telegram_agent_chat_id=str(GROUP))
    await aiohttp_server(build_app(settings))
    await tg.user_message(CUSTOMER, "/nhanvien")
    await tg.wait_until(
        lambda: any(topic_messages(tg, GROUP, thread) for thread in topics_of(tg, GROUP)),
        describe=lambda: f"a topic with its summary; group: {tg.bot_messages(GROUP)}",
    )
    await reply_containing(tg, CUSTOMER, "mã hồ sơ")
