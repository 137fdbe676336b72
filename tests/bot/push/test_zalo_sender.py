"""Scheduled messages on Zalo: a consultation message inside the 7-day window, ZNS outside it."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import Engine, insert, select

from bot.app import build_app
from bot.push.zalo_sender import (
    ZALO_BUCKET,
    ZaloPushSender,
    next_local,
    outcome,
    template_key,
)
from bot.web.keys import ENGINE
from bot.zalo.api import OaClient
from bot.zalo.errors import ErrorKind, ZaloAuthError, ZaloError
from handlers import texts
from handlers.format import format_date
from meters.outbox_records import ClaimedMessage, NewMessage
from meters.outbox_store import SqlOutboxStore
from meters.schema import ChatUser, ConversationLogEntry, OutboxMessage, SendBucket
from scheduler.dispatcher import Dispatcher
from scheduler.ports import Delivery
from scheduler.render import daily_projection, render
from tests.bot.push.conftest import (
    ALERTS_TEMPLATE,
    DAILY_TEMPLATE,
    LONG_AGO,
    RECENT,
    SENDING_TIME,
    TEMPLATES,
    ZaloSubscriber,
    queue_daily,
    subscribe_zalo,
)
from tests.bot.zalo.conftest import ClientFactory, zalo_settings
from tests.clock import running_from
from tests.fakes.zalo_api import FakeZalo, Fault
from tests.scheduler.conftest import YESTERDAY, ZONE

RATE = 50.0  # per second; one batch (rate × 0.5 s) holds the 25 demo customers
running_clock = running_from(SENDING_TIME)  # runs at real speed from SENDING_TIME


def sender(store: Engine, oa: OaClient, templates: dict[str, str] = TEMPLATES) -> ZaloPushSender:
    """The sender at SENDING_TIME (a frozen clock)."""
    return ZaloPushSender(lambda: oa, store, templates, ZONE, clock=lambda: SENDING_TIME)


def claim_all(store: Engine) -> dict[int, ClaimedMessage]:
    """Lease every due Zalo message, by chat."""
    with store.begin() as connection:
        claimed = SqlOutboxStore(connection).claim(
            ZALO_BUCKET, 1000, "test", SENDING_TIME, timedelta(minutes=5)
        )
    return {message.chat_user_id: message for message in claimed}


def one_of(subscribers: list[ZaloSubscriber], *, in_window: bool) -> ZaloSubscriber:
    """The first subscriber inside (or outside) the window."""
    return next(s for s in subscribers if s.in_window is in_window)


def queue_notice(store: Engine, subscriber: ZaloSubscriber, kind: str, text: str) -> None:
    """Queue a notice of `kind` (its text ready, as alerts and notices are) for a subscriber."""
    with store.begin() as connection:
        SqlOutboxStore(connection).enqueue(
            [
                NewMessage(
                    dedup_key=f"{kind}:{subscriber.customer_id}:test",
                    kind=kind,
                    channel="zalo",
                    bucket=ZALO_BUCKET,
                    chat_user_id=subscriber.chat_user_id,
                    customer_id=subscriber.customer_id,
                    payload={"text": text, "stop_kind": kind, "limit_kwh": 30},
                    not_before=SENDING_TIME - timedelta(minutes=1),
                    expires_at=None,
                )
            ],
            SENDING_TIME,
        )


# -- the route ------------------------------------------------------------------------------------


async def test_inside_the_window_the_message_goes_as_a_consultation_message(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    subscribers = queue_daily(store, fake)
    chosen = one_of(subscribers, in_window=True)
    message = claim_all(store)[chosen.chat_user_id]

    result = await sender(store, oa).send(message, render(message))

    assert result.delivery is Delivery.SENT
    [sent] = fake.messages_to(chosen.user_id)
    assert sent["text"] == render(message).text
    [button] = sent["attachment"]["payload"]["buttons"]
    assert button["payload"] == "#cb:unsub:daily_usage"  # the one-tap stop
    assert fake.zns_sent == []


async def test_outside_the_window_a_zns_template_goes_to_the_contract_phone(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    subscribers = queue_daily(store, fake)
    chosen = one_of(subscribers, in_window=False)
    message = claim_all(store)[chosen.chat_user_id]
    payload = message.payload
    projection = daily_projection(payload)
    assert projection is not None  # the demo customers are residential

    result = await sender(store, oa).send(message, render(message))

    assert result.delivery is Delivery.SENT
    assert fake.messages_to(chosen.user_id) == []
    [zns] = fake.zns_to(chosen.phone)
    assert zns["template_id"] == DAILY_TEMPLATE
    assert zns["tracking_id"] == f"outbox-{message.id}"
    kwh = f"{payload['used_wh'] / 1000:.1f}".replace(".", ",")
    month_kwh = f"{payload['month_wh'] / 1000:.1f}".replace(".", ",")
    assert zns["template_data"] == {
        "customer_code": chosen.customer_code,
        "day": format_date(YESTERDAY),
        "kwh": kwh,
        "month_kwh": month_kwh,
        "projected_kwh": str(projection.projected_kwh),
        "projected_amount": str(projection.bill.total),
    }


def log_replies(store: Engine, subscriber: ZaloSubscriber, count: int, since: datetime) -> None:
    """`count` replies of the conversation to the subscriber's chat after `since`."""
    with store.begin() as connection:
        connection.execute(
            insert(ConversationLogEntry),
            [
                {
                    "chat_user_id": subscriber.chat_user_id,
                    "direction": "out",
                    "text": "Dạ",
                    "intent": None,
                    "created_at": since + timedelta(minutes=number + 1),
                }
                for number in range(count)
            ],
        )


@pytest.mark.parametrize(("replies", "route"), [(7, "consultation"), (8, "zns")])
async def test_after_eight_free_replies_in_48_hours_zns_takes_over(
    store: Engine, fake: FakeZalo, oa: OaClient, replies: int, route: str
) -> None:
    """Zalo counts a 9th message after the user's last one as proactive (billed)."""
    [chosen, *_] = subscribe_zalo(store, RECENT, kind="threshold")
    fake.add_user(chosen.user_id)
    log_replies(store, chosen, replies, RECENT)
    queue_notice(store, chosen, "threshold", "Hôm qua dùng 31 kWh")
    message = claim_all(store)[chosen.chat_user_id]

    result = await sender(store, oa).send(message, render(message))

    assert result.delivery is Delivery.SENT
    sent = {"consultation": fake.messages_to(chosen.user_id), "zns": fake.zns_to(chosen.phone)}
    assert len(sent[route]) == 1
    assert sum(map(len, sent.values())) == 1


@pytest.mark.parametrize(("templates", "route"), [(TEMPLATES, "zns"), ({}, "consultation")])
async def test_past_48_hours_inside_7_days_zns_goes_when_a_template_exists(
    store: Engine, fake: FakeZalo, oa: OaClient, templates: dict[str, str], route: str
) -> None:
    three_days_ago = SENDING_TIME - timedelta(days=3)
    [chosen, *_] = subscribe_zalo(store, three_days_ago, kind="threshold")
    fake.add_user(chosen.user_id)
    queue_notice(store, chosen, "threshold", "Hôm qua dùng 31 kWh")
    message = claim_all(store)[chosen.chat_user_id]

    result = await sender(store, oa, templates).send(message, render(message))

    assert result.delivery is Delivery.SENT
    sent = {"consultation": fake.messages_to(chosen.user_id), "zns": fake.zns_to(chosen.phone)}
    assert len(sent[route]) == 1
    assert sum(map(len, sent.values())) == 1


async def test_when_zalo_says_the_window_closed_the_zns_template_goes_instead(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    subscribers = queue_daily(store, fake, last_seen=RECENT)
    chosen = subscribers[0]
    fake.users[chosen.user_id].last_interaction = None  # Zalo does not see the interaction
    message = claim_all(store)[chosen.chat_user_id]

    result = await sender(store, oa).send(message, render(message))

    assert result.delivery is Delivery.SENT
    assert [zns["template_id"] for zns in fake.zns_to(chosen.phone)] == [DAILY_TEMPLATE]
    assert (fake.calls[-2][1], fake.calls[-1][1]) == (-230, 0)


async def test_without_a_template_for_the_kind_it_is_rejected_not_sent(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    subscribers = queue_daily(store, fake, last_seen=LONG_AGO)
    chosen = subscribers[0]
    message = claim_all(store)[chosen.chat_user_id]

    result = await sender(store, oa, {"otp": "otp-tpl"}).send(message, render(message))

    assert result.delivery is Delivery.REJECTED
    assert "daily_usage" in result.error
    assert "DIENBOT_ZNS_TEMPLATES" in result.error
    assert fake.zns_sent == []
    assert fake.messages_to(chosen.user_id) == []


async def test_an_alert_outside_the_window_uses_the_alerts_template_with_its_fields(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    [chosen, *_] = subscribe_zalo(store, LONG_AGO, kind="threshold")
    queue_notice(store, chosen, "threshold", "Hôm qua dùng 31 kWh")
    message = claim_all(store)[chosen.chat_user_id]

    result = await sender(store, oa).send(message, render(message))

    assert result.delivery is Delivery.SENT
    [zns] = fake.zns_to(chosen.phone)
    assert zns["template_id"] == ALERTS_TEMPLATE
    assert zns["template_data"] == {
        "customer_code": chosen.customer_code,
        "text": "Hôm qua dùng 31 kWh",
        "limit_kwh": "30",
    }


def test_outbox_kinds_map_to_template_keys() -> None:
    assert template_key("daily_usage") == "daily_usage"
    assert template_key("threshold") == "alerts"
    assert template_key("anomaly") == "alerts"
    assert template_key("outage") == "outage"
    assert template_key("outage_reminder") == "outage"
    assert template_key("bill_due") == "bill"
    assert template_key("survey") == "survey"


def test_no_projection_is_said_in_words() -> None:
    from bot.push.zalo_sender import template_data

    payload = {"day": "2026-11-19", "used_wh": 12_449, "month_wh": 200_000}
    data = template_data("daily_usage", {**payload, "customer_type": "business"}, "PE01")
    assert data["kwh"] == "12,4"
    assert data["projected_amount"] == texts.ZNS_NOT_PROJECTED


def test_alert_figures_become_template_parameters_as_people_write_them() -> None:
    from bot.push.zalo_sender import template_data

    payload = {
        "text": "Hôm qua dùng 15,0 kWh",
        "stop_kind": "threshold",
        "day": "2026-11-19",
        "used_wh": 15_049,
        "limit_wh": 10_000,
        "tier": 5,
    }
    assert template_data("threshold", payload, "PE01") == {
        "customer_code": "PE01",
        "text": "Hôm qua dùng 15,0 kWh",
        "day": "19/11/2026",
        "used_kwh": "15,0",
        "limit_kwh": "10,0",
        "tier": "5",
    }


def test_outage_times_become_local_hours_and_dates() -> None:
    from bot.push.zalo_sender import template_data

    payload = {
        "text": "Lịch cúp điện",
        "stop_kind": "outage",
        "stage": "tomorrow",
        "station": "TEST-1",
        "starts_at": "2026-11-23T08:00:00+07:00",
        "ends_at": "2026-11-23T12:30:00+07:00",
    }
    data = template_data("outage", payload, "PE01")
    assert (data["starts_at"], data["ends_at"]) == ("08:00 23/11/2026", "12:30 23/11/2026")
    assert (data["stage"], data["station"]) == ("tomorrow", "TEST-1")


# -- Zalo's refusals ------------------------------------------------------------------------------


async def test_the_zns_daily_quota_pauses_until_the_next_local_midnight(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    subscribers = queue_daily(store, fake, last_seen=LONG_AGO)
    fake.zns_daily_quota = 0
    message = claim_all(store)[subscribers[0].chat_user_id]

    result = await sender(store, oa).send(message, render(message))

    assert result.delivery is Delivery.RATE_LIMITED
    midnight = datetime.combine(SENDING_TIME.date() + timedelta(days=1), time(0), tzinfo=ZONE)
    assert SENDING_TIME + timedelta(seconds=result.retry_after) == midnight
    assert fake.zns_sent == []


async def test_a_follower_who_blocked_the_oa_is_unreachable(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    subscribers = queue_daily(store, fake, last_seen=RECENT)
    fake.users[subscribers[0].user_id].blocked = True
    message = claim_all(store)[subscribers[0].chat_user_id]

    result = await sender(store, oa).send(message, render(message))

    assert result.delivery is Delivery.UNREACHABLE
    assert "-217" in result.error


async def test_a_phone_that_cannot_receive_zns_is_unreachable(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    subscribers = queue_daily(store, fake, last_seen=LONG_AGO)
    fake.zns_unreachable.add(subscribers[0].phone)
    message = claim_all(store)[subscribers[0].chat_user_id]

    result = await sender(store, oa).send(message, render(message))

    assert result.delivery is Delivery.UNREACHABLE


async def test_a_server_error_is_transient(store: Engine, fake: FakeZalo, oa: OaClient) -> None:
    subscribers = queue_daily(store, fake, last_seen=RECENT)
    fake.faults.append(Fault("/v3.0/oa/message/cs", 0, "Bad Gateway", http_status=502))
    message = claim_all(store)[subscribers[0].chat_user_id]

    result = await sender(store, oa).send(message, render(message))

    assert result.delivery is Delivery.TRANSIENT


async def test_an_expired_access_token_is_renewed_once_and_the_message_sent(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    subscribers = queue_daily(store, fake, last_seen=RECENT)
    messages = claim_all(store)
    first, second = (messages[s.chat_user_id] for s in subscribers[:2])
    push = sender(store, oa)
    assert (await push.send(first, render(first))).delivery is Delivery.SENT
    fake.expire_access_tokens()

    result = await push.send(second, render(second))

    assert result.delivery is Delivery.SENT
    assert len(fake.refresh_calls) == 2  # the first token, then one renewal


@pytest.mark.parametrize(
    ("error", "delivery", "seconds"),
    [
        (ZaloError(-32, "rate limit", call="cs"), Delivery.RATE_LIMITED, 60.0),
        (
            ZaloError(-429, "HTTP 429", call="cs", kind=ErrorKind.QUOTA),
            Delivery.RATE_LIMITED,
            60.0,
        ),
        (ZaloError(-321, "out of money", call="zns"), Delivery.RATE_LIMITED, 3600.0),
        (ZaloAuthError(-14020, "refresh token", call="oauth"), Delivery.RATE_LIMITED, 600.0),
        (ZaloError(-213, "not following", call="cs"), Delivery.UNREACHABLE, 0.0),
        (ZaloError(-118, "no Zalo account", call="zns"), Delivery.UNREACHABLE, 0.0),
        (ZaloError(-230, "window closed", call="cs"), Delivery.REJECTED, 0.0),
        (ZaloError(-216, "invalid token", call="cs"), Delivery.TRANSIENT, 0.0),
        (ZaloError(-100, "unknown", call="zns"), Delivery.TRANSIENT, 0.0),
        (ZaloError(-108, "phone invalid", call="zns"), Delivery.REJECTED, 0.0),
        (ZaloError(-201, "invalid parameter", call="cs"), Delivery.REJECTED, 0.0),
    ],
)
def test_zalo_errors_become_outcomes(error: ZaloError, delivery: Delivery, seconds: float) -> None:
    result = outcome(error, SENDING_TIME, ZONE)
    assert (result.delivery, result.retry_after) == (delivery, seconds)


def test_a_night_refusal_waits_for_six_in_the_morning() -> None:
    late = datetime.combine(SENDING_TIME.date(), time(22, 30), tzinfo=ZONE)
    result = outcome(ZaloError(-234, "night", call="cs"), late, ZONE)
    assert result.delivery is Delivery.RATE_LIMITED
    assert late + timedelta(seconds=result.retry_after) == next_local(late, time(6), ZONE)
    assert next_local(late, time(6), ZONE).hour == 6


# -- the dispatcher on the "zalo" bucket ----------------------------------------------------------


def dispatcher(
    store: Engine,
    oa: OaClient,
    clock: Callable[[], datetime] = running_clock,
    worker: str = "w1",
) -> Dispatcher:
    """A dispatcher of the Zalo bucket at RATE, with the sender on the same clock."""
    push = ZaloPushSender(lambda: oa, store, TEMPLATES, ZONE, clock=clock)
    return Dispatcher(
        store, ZALO_BUCKET, RATE, push, worker=worker, poll_seconds=0.05, clock=clock
    )


def statuses(store: Engine) -> Counter[str]:
    """How many outbox messages are in each status."""
    with store.connect() as connection:
        return Counter(connection.execute(select(OutboxMessage.status)).scalars())


async def test_the_dispatcher_delivers_every_zalo_subscriber_exactly_once(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    subscribers = queue_daily(store, fake)

    stats = await dispatcher(store, oa).run(asyncio.Event(), until_empty=True)

    assert stats.sent == len(subscribers)
    assert statuses(store) == Counter({"sent": len(subscribers)})
    zns_by_code = Counter(zns["template_data"]["customer_code"] for zns in fake.zns_sent)
    for subscriber in subscribers:
        consultations = len(fake.messages_to(subscriber.user_id))
        templates = zns_by_code[subscriber.customer_code]
        expected = (1, 0) if subscriber.in_window else (0, 1)
        assert (consultations, templates) == expected, subscriber


async def test_the_dispatcher_pauses_the_bucket_when_the_zns_quota_runs_out(
    store: Engine, fake: FakeZalo, oa: OaClient
) -> None:
    subscribers = queue_daily(store, fake, last_seen=LONG_AGO)
    fake.zns_daily_quota = 3

    await dispatcher(store, oa, clock=lambda: SENDING_TIME).run_batch()

    assert len(fake.zns_sent) == 3
    counts = statuses(store)
    assert counts == Counter({"sent": 3, "pending": len(subscribers) - 3})
    with store.connect() as connection:
        paused_until = connection.execute(
            select(SendBucket.paused_until).where(SendBucket.key == ZALO_BUCKET)
        ).scalar_one()
        attempts = set(
            connection.execute(
                select(OutboxMessage.attempts).where(OutboxMessage.status == "pending")
            ).scalars()
        )
    assert paused_until == next_local(SENDING_TIME, time(0), ZONE)
    assert attempts == {0}  # a quota pause is not an attempt


# -- in `dienbot run` -----------------------------------------------------------------------------


async def test_the_service_sends_queued_zalo_messages(
    aiohttp_client: ClientFactory, fake: FakeZalo, sqlite_url: str
) -> None:
    app = build_app(zalo_settings(fake, sqlite_url, DIENBOT_ZALO_SEND_RATE="5"))
    await aiohttp_client(app)  # starts the store, the channel and its dispatcher
    now = fake.clock()
    fake.add_user("z42")
    with app[ENGINE].begin() as connection:
        chat_user_id = connection.execute(
            insert(ChatUser)
            .values(channel="zalo", external_id="z42", created_at=now, last_seen_at=now)
            .returning(ChatUser.id)
        ).scalar_one()
        SqlOutboxStore(connection).enqueue(
            [
                NewMessage(
                    dedup_key="outage:test",
                    kind="outage",
                    channel="zalo",
                    bucket=ZALO_BUCKET,
                    chat_user_id=chat_user_id,
                    customer_id=None,
                    payload={"text": "Mất điện 08:00-11:00", "stop_kind": "outage"},
                    not_before=now - timedelta(minutes=1),
                    expires_at=None,
                )
            ],
            now,
        )

    [message] = await fake.wait_for_messages("z42", 1)

    assert message["text"] == "Mất điện 08:00-11:00"
