"""Scheduled messages to Zalo: OA consultation messages inside the interaction window, ZNS after.

Zalo lets an OA send a consultation message ("tin tư vấn", `/v3.0/oa/message/cs`) only to a user
who wrote to it in the past 7 days (research/platforms.md §4.2). So for each outbox message of
the "zalo" bucket:

- the chat's last message (`ClaimedMessage.last_seen_at`) is less than 7 days old: the rendered
  reply goes as a consultation message, with its stop button. If Zalo answers that the window
  has closed after all (-230, -232), the ZNS route below is taken instead. Only the first 8
  messages within 48 h of the user's message are free replies; past them a consultation
  message is a proactive one, billed to the OA's package, so it goes by ZNS when a template
  is configured for its kind (and as a consultation message when none is);
- otherwise: a ZNS template message (`/message/template`) to the contract phone of the message's
  customer, with the template configured for the message's kind in DIENBOT_ZNS_TEMPLATES
  (`template_key`) and `template_data` built from the payload's numbers (`template_data`).
  With no template for that kind the message is given up (REJECTED), never sent outside the
  window.

Both go through the channel's `OaClient` (one `ClientSession`, the shared token keeper, "refresh
once, retry once"). How Zalo's errors become outcomes is `outcome`: the ZNS daily quota (-211)
pauses the bucket until the next local midnight. `install_zalo_push` runs the bucket's
`Dispatcher` inside `dienbot run` at DIENBOT_ZALO_SEND_RATE. docs/zalo.md "Scheduled messages".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from bot.zalo.api import OaClient
from bot.zalo.errors import ErrorKind, ZaloAuthError, ZaloError, log_failure
from bot.zalo.messages import TextMessage, render_reply
from bot.zalo.zns import zns_phone
from handlers import texts
from handlers.format import format_date, format_kwh
from handlers.privacy import mask_phone
from handlers.types import Reply
from meters.daily_numbers import DAILY_USAGE
from meters.outbox_records import ClaimedMessage
from meters.outbox_store import messages_sent_since
from meters.schema import Customer
from scheduler.dispatcher import Dispatcher
from scheduler.ports import Delivery, SendResult
from scheduler.render import daily_projection

if TYPE_CHECKING:
    from aiohttp import web

    from bot.config import Settings
    from bot.zalo.channel import ZaloChannel

logger = logging.getLogger(__name__)

ZALO_BUCKET = "zalo"
INTERACTION_WINDOW = timedelta(days=7)
# "8 tin phản hồi (miễn phí) trong vòng 48h" after the user's message; past them, inside the
# 7 days, a consultation message is a proactive one, billed to the OA's package.
FREE_REPLIES = 8
FREE_REPLY_WINDOW = timedelta(hours=48)
WINDOW_CLOSED_CODES = frozenset({-230, -232})  # consultation refused: try ZNS instead
DAILY_QUOTA_CODES = frozenset({-211})  # paused until the next local midnight
NIGHT_CODE = -234  # "cannot be sent at night (22:00-06:00)": paused until 06:00
NIGHT_ENDS = time(6, 0)
RATE_LIMIT_PAUSE = 60.0  # -32 (per-minute app limit) and HTTP 429
MONEY_PAUSE = 3600.0  # -224, -320, -321: an operator must act; try again in an hour
AUTH_PAUSE = 600.0  # OAuth refused the refresh token: nothing can go until re-authorised
TRANSIENT_CODES = frozenset({-100})  # ZNS "unknown error, try again later"
WH_PER_KWH = 1000
RESTART_SECONDS = 5.0

# Outbox kinds -> DIENBOT_ZNS_TEMPLATES keys. A kind not listed uses the key of its family (the
# part before the first "_": "outage_tomorrow" -> "outage"), else its own name.
TEMPLATE_KEYS: Mapping[str, str] = {
    DAILY_USAGE: "daily_usage",
    "threshold": "alerts",
    "anomaly": "alerts",
    "alert": "alerts",
    "alerts": "alerts",
    "outage": "outage",
    "bill": "bill",
}


def utc_now() -> datetime:
    """The current moment (the sender's default clock)."""
    return datetime.now(UTC)


def template_key(kind: str) -> str:
    """The DIENBOT_ZNS_TEMPLATES key of outbox messages of `kind`."""
    if kind in TEMPLATE_KEYS:
        return TEMPLATE_KEYS[kind]
    family = kind.split("_", 1)[0]
    return TEMPLATE_KEYS.get(family, kind)


def _kwh(energy_wh: object) -> str:
    """kWh to one decimal without the unit (the template has it): 12_449 -> "12,4"."""
    return format_kwh(int(str(energy_wh))).split(" ", 1)[0]


def template_data(kind: str, payload: Mapping[str, object], customer_code: str) -> dict[str, str]:
    """The ZNS parameters of a message (every value a string, as ZNS wants).

    daily_usage: `customer_code`, `day` (dd/mm/yyyy), `kwh` (that day), `month_kwh` (month to
    date), `projected_kwh` and `projected_amount` (đồng, digits only) of the month, or
    `texts.ZNS_NOT_PROJECTED` for both when the tariff gives no projection. Other kinds:
    `customer_code` and every scalar field of the payload except `stop_kind`, as text: a
    `…_wh` field as `…_kwh` in kWh (one decimal with a comma), `day` as dd/mm/yyyy, a `…_at`
    moment as "HH:MM dd/mm/yyyy" in its own offset (the notices store local times).
    """
    if kind == DAILY_USAGE:
        projection = daily_projection(dict(payload))
        day = date.fromisoformat(str(payload["day"]))
        return {
            "customer_code": customer_code,
            "day": format_date(day),
            "kwh": _kwh(payload["used_wh"]),
            "month_kwh": _kwh(payload["month_wh"]),
            "projected_kwh": (
                str(projection.projected_kwh) if projection else texts.ZNS_NOT_PROJECTED
            ),
            "projected_amount": (
                str(projection.bill.total) if projection else texts.ZNS_NOT_PROJECTED
            ),
        }
    data = {"customer_code": customer_code}
    for name, value in payload.items():
        if (
            name != "stop_kind"
            and isinstance(value, str | int | float)
            and not isinstance(value, bool)
        ):
            key, parameter = _template_field(name, value)
            data[key] = parameter
    return data


def _template_field(name: str, value: str | int | float) -> tuple[str, str]:
    """A payload field as a ZNS parameter: energy in kWh, days and moments as people write them."""
    if name.endswith("_wh") and isinstance(value, int):
        return name.removesuffix("_wh") + "_kwh", _kwh(value)
    if name == "day" and isinstance(value, str):
        return name, format_date(date.fromisoformat(value))
    if name.endswith("_at") and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return name, f"{moment:%H:%M} {format_date(moment.date())}"
    return name, str(value)


def next_local(moment: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first `at` o'clock in `zone` after `moment`."""
    local = moment.astimezone(zone)
    candidate = datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate


def outcome(error: ZaloError, now: datetime, zone: ZoneInfo) -> SendResult:  # noqa: PLR0911
    """What a Zalo error means for an outbox message."""
    text = f"Zalo {error.code}: {error.message}"
    if isinstance(error, ZaloAuthError):
        return SendResult(Delivery.RATE_LIMITED, retry_after=AUTH_PAUSE, error=text)
    if error.code in DAILY_QUOTA_CODES:
        midnight = next_local(now, time(0, 0), zone)
        return SendResult(
            Delivery.RATE_LIMITED, retry_after=(midnight - now).total_seconds(), error=text
        )
    if error.code == NIGHT_CODE:
        morning = next_local(now, NIGHT_ENDS, zone)
        return SendResult(
            Delivery.RATE_LIMITED, retry_after=(morning - now).total_seconds(), error=text
        )
    if error.kind is ErrorKind.QUOTA:
        pause = RATE_LIMIT_PAUSE if error.code in (-32, -429) else MONEY_PAUSE
        return SendResult(Delivery.RATE_LIMITED, retry_after=pause, error=text)
    if error.code in WINDOW_CLOSED_CODES:  # this message cannot go now; the chat may still
        return SendResult(Delivery.REJECTED, error=text)
    if error.kind is ErrorKind.UNREACHABLE:
        return SendResult(Delivery.UNREACHABLE, error=text)
    if error.kind in (ErrorKind.UNAVAILABLE, ErrorKind.TOKEN) or error.code in TRANSIENT_CODES:
        return SendResult(Delivery.TRANSIENT, error=text)  # a token refused even after renewal
    return SendResult(Delivery.REJECTED, error=text)


class ZaloPushSender:
    """The scheduler's `Sender` for the "zalo" bucket (consultation message or ZNS template)."""

    def __init__(
        self,
        client: Callable[[], OaClient],
        engine: Engine,
        templates: Mapping[str, str],
        zone: ZoneInfo,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._client = client
        self._engine = engine
        self._templates = dict(templates)
        self._zone = zone
        self._clock = clock

    def in_window(self, message: ClaimedMessage, now: datetime) -> bool:
        """Whether the user wrote to the OA less than 7 days before `now`."""
        return now - message.last_seen_at < INTERACTION_WINDOW

    async def send(self, message: ClaimedMessage, reply: Reply) -> SendResult:
        """Send as a consultation message inside the window, else as ZNS; never raises."""
        now = self._clock()
        try:
            if self.in_window(message, now) and not await self._past_free_replies(message, now):
                result = await self._consult(message, reply, now)
                if result is not None:
                    return result
            return await self._notify(message, now)
        except Exception as error:  # the sender's error boundary: the dispatcher must go on
            logger.exception("Zalo scheduled message %d failed", message.id)
            return SendResult(Delivery.TRANSIENT, error=f"unexpected: {error!r}")

    async def _past_free_replies(self, message: ClaimedMessage, now: datetime) -> bool:
        """Whether the free replies after the user's last message are used up (48 h, or 8
        messages) and a ZNS template can carry this one instead of a proactive message."""
        if self._template_of(message.kind) is None:
            return False  # no template: a proactive consultation message rather than none
        if now - message.last_seen_at >= FREE_REPLY_WINDOW:
            return True
        sent = await asyncio.to_thread(self._sent_since_last_seen, message)
        return sent >= FREE_REPLIES

    def _sent_since_last_seen(self, message: ClaimedMessage) -> int:
        with self._engine.connect() as connection:
            return messages_sent_since(connection, message.chat_user_id, message.last_seen_at)

    async def _consult(
        self, message: ClaimedMessage, reply: Reply, now: datetime
    ) -> SendResult | None:
        """Send the reply's text parts; None when Zalo says the window has closed."""
        try:
            for part in render_reply(reply):
                if isinstance(part, TextMessage):  # scheduled messages carry no pictures
                    await self._client().send_message(message.recipient, part.message)
        except ZaloError as error:
            if error.code in WINDOW_CLOSED_CODES:
                logger.debug("Zalo %s: window closed, trying ZNS", message.recipient)
                return None
            log_failure(error, f"Zalo scheduled message {message.id}")
            return outcome(error, now, self._zone)
        return SendResult(Delivery.SENT)

    def _template_of(self, kind: str) -> str | None:
        """The ZNS template configured for messages of `kind`, if any."""
        return self._templates.get(template_key(kind)) or None

    async def _notify(self, message: ClaimedMessage, now: datetime) -> SendResult:
        template_id = self._template_of(message.kind)
        if template_id is None:
            return SendResult(
                Delivery.REJECTED,
                error=f"outside Zalo's 7-day window and no ZNS template "
                f"{template_key(message.kind)!r} in DIENBOT_ZNS_TEMPLATES",
            )
        contact = None
        if message.customer_id is not None:
            contact = await asyncio.to_thread(self._contact, message.customer_id)
        if contact is None:
            return SendResult(Delivery.REJECTED, error="ZNS needs the customer's contract phone")
        phone_text, code = contact
        try:
            phone = zns_phone(phone_text)
        except ValueError as error:
            return SendResult(Delivery.REJECTED, error=f"ZNS: {error}")
        try:
            data = template_data(message.kind, message.payload, code)
        except (KeyError, ValueError) as error:
            return SendResult(Delivery.REJECTED, error=f"ZNS template data: {error!r}")
        try:
            await self._client().send_template(phone, template_id, data, f"outbox-{message.id}")
        except ZaloError as error:
            log_failure(error, f"ZNS scheduled message {message.id} to {mask_phone(phone)}")
            return outcome(error, now, self._zone)
        return SendResult(Delivery.SENT)

    def _contact(self, customer_id: int) -> tuple[str, str] | None:
        """The contract phone and customer code of a customer."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(Customer.phone, Customer.customer_code).where(Customer.id == customer_id)
            ).one_or_none()
        return None if row is None else (str(row[0]), str(row[1]))


# -- in the service ------------------------------------------------------------------------------


def zalo_dispatcher(
    engine: Engine,
    settings: Settings,
    channel: ZaloChannel,
    *,
    worker: str | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Dispatcher:
    """A dispatcher of the "zalo" bucket over the channel's client, at DIENBOT_ZALO_SEND_RATE."""
    sender = ZaloPushSender(
        lambda: channel.client, engine, settings.zns_templates, settings.zone, clock=clock
    )
    name = worker or f"{socket.gethostname()}:{os.getpid()}:zalo"
    return Dispatcher(
        engine, ZALO_BUCKET, settings.zalo_send_rate, sender, worker=name, clock=clock
    )


def install_zalo_push(app: web.Application, channel: ZaloChannel) -> None:
    """Run the Zalo dispatcher in the service while the channel runs (after its start-up)."""

    async def push(app: web.Application) -> AsyncIterator[None]:
        from bot.web.keys import ENGINE, SETTINGS  # the web keys import the conversation core

        stop = asyncio.Event()
        task = asyncio.create_task(_supervise(app[ENGINE], app[SETTINGS], channel, stop))
        yield
        stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=RESTART_SECONDS)
        except TimeoutError:  # a batch waiting out a long pause: its leases get reaped
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.cleanup_ctx.append(push)


async def _supervise(
    engine: Engine, settings: Settings, channel: ZaloChannel, stop: asyncio.Event
) -> None:
    """Dispatch until `stop`; an unexpected error is logged and dispatching starts again."""
    while not stop.is_set():
        try:
            await zalo_dispatcher(engine, settings, channel, clock=channel.now).run(stop)
        except Exception:
            logger.exception("the Zalo dispatcher failed; starting again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=RESTART_SECONDS)
