"""The text of a scheduled message, from the numbers queued with it.

Daily messages are rendered when they are sent (the fan-out only queues numbers, so that
queuing millions stays one SQL statement a page); other kinds carry their text already.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal, InvalidOperation

from handlers import texts
from handlers.cases import author_of_payload
from handlers.format import format_date, format_kwh, format_money
from handlers.types import Button, Reply
from meters.daily_numbers import DAILY_USAGE
from meters.outbox_records import ClaimedMessage
from scheduler.month_bill import bill_total, calendar_month_request
from tariff.errors import TariffError
from tariff.explain import Projection, project_period_end
from tariff.model import BillRequest, CustomerType

TIER_WARNING_KWH = 50  # warn when the next tier is this close (or will be crossed this month)
# Bills priced for the daily messages, by request: a morning's messages share the day and most
# share a month-to-date in whole kWh, so a few thousand bills price millions of messages (a
# bill costs ~70 µs of Decimal arithmetic, three per message, on the dispatcher's one core).
PRICED_BILLS = 16_384


# Kinds stopped by withdrawing a consent rather than a subscription (answered by `consent:`).
STOP_BY_CONSENT = {"survey": "surveys"}


def stop_button(kind: str) -> Button:
    """The one-tap way to stop this kind of message."""
    if kind in STOP_BY_CONSENT:
        return Button(texts.PUSH_STOP_BUTTON, f"consent:{STOP_BY_CONSENT[kind]}")
    return Button(texts.PUSH_STOP_BUTTON, f"unsub:{kind}")


def render(message: ClaimedMessage) -> Reply:
    """The reply to send for a claimed outbox message."""
    if message.kind == DAILY_USAGE:
        return render_daily_usage(message.payload)
    text = str(message.payload.get("text", ""))
    stop = message.payload.get("stop_kind")
    answers = message.payload.get("buttons")
    buttons = [
        Button(str(label), str(data))
        for label, data in (answers if isinstance(answers, list) else ())
    ]
    if stop:
        buttons.append(stop_button(str(stop)))
    return Reply(text, tuple(buttons), author=author_of_payload(message.payload))


def render_daily_usage(payload: dict[str, object]) -> Reply:
    """Yesterday's use and cost, the month so far, the projected bill and a tier warning."""
    day = date.fromisoformat(str(payload["day"]))
    used_wh = int(str(payload["used_wh"]))
    month_wh = int(str(payload["month_wh"]))
    projection = _projection(payload, day, month_wh)
    cost = ""
    if projection is not None:
        before = _bill_total(payload, day, month_wh - used_wh)
        if before is not None:
            cost = texts.PUSH_DAILY_COST.format(
                amount=format_money((_bill_total(payload, day, month_wh) or 0) - before)
            )
    lines = [
        texts.PUSH_DAILY_USAGE.format(
            code=payload["code"], day=format_date(day), used=format_kwh(used_wh), cost=cost
        )
    ]
    if payload.get("estimated"):
        lines[0] += texts.PUSH_DAILY_ESTIMATED
    lines.append(
        texts.PUSH_MONTH_TO_DATE.format(used=format_kwh(month_wh), days=payload["month_days"])
    )
    if projection is not None:
        lines.append(
            texts.PUSH_PROJECTION.format(
                kwh=projection.projected_kwh, amount=format_money(projection.bill.total)
            )
        )
        warning = tier_warning(projection)
        if warning:
            lines.append(warning)
    return Reply("\n".join(lines), (stop_button(DAILY_USAGE),))


def daily_projection(payload: dict[str, object]) -> Projection | None:
    """The month-end forecast of a daily message's payload (None: not a residential tariff)."""
    day = date.fromisoformat(str(payload["day"]))
    return _projection(payload, day, int(str(payload["month_wh"])))


def tier_warning(projection: Projection) -> str | None:
    """ "Còn 18 kWh nữa là sang bậc 5 …" when the next tier is near or will be reached."""
    left = projection.kwh_left_in_tier
    if left is None or projection.tier is None or projection.next_tier_price is None:
        return None
    crossing = projection.projected_kwh > projection.kwh_to_date + left
    if left > TIER_WARNING_KWH and not crossing:
        return None
    extra = projection.crossing_cost_per_kwh or 0
    return texts.PUSH_TIER_WARNING.format(
        left=left,
        tier=projection.tier + 1,
        price=format_money(projection.next_tier_price),
        extra=format_money(extra),
    )


def _request(payload: dict[str, object], day: date, wh: int) -> BillRequest | None:
    if payload.get("customer_type") != CustomerType.RESIDENTIAL.value:
        return None
    try:
        households = Decimal(str(payload.get("households") or 1))
    except InvalidOperation:
        households = Decimal(1)
    return calendar_month_request(day, wh, households=households)


def _projection(payload: dict[str, object], day: date, month_wh: int) -> Projection | None:
    request = _request(payload, day, month_wh)
    return None if request is None else _projected(request, day)


def _bill_total(payload: dict[str, object], day: date, wh: int) -> int | None:
    request = _request(payload, day, wh)
    return None if request is None else _priced(request)


@functools.lru_cache(maxsize=PRICED_BILLS)
def _projected(request: BillRequest, day: date) -> Projection | None:
    try:
        return project_period_end(request, day)
    except TariffError:
        return None


@functools.lru_cache(maxsize=PRICED_BILLS)
def _priced(request: BillRequest) -> int | None:
    return bill_total(request)
