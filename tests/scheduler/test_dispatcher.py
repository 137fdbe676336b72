"""The dispatcher against the local Bot API stand-in with Telegram's flood limits switched on."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, func, select, update

from bot.push.http1 import Http1Client
from bot.push.telegram_sender import TelegramPushSender, api_origin
from handlers.format import format_kwh
from meters.chat_store import SqlChatStore
from meters.outbox_records import NewMessage
from meters.outbox_store import SqlOutboxStore
from meters.repository import SqlMeterRepository
from meters.schema import ChatUser, OutboxMessage, Subscription
from meters.usage import UsageService
from scheduler.dispatcher import Dispatcher
from scheduler.fanout import fan_out_daily
from scheduler.window import DeliveryWindow
from tests.clock import running_from
from tests.fakes.telegram_api import FakeTelegram
from tests.scheduler.conftest import WINDOW, YESTERDAY, ZONE, Subscriber, subscribe_all

TOKEN = "123456:PUSH"
RATE = 80.0  # per second: fast enough for tests, under the stand-in's limit below
LIMIT = 100  # the stand-in's global limit per second (reject mode: over it answers 429)
SEND_DAY = YESTERDAY + timedelta(days=1)
SENDING_TIME = datetime.combine(SEND_DAY, WINDOW.start, tzinfo=ZONE) + timedelta(hours=1)


# A clock that runs at real speed from 08:00 on the send day (inside the window).
clock = running_from(SENDING_TIME)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    """The Bot API stand-in, rejecting anything over Telegram's flood limits."""
    fake = FakeTelegram(token=TOKEN, clock=clock)
    await fake.start()
    fake.set_limits(global_per_s=LIMIT, per_chat_per_s=1, mode="reject")
    yield fake
    await fake.stop()


@pytest.fixture
async def session(telegram: FakeTelegram) -> AsyncIterator[Http1Client]:
    """The sender's HTTP client, to the stand-in."""
    client = Http1Client(api_origin(telegram.base_url))
    yield client
    await client.close()


def queue_daily(store: Engine, telegram: FakeTelegram) -> list[Subscriber]:
    """Subscribe every demo customer, register their chats with the stand-in, fan out."""
    subscribers = subscribe_all(store)
    for subscriber in subscribers:
        telegram.add_user(subscriber.telegram_id).started = True  # they wrote to the bot
    window = DeliveryWindow(WINDOW.start, WINDOW.end, ZONE)
    fan_out_daily(store, YESTERDAY, window, SENDING_TIME - timedelta(hours=3))
    return subscribers


def dispatcher(
    store: Engine, telegram: FakeTelegram, session: Http1Client, worker: str = "w1"
) -> Dispatcher:
    """A dispatcher of the Telegram bucket at RATE."""
    sender = TelegramPushSender(session, telegram.base_url, TOKEN)
    return Dispatcher(
        store, "telegram", RATE, sender, worker=worker, poll_seconds=0.05, clock=clock
    )


def statuses(store: Engine) -> Counter[str]:
    """How many outbox messages are in each status."""
    with store.connect() as connection:
        return Counter(row[0] for row in connection.execute(select(OutboxMessage.status)))


def sent_counts(telegram: FakeTelegram, subscribers: list[Subscriber]) -> Counter[int]:
    """How many messages each subscriber's chat received."""
    return Counter({s.telegram_id: len(telegram.bot_messages(s.telegram_id)) for s in subscribers})


async def test_every_subscriber_gets_exactly_one_message(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    stats = await dispatcher(store, telegram, session).run(asyncio.Event(), until_empty=True)
    assert stats.sent == len(subscribers)
    assert set(sent_counts(telegram, subscribers).values()) == {1}
    assert statuses(store) == Counter({"sent": len(subscribers)})
    assert [c for c in telegram.calls_of("sendMessage") if c.status == 429] == []


async def test_the_message_says_yesterdays_use_and_offers_to_stop(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    await dispatcher(store, telegram, session).run(asyncio.Event(), until_empty=True)
    with store.connect() as connection:
        usage = UsageService(SqlMeterRepository(connection))
        used = {
            s.customer_id: usage.on_date(s.customer_code, YESTERDAY).used_wh for s in subscribers
        }
    for subscriber in subscribers:
        [message] = telegram.bot_messages(subscriber.telegram_id)
        assert format_kwh(used[subscriber.customer_id]) in message["text"]
        buttons = message["reply_markup"]["inline_keyboard"]
        assert buttons[0][0]["callback_data"] == "unsub:daily_usage"


async def test_two_dispatchers_share_the_work_and_the_rate(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    first = dispatcher(store, telegram, session, "w1")
    second = dispatcher(store, telegram, session, "w2")
    stop = asyncio.Event()
    stats = await asyncio.gather(
        first.run(stop, until_empty=True), second.run(stop, until_empty=True)
    )
    assert sum(s.sent for s in stats) == len(subscribers)
    assert set(sent_counts(telegram, subscribers).values()) == {1}
    assert [c for c in telegram.calls_of("sendMessage") if c.status == 429] == []


async def test_a_message_held_back_for_its_chats_gap_goes_in_a_later_batch_without_requeuing(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    first = subscribers[0]
    with store.begin() as connection:  # an alert to the same chat, ahead of its daily message
        SqlOutboxStore(connection).enqueue(
            [
                NewMessage(
                    dedup_key=f"threshold:{first.customer_id}:test",
                    kind="threshold",
                    channel="telegram",
                    bucket="telegram",
                    chat_user_id=first.chat_user_id,
                    customer_id=first.customer_id,
                    payload={"text": "Cảnh báo: hôm qua nhà bạn dùng quá 30 kWh."},
                    not_before=clock() - timedelta(minutes=1),
                    expires_at=None,
                )
            ],
            clock(),
        )

    stats = await dispatcher(store, telegram, session).run(asyncio.Event(), until_empty=True)

    assert len(telegram.bot_messages(first.telegram_id)) == 2
    assert set(sent_counts(telegram, subscribers[1:]).values()) == {1}
    assert stats.held >= 1  # the daily message waited for the chat's 1-second gap …
    assert stats.released == 0  # … in memory, not back in the queue
    assert statuses(store) == Counter({"sent": len(subscribers) + 1})


def queued_for(store: Engine, subscriber: Subscriber) -> int:
    with store.connect() as connection:
        return connection.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.chat_user_id == subscriber.chat_user_id)
        ).scalar_one()


async def test_forgetting_a_chat_deletes_its_queued_messages(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    forgotten = subscribers[0]
    assert queued_for(store, forgotten) == 1
    with store.begin() as connection:
        SqlChatStore(connection).forget_chat(forgotten.chat_user_id)

    assert queued_for(store, forgotten) == 0
    await dispatcher(store, telegram, session).run(asyncio.Event(), until_empty=True)
    assert telegram.bot_messages(forgotten.telegram_id) == []
    assert set(sent_counts(telegram, subscribers[1:]).values()) == {1}


async def test_a_message_queued_for_a_chat_forgotten_meanwhile_is_deleted_unsent(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    forgotten = subscribers[0]
    with store.begin() as connection:  # as if a fan-out page committed after the forgetting
        connection.execute(delete(ChatUser).where(ChatUser.id == forgotten.chat_user_id))

    stats = await dispatcher(store, telegram, session).run(asyncio.Event(), until_empty=True)

    assert telegram.bot_messages(forgotten.telegram_id) == []
    assert queued_for(store, forgotten) == 0
    assert stats.sent == len(subscribers) - 1
    assert statuses(store) == Counter({"sent": len(subscribers) - 1})


async def test_a_429_pauses_the_bucket_without_counting_an_attempt(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    telegram.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    stats = await dispatcher(store, telegram, session).run(asyncio.Event(), until_empty=True)
    assert stats.rate_limited == 1
    assert set(sent_counts(telegram, subscribers).values()) == {1}
    with store.connect() as connection:
        attempts = set(connection.execute(select(OutboxMessage.attempts)).scalars())
    assert attempts == {0}


async def test_a_blocked_chat_is_unsubscribed(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    blocked = subscribers[0]
    await telegram.block(blocked.telegram_id)
    stats = await dispatcher(store, telegram, session).run(asyncio.Event(), until_empty=True)
    assert stats.unreachable == 1
    with store.connect() as connection:
        active = connection.execute(
            select(Subscription.active).where(Subscription.chat_user_id == blocked.chat_user_id)
        ).scalar_one()
    assert active is False
    assert statuses(store) == Counter({"sent": len(subscribers) - 1, "failed": 1})


async def test_a_server_error_is_retried_later_with_backoff(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    telegram.fail("sendMessage", 502, "Bad Gateway")
    one = dispatcher(store, telegram, session)
    await one.run_batch()
    with store.connect() as connection:
        retried = connection.execute(
            select(OutboxMessage.attempts, OutboxMessage.not_before, OutboxMessage.status).where(
                OutboxMessage.attempts > 0
            )
        ).all()
    assert len(retried) == 1
    attempts, not_before, status = retried[0]
    assert (attempts, status) == (1, "pending")
    assert not_before > clock()
    assert len(subscribers) > 1


async def test_expired_messages_are_never_sent(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    with store.begin() as connection:
        connection.execute(update(OutboxMessage).values(expires_at=clock() - timedelta(minutes=1)))
    one = dispatcher(store, telegram, session)
    stats = await one.run(asyncio.Event(), until_empty=True)
    assert stats.sent == 0
    assert statuses(store) == Counter({"expired": len(subscribers)})
    assert telegram.calls_of("sendMessage") == []


async def test_a_dead_dispatchers_lease_is_reaped_and_its_messages_sent(
    store: Engine, telegram: FakeTelegram, session: Http1Client
) -> None:
    subscribers = queue_daily(store, telegram)
    with store.begin() as connection:
        connection.execute(
            update(OutboxMessage).values(
                status="sending", claimed_by="dead", lease_until=clock() - timedelta(seconds=1)
            )
        )
    stats = await dispatcher(store, telegram, session).run(asyncio.Event(), until_empty=True)
    assert stats.reaped == len(subscribers)
    assert set(sent_counts(telegram, subscribers).values()) == {1}
