"""Many daily-message subscribers at once: a customer, meter, day of use and linked chat each.

The conftest's demo store is realistic but small; delivery tests need thousands of recipients.
Rows are written with executemany on either engine; ids continue after the existing ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, func, insert, select, text

from meters.schema import (
    ChatLink,
    ChatUser,
    Consent,
    Customer,
    DailyUsage,
    Meter,
    Subscription,
)


@dataclass(frozen=True, slots=True)
class BulkSubscriber:
    """One generated subscriber: their Telegram chat id and the ids in the store."""

    telegram_id: int
    chat_user_id: int
    customer_id: int


def _next_id(connection: Connection, column: object) -> int:
    return int(connection.execute(select(func.coalesce(func.max(column), 0))).scalar_one()) + 1


def add_subscribers(
    engine: Engine, count: int, day: date, now: datetime, *, first_telegram_id: int = 500_000
) -> list[BulkSubscriber]:
    """`count` Telegram chats, each linked to its own customer with the use of `day` known."""
    with engine.begin() as connection:
        customer0 = _next_id(connection, Customer.id)
        meter0 = _next_id(connection, Meter.id)
        chat0 = _next_id(connection, ChatUser.id)
        offsets = range(count)
        connection.execute(
            insert(Customer),
            [
                {
                    "id": customer0 + i,
                    "customer_code": f"PB{customer0 + i:010d}",
                    "name": "Khách hàng",
                    "phone": f"09{(customer0 + i) % 100_000_000:08d}",
                    "address": "-",
                    "area": "Quận 1",
                    "customer_type": "residential",
                    "reading_day": 5,
                    "updated_at": now,
                }
                for i in offsets
            ],
        )
        connection.execute(
            insert(Meter),
            [
                {
                    "id": meter0 + i,
                    "meter_id": f"MB{meter0 + i:010d}",
                    "customer_id": customer0 + i,
                    "kind": "single",
                    "installed_at": now,
                }
                for i in offsets
            ],
        )
        connection.execute(
            insert(DailyUsage),
            [
                {"meter_pk": meter0 + i, "day": day, "used_wh": 4_000 + (i % 9) * 1_000}
                for i in offsets
            ],
        )
        connection.execute(
            insert(ChatUser),
            [
                {
                    "id": chat0 + i,
                    "channel": "telegram",
                    "external_id": str(first_telegram_id + i),
                    "created_at": now,
                    "last_seen_at": now,
                }
                for i in offsets
            ],
        )
        connection.execute(
            insert(ChatLink),
            [
                {
                    "chat_user_id": chat0 + i,
                    "customer_id": customer0 + i,
                    "verified_by": "contact",
                    "linked_at": now,
                }
                for i in offsets
            ],
        )
        connection.execute(
            insert(Consent),
            [{"chat_user_id": chat0 + i, "purpose": "daily", "granted_at": now} for i in offsets],
        )
        connection.execute(
            insert(Subscription),
            [
                {
                    "chat_user_id": chat0 + i,
                    "customer_id": customer0 + i,
                    "kind": "daily_usage",
                    "active": True,
                    "created_at": now,
                }
                for i in offsets
            ],
        )
        if connection.dialect.name == "postgresql":
            for table in ("customers", "meters", "chat_users"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                        f" (SELECT max(id) FROM {table}))"
                    )
                )
    return [BulkSubscriber(first_telegram_id + i, chat0 + i, customer0 + i) for i in range(count)]
