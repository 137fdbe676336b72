"""The Zalo push sender against the local Zalo stand-in, on the demo store of tests/scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select

from bot.zalo.api import OaClient, ZaloHosts, ZaloHttp
from bot.zalo.tokens import TokenKeeper
from meters.demo.generate import generate_demo
from meters.demo.load import load_demo
from meters.demo.model import DemoData
from meters.schema import ChatLink, ChatUser, Consent, Customer, Subscription
from scheduler.fanout import fan_out_daily
from tests.clock import running_from
from tests.fakes.zalo_api import FakeZalo
from tests.scheduler.conftest import MORNING, TODAY, WINDOW, YESTERDAY, ZONE

DAILY_TEMPLATE = "daily-tpl"
ALERTS_TEMPLATE = "alerts-tpl"
TEMPLATES = {"daily_usage": DAILY_TEMPLATE, "alerts": ALERTS_TEMPLATE, "otp": "otp-tpl"}
SENDING_TIME = MORNING + timedelta(hours=2)  # 08:00 on the send day, inside the window
RECENT = SENDING_TIME - timedelta(days=1)  # wrote to the OA yesterday: inside Zalo's window
LONG_AGO = SENDING_TIME - timedelta(days=8)  # outside it


@dataclass(frozen=True, slots=True)
class ZaloSubscriber:
    """A Zalo follower subscribed to the daily message of one customer."""

    chat_user_id: int
    user_id: str  # the OA-scoped Zalo user id
    customer_id: int
    customer_code: str
    phone: str  # the contract phone as ZNS wants it (84…)
    last_seen_at: datetime

    @property
    def in_window(self) -> bool:
        """Whether the user wrote to the OA in the 7 days before SENDING_TIME."""
        return self.last_seen_at == RECENT


def subscribe_zalo(
    store: Engine, last_seen: datetime | None = None, *, kind: str = "daily_usage"
) -> list[ZaloSubscriber]:
    """A linked, consenting Zalo follower per customer; every other one (or all, when
    `last_seen` is given) wrote to the OA recently, the others 8 days ago."""
    subscribers: list[ZaloSubscriber] = []
    with store.begin() as connection:
        customers = connection.execute(
            select(Customer.id, Customer.customer_code, Customer.phone).order_by(Customer.id)
        ).all()
        for offset, (customer_id, code, phone) in enumerate(customers):
            seen = last_seen or (RECENT if offset % 2 == 0 else LONG_AGO)
            user_id = f"z{5_510_000 + offset}"
            chat_user_id = connection.execute(
                insert(ChatUser)
                .values(channel="zalo", external_id=user_id, created_at=seen, last_seen_at=seen)
                .returning(ChatUser.id)
            ).scalar_one()
            connection.execute(
                insert(ChatLink).values(
                    chat_user_id=chat_user_id,
                    customer_id=customer_id,
                    verified_by="otp",
                    linked_at=seen,
                )
            )
            connection.execute(
                insert(Consent).values(chat_user_id=chat_user_id, purpose="daily", granted_at=seen)
            )
            connection.execute(
                insert(Subscription).values(
                    chat_user_id=chat_user_id,
                    customer_id=customer_id,
                    kind=kind,
                    active=True,
                    created_at=seen,
                )
            )
            subscribers.append(
                ZaloSubscriber(chat_user_id, user_id, customer_id, code, "84" + phone[1:], seen)
            )
    return subscribers


def queue_daily(
    store: Engine, fake: FakeZalo, last_seen: datetime | None = None
) -> list[ZaloSubscriber]:
    """Subscribe every customer on Zalo, make them followers of the stand-in, fan out."""
    subscribers = subscribe_zalo(store, last_seen)
    for subscriber in subscribers:
        fake.add_user(subscriber.user_id)  # follows the OA and wrote to it (the stand-in's view)
    fan_out_daily(store, YESTERDAY, WINDOW, SENDING_TIME - timedelta(hours=3))
    return subscribers


@pytest.fixture(scope="session")
def push_demo() -> DemoData:
    """25 customers with 40 days of readings before TODAY (as in tests/scheduler)."""
    return generate_demo(seed=9, customers=25, today=TODAY, zone=ZONE, days=40)


@pytest.fixture
def store(engine: Engine, push_demo: DemoData) -> Engine:
    """The store on each engine, filled with the demo data."""
    with engine.begin() as connection:
        load_demo(connection, push_demo, ZONE)
    return engine


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    """The stand-in of Zalo's hosts, with the push templates approved."""
    stand_in = FakeZalo(
        zns_templates=(DAILY_TEMPLATE, ALERTS_TEMPLATE),
        zns_daily_quota=1000,
        clock=running_from(SENDING_TIME),
    )
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
async def oa(store: Engine, fake: FakeZalo) -> AsyncIterator[OaClient]:
    """The OA client over one session, its tokens kept in the store."""
    http = ZaloHttp(ZaloHosts.from_base(fake.url), fake.app_id, fake.app_secret)
    await http.open()
    keeper = TokenKeeper(store, fake.refresh_token, http.exchange, clock=fake.clock)
    yield OaClient(http, keeper)
    await http.close()
    keeper.close()
