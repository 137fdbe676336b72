"""`push daily`: queue yesterday's usage message for every subscriber, page by page."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from meters.daily_fanout import queue_daily_usage_page, subscription_id_range
from scheduler.window import DeliveryWindow

PAGE_SIZE = 50_000


@dataclass(frozen=True, slots=True)
class FanOutReport:
    """What one fan-out queued."""

    day: date
    queued: int
    pages: int
    seconds: float


def fan_out_daily(
    engine: Engine,
    day: date,
    window: DeliveryWindow,
    now: datetime,
    *,
    page_size: int = PAGE_SIZE,
    on_page: Callable[[int, int], None] | None = None,
) -> FanOutReport:
    """Queue the daily message of `day` for every subscriber whose reading of `day` has arrived.

    Each page of subscriptions is its own transaction and idempotent, so a fan-out that was
    interrupted, or is run twice, only queues what is missing. Messages go out from the window's
    opening on the day after `day` (or the hour the customer chose) and expire at its closing.
    """
    started = time.perf_counter()
    send_day = day + timedelta(days=1)
    opens = window.next_open(max(now, window.opens(send_day)))
    by_hour = {hour: max(moment, opens) for hour, moment in window.hours(send_day).items()}
    expires = window.closes(send_day)
    with engine.connect() as connection:
        low, high = subscription_id_range(connection)
    queued = 0
    pages = 0
    for first in range(low, high + 1, page_size):
        with engine.begin() as connection:
            queued += queue_daily_usage_page(
                connection,
                day=day,
                first_id=first,
                last_id=min(first + page_size - 1, high),
                not_before_by_hour=by_hour,
                default_not_before=opens,
                expires_at=expires,
                now=now,
            )
        pages += 1
        if on_page is not None:
            on_page(pages, queued)
    return FanOutReport(day, queued, pages, time.perf_counter() - started)
