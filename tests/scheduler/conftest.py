"""A demo store with Telegram subscribers of the daily message, for fan-out and dispatch tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert, select

from meters.demo.generate import generate_demo
from meters.demo.load import load_demo
from meters.demo.model import DemoData
from meters.schema import ChatLink, ChatUser, Consent, Customer, Subscription
from scheduler.window import DeliveryWindow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 20)
YESTERDAY = TODAY - timedelta(days=1)
MORNING = datetime.combine(TODAY, time(6, 0), tzinfo=ZONE)
WINDOW = DeliveryWindow(time(7, 0), time(21, 0), ZONE)
FIRST_CHAT_ID = 1_000


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A chat subscribed to the daily message of one customer."""

    chat_user_id: int
    telegram_id: int
    customer_id: int
    customer_code: str


@pytest.fixture(scope="session")
def demo_data() -> DemoData:
    """25 customers with 40 days of readings before TODAY."""
    return generate_demo(seed=9, customers=25, today=TODAY, zone=ZONE, days=40)


@pytest.fixture
def store(engine: Engine, demo_data: DemoData) -> Engine:
    """The store on each engine, filled with the demo data."""
    with engine.begin() as connection:
        load_demo(connection, demo_data, ZONE)
    return engine


def subscribe_all(
    store: Engine, *, kind: str = "daily_usage", delivery_hour: int | None = None
) -> list[Subscriber]:
    """Give every customer a linked, consenting Telegram chat subscribed to `kind`."""
    subscribers: list[Subscriber] = []
    with store.begin() as connection:
        customers = connection.execute(
            select(Customer.id, Customer.customer_code).order_by(Customer.id)
        ).all()
        for offset, (customer_id, code) in enumerate(customers):
            telegram_id = FIRST_CHAT_ID + offset
            chat_user_id = connection.execute(
                insert(ChatUser)
                .values(
                    channel="telegram",
                    external_id=str(telegram_id),
                    created_at=MORNING,
                    last_seen_at=MORNING,
                )
                .returning(ChatUser.id)
            ).scalar_one()
            connection.execute(
                insert(ChatLink).values(
                    chat_user_id=chat_user_id,
                    customer_id=customer_id,
                    verified_by="contact",
                    linked_at=MORNING,
                )
            )
            connection.execute(
                insert(Consent).values(
                    chat_user_id=chat_user_id, purpose="daily", granted_at=MORNING
                )
            )
            connection.execute(
                insert(Subscription).values(
                    chat_user_id=chat_user_id,
                    customer_id=customer_id,
                    kind=kind,
                    delivery_hour=delivery_hour,
                    active=True,
                    created_at=MORNING,
                )
            )
            subscribers.append(Subscriber(chat_user_id, telegram_id, customer_id, code))
    return subscribers
