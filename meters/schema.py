"""The store's tables as SQLAlchemy 2 typed models.

Energy is stored in integer watt-hours (`*_wh`) so sums are exact; money in integer đồng.
Every timestamp is timezone-aware (stored as UTC on SQLite, `timestamptz` on PostgreSQL).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from meters.timestamps import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

intpk = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
bigpk = Annotated[
    int, mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
]
moment = Annotated[datetime, mapped_column(UtcDateTime())]
# A machine-made ASCII key (the outbox's dedup key): byte order on PostgreSQL, not the locale's.
ASCII_KEY = String(160).with_variant(String(160, collation="C"), "postgresql")
code = Annotated[str, mapped_column(String(32))]


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads it at class creation
        datetime: UtcDateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
    }


class Customer(Base):
    """A contract: one customer code, one contract phone; one phone may hold several codes."""

    __tablename__ = "customers"

    id: Mapped[intpk]
    customer_code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(16), index=True)
    address: Mapped[str] = mapped_column(String(300))
    area: Mapped[str] = mapped_column(String(120), index=True)
    customer_type: Mapped[str] = mapped_column(String(32))
    households: Mapped[Decimal] = mapped_column(Numeric(8, 3), default=Decimal(1))
    voltage_kv: Mapped[Decimal] = mapped_column(Numeric(8, 3), default=Decimal("0.4"))
    station: Mapped[str | None] = mapped_column(String(64), index=True)
    reading_day: Mapped[int] = mapped_column(Integer)
    power_company: Mapped[str | None] = mapped_column(String(120))
    updated_at: Mapped[moment]


class Meter(Base):
    """A physical meter installed for a customer; a replacement closes the old one."""

    __tablename__ = "meters"

    id: Mapped[intpk]
    meter_id: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # single | tou | prepaid
    installed_at: Mapped[moment]
    removed_at: Mapped[datetime | None]


class Reading(Base):
    """A cumulative register reading of a remote-read meter (several a day are possible)."""

    __tablename__ = "readings"

    meter_pk: Mapped[int] = mapped_column(ForeignKey("meters.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    index_wh: Mapped[int] = mapped_column(BigInteger)
    normal_wh: Mapped[int | None] = mapped_column(BigInteger)
    peak_wh: Mapped[int | None] = mapped_column(BigInteger)
    offpeak_wh: Mapped[int | None] = mapped_column(BigInteger)
    # "index_down": the register went below an earlier reading without a meter change;
    # kept for the operator, never used for consumption until resolved.
    flag: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_readings_read_at_meter", "read_at", "meter_pk", "index_wh"),
        # Flagged readings are rare: usage refreshes find them without scanning the day.
        Index(
            "ix_readings_flagged",
            "read_at",
            "meter_pk",
            postgresql_where=text("flag IS NOT NULL"),
            sqlite_where=text("flag IS NOT NULL"),
        ),
    )


class DailyUsage(Base):
    """Energy used by one meter on one local calendar day, derived from its readings."""

    __tablename__ = "daily_usage"

    # Derived from readings and rebuilt by meters.usage_store; no foreign key, whose per-row
    # check would cost a third of a 3-million-meter refresh on PostgreSQL.
    meter_pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    used_wh: Mapped[int] = mapped_column(BigInteger)
    normal_wh: Mapped[int | None] = mapped_column(BigInteger)
    peak_wh: Mapped[int | None] = mapped_column(BigInteger)
    offpeak_wh: Mapped[int | None] = mapped_column(BigInteger)
    estimated: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_daily_usage_day_meter", "day", "meter_pk"),)


class Bill(Base):
    """An issued bill and its payment state."""

    __tablename__ = "bills"

    bill_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    kwh: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    amount_before_vat: Mapped[int] = mapped_column(BigInteger)
    vat: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[date]
    paid_at: Mapped[datetime | None]


class Outage(Base):
    """A planned interruption of supply (lịch tạm ngừng cung cấp điện)."""

    __tablename__ = "outages"

    outage_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    starts_at: Mapped[moment]
    ends_at: Mapped[moment]
    area: Mapped[str] = mapped_column(String(120), index=True)
    reason: Mapped[str] = mapped_column(Text)
    announced_at: Mapped[moment]


class OutageStation(Base):
    """A substation / transformer cut by an outage."""

    __tablename__ = "outage_stations"

    outage_id: Mapped[str] = mapped_column(
        ForeignKey("outages.outage_id", ondelete="CASCADE"), primary_key=True
    )
    station: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class PaymentPoint(Base):
    """A place where bills are paid in person."""

    __tablename__ = "payment_points"

    point_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    area: Mapped[str] = mapped_column(String(120), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))


class ServiceRequest(Base):
    """A service request or case (new connection, inspection, incident, …)."""

    __tablename__ = "service_requests"

    request_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    service_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[moment]
    updated_at: Mapped[moment]
    # When the power company expects the supply back (an incident it handles), if it said.
    expected_at: Mapped[datetime | None]


class RequestNumber(Base):
    """The last number given to a service request code of one year (YC2026-000123).

    Taken by one atomic upsert (`SqlAccountStore.file_request`): concurrent transactions
    wait for each other on this row and never give one number twice.
    """

    __tablename__ = "request_numbers"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class RequestStatusChange(Base):
    """One step of a service request's status history."""

    __tablename__ = "request_status_history"

    id: Mapped[bigpk]
    request_id: Mapped[str] = mapped_column(
        ForeignKey("service_requests.request_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[moment]
    note: Mapped[str | None] = mapped_column(Text)


class ChatUser(Base):
    """A person on one channel (Telegram user, Zalo follower, web visitor, terminal)."""

    __tablename__ = "chat_users"

    id: Mapped[intpk]
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[moment]
    last_seen_at: Mapped[moment]

    __table_args__ = (UniqueConstraint("channel", "external_id"),)


class ChatLink(Base):
    """A verified link between a chat user and a customer they own."""

    __tablename__ = "chat_links"

    chat_user_id: Mapped[int] = mapped_column(
        ForeignKey("chat_users.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id"), primary_key=True, index=True
    )
    verified_by: Mapped[str] = mapped_column(String(16))  # contact | otp
    linked_at: Mapped[moment]


class Consent(Base):
    """Consent of a chat user to one purpose of processing; withdrawal keeps the record."""

    __tablename__ = "consents"

    id: Mapped[bigpk]
    chat_user_id: Mapped[int] = mapped_column(
        ForeignKey("chat_users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(32))  # lookups|daily|alerts|outages|surveys
    granted_at: Mapped[moment]
    withdrawn_at: Mapped[datetime | None]


class Subscription(Base):
    """A scheduled message a chat user asked for, about one of their customers."""

    __tablename__ = "subscriptions"

    id: Mapped[intpk]
    chat_user_id: Mapped[int] = mapped_column(
        ForeignKey("chat_users.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # daily_usage|threshold|outage|bill|anomaly
    threshold: Mapped[dict[str, Any] | None]
    delivery_hour: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[moment]

    __table_args__ = (UniqueConstraint("chat_user_id", "customer_id", "kind"),)


class ConversationState(Base):
    """Where a chat stands in a conversation (survives restarts)."""

    __tablename__ = "conversation_state"

    chat_user_id: Mapped[int] = mapped_column(
        ForeignKey("chat_users.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[moment]


class ConversationLogEntry(Base):
    """One message in or out, personal data masked before it is stored."""

    __tablename__ = "conversation_log"

    id: Mapped[bigpk]
    chat_user_id: Mapped[int] = mapped_column(
        ForeignKey("chat_users.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[moment]


class OutboxMessage(Base):
    """A message waiting to be sent by the dispatcher; `dedup_key` makes queuing idempotent.

    On PostgreSQL the table is partitioned by `batch` (migration 0003, meters/outbox_days.py):
    a day's daily messages are one partition, every other message is in the live one. Its keys
    there are (id, batch) and (dedup_key, batch); the batch follows from the dedup key.
    """

    __tablename__ = "outbox"

    id: Mapped[bigpk]
    # `daily_usage:<day>` for that day's daily messages, '' for every other message.
    batch: Mapped[str] = mapped_column(String(48), default="", server_default="")
    # Compared byte by byte on PostgreSQL (the key is ASCII): a locale's collation would cost
    # every queued message's uniqueness check and index insert.
    dedup_key: Mapped[str] = mapped_column(ASCII_KEY, unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    bucket: Mapped[str] = mapped_column(String(48))  # the rate limit it counts against
    # No foreign key: its check cost a sixth of the daily fan-out's 3 million inserts. Forgetting
    # a chat deletes its messages (SqlChatStore.forget_chat), and one a fan-out page queued for
    # it meanwhile is deleted unsent when claimed (SqlOutboxStore.claim).
    chat_user_id: Mapped[int] = mapped_column(Integer, index=True)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]]
    priority: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    not_before: Mapped[moment]
    expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[moment]

    __table_args__ = (
        # Only pending rows are claimed: a partial index stays small while millions are sent.
        Index(
            "ix_outbox_claimable",
            "bucket",
            "priority",
            "not_before",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_outbox_leased", "lease_until", postgresql_where=text("status = 'sending'")),
        # What ON CONFLICT names on both engines (on PostgreSQL it is `uq_outbox_dedup_key`).
        Index("uq_outbox_dedup_key_batch", "dedup_key", "batch", unique=True),
        # No index on (kind, channel, status): only `push status` groups by them, a scan it can
        # afford, while the index cost every queued row and every status change (the 3 M fan-out).
    )


class FanOutPage(Base):
    """A page of subscriptions whose messages a day's fan-out has staged (PostgreSQL).

    Written in the page's transaction: a fan-out that stopped half-way stages only the pages
    without one. The rows of a batch are deleted when its partition is attached.
    """

    __tablename__ = "fan_out_pages"

    batch: Mapped[str] = mapped_column(String(48), primary_key=True)
    first_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)


class SendBucket(Base):
    """The shared send schedule of one bot token: every dispatcher reserves its slots here.

    A dispatcher that wants to send n messages moves `next_slot_at` forward by n / rate and
    owns the slots in between, so the rate holds across processes, not just within one.
    """

    __tablename__ = "send_buckets"

    key: Mapped[str] = mapped_column(String(48), primary_key=True)
    next_slot_at: Mapped[moment]
    paused_until: Mapped[datetime | None]
    updated_at: Mapped[moment]


class SchedulerLease(Base):
    """Which process runs the scheduler (one per deployment); the holder renews it."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(48), primary_key=True)
    holder: Mapped[str] = mapped_column(String(96))
    expires_at: Mapped[moment]


class OneTimeCode(Base):
    """A linking code sent to a contract phone: stored hashed, short-lived, few tries.

    Every customer code a chat asks to link gets one, found or not: one that no code was sent
    for (an unknown customer code, or a limit reached) has no customer and a hash that no
    typed code matches, so that the chat cannot tell it from a code that was sent.
    """

    __tablename__ = "one_time_codes"

    id: Mapped[bigpk]
    chat_user_id: Mapped[int] = mapped_column(
        ForeignKey("chat_users.id", ondelete="CASCADE"), index=True
    )
    customer_code: Mapped[str] = mapped_column(String(16))  # as the chat typed it
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    code_hash: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[moment]
    used_at: Mapped[datetime | None]
    created_at: Mapped[moment]


class LinkWarning(Base):
    """A customer whose linking paused after too many wrong one-time codes: the next code's
    message tells them that someone tried (handlers.account)."""

    __tablename__ = "link_warnings"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    since: Mapped[moment]


class LinkAttempt(Base):
    """A failed attempt to link a customer (unknown code, wrong one-time code), for throttling."""

    __tablename__ = "link_attempts"

    id: Mapped[bigpk]
    chat_user_id: Mapped[int] = mapped_column(
        ForeignKey("chat_users.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[moment]


class HandoffCase(Base):
    """A chat that asked for a person: the call centre's side takes it from here."""

    __tablename__ = "handoff_cases"

    id: Mapped[bigpk]
    chat_user_id: Mapped[int] = mapped_column(
        ForeignKey("chat_users.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(32))  # asked | misunderstood | abnormal | hazard
    # customer (asked, or took the bot's offer) | bot (handed over by itself: a hazard)
    opened_by: Mapped[str] = mapped_column(String(16), server_default="customer")
    intent_guess: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed (the chat)
    created_at: Mapped[moment]
    closed_at: Mapped[datetime | None]
    # The case's code and status history are its service request's (YC numbering, shared).
    request_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_requests.request_id"), unique=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    unit: Mapped[str | None] = mapped_column(String(120), index=True)  # the queue it waits in
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    due_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(32))


class ProcessedEvent(Base):
    """A platform event already handled (Zalo `msg_id`): drops redeliveries."""

    __tablename__ = "processed_events"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    received_at: Mapped[moment]


class InboundEvent(Base):
    """A webhook event acknowledged to its platform and not yet answered (meters/event_inbox.py).

    Stored before the webhook answers 200; the row is deleted once its replies are sent.
    `replies` is set in the turn's own transaction: a worker that finds them only sends them.
    """

    __tablename__ = "inbound_events"

    id: Mapped[bigpk]
    channel: Mapped[str] = mapped_column(String(16))
    chat_key: Mapped[str] = mapped_column(String(80))  # the chat whose events keep their order
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[moment]
    replies: Mapped[list[Any] | None] = mapped_column(JSON)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_inbound_events_chat", "channel", "chat_key", "id"),
        Index("ix_inbound_events_lease_until", "lease_until"),
    )


class RateEvent(Base):
    """One event a shared sliding-window limit counts (meters/rate_store.py)."""

    __tablename__ = "rate_events"

    id: Mapped[bigpk]
    key: Mapped[str] = mapped_column(String(160))
    at: Mapped[moment]

    __table_args__ = (
        Index("ix_rate_events_key_at", "key", "at"),
        Index("ix_rate_events_at", "at"),
    )


class ChannelToken(Base):
    """A credential a channel rotates (Zalo's access and refresh tokens), shared by processes."""

    __tablename__ = "channel_tokens"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[moment]


class Agent(Base):
    """A call-centre agent or supervisor who signs in to the console."""

    __tablename__ = "agents"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))  # agent | supervisor
    unit: Mapped[str | None] = mapped_column(String(120))  # the queue an agent works
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[moment]


class AgentSession(Base):
    """A signed-in console session: the cookie's token is stored hashed, with its CSRF token."""

    __tablename__ = "agent_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[moment]
    expires_at: Mapped[moment]


class CaseMessage(Base):
    """The agents' transcript of a case, unmasked (agents may see it; never logged elsewhere)."""

    __tablename__ = "case_messages"

    id: Mapped[bigpk]
    case_id: Mapped[int] = mapped_column(
        ForeignKey("handoff_cases.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(8))  # customer | agent | bot | note
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[moment]
    # A file the customer sent (meters.case_records.CaseFile): its kind, and where it is.
    file_kind: Mapped[str | None] = mapped_column(String(16))
    file_source: Mapped[str | None] = mapped_column(String(1100))


class Survey(Base):
    """A satisfaction survey about a closed case or request (one per code), and its answer."""

    __tablename__ = "surveys"

    id: Mapped[bigpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)  # YC2026-000123
    # A forgotten chat keeps its anonymous score for the statistics.
    chat_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("chat_users.id", ondelete="SET NULL"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    unit: Mapped[str | None] = mapped_column(String(120))
    score: Mapped[int | None] = mapped_column(Integer)  # 1-5
    comment: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[moment]
    answered_at: Mapped[datetime | None]


class TelegramAgent(Base):
    """An agent's Telegram account: their messages in the agent group act as that agent."""

    __tablename__ = "telegram_agents"

    telegram_user_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[moment]


class TelegramTopic(Base):
    """The forum topic of a handoff case in a Telegram agent group, and how far it is relayed."""

    __tablename__ = "telegram_topics"
    __table_args__ = (UniqueConstraint("chat_id", "thread_id"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("handoff_cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)  # the agent group
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # None until the topic exists
    state: Mapped[str] = mapped_column(String(16))  # creating | open | closed | failed
    relayed_through: Mapped[int] = mapped_column(BigInteger, default=0)  # last case message shown
    created_at: Mapped[moment]
