"""`push daily`: queue yesterday's usage message for every subscriber, page by page."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from meters.daily_fanout import (
    DailyPage,
    queue_daily_usage_page,
    stage_daily_usage_page,
    subscription_id_range,
)
from meters.outbox_days import (
    KEEP_DAYS,
    LOCK_NOT_AVAILABLE,
    create_stage,
    drop_days_before,
    index_and_attach,
    is_attached,
)
from scheduler.window import DeliveryWindow

logger = logging.getLogger(__name__)

PAGE_SIZE = 50_000
PARALLEL_PAGES = 2  # PostgreSQL: pages queued at once, one connection each


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
    workers: int | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> FanOutReport:
    """Queue the daily message of `day` for every subscriber whose reading of `day` has arrived.

    Each page of subscriptions is its own transaction and idempotent, so a fan-out that was
    interrupted, or is run twice, only queues what is missing. On PostgreSQL the first run of a
    day writes the pages into the day's own table and attaches it as the outbox's partition at
    the end (meters.outbox_days): the day's messages can be claimed from then on. The daily
    messages of days more than KEEP_DAYS before `day` are dropped first. Messages go out from
    the window's opening on the day after `day` (or the hour the customer chose) and expire at
    its closing.
    On PostgreSQL `workers` pages (default 2) run at once on their own connections; SQLite runs
    one writer at a time anyway, so there pages run one after the other.
    """
    started = time.perf_counter()
    send_day = day + timedelta(days=1)
    opens = window.next_open(max(now, window.opens(send_day)))
    by_hour = {hour: max(moment, opens) for hour, moment in window.hours(send_day).items()}
    expires = window.closes(send_day)
    postgres = engine.dialect.name == "postgresql"
    _drop_old_days(engine, day)
    with engine.begin() as connection:
        low, high = subscription_id_range(connection)
        staged = postgres and not is_attached(connection, day)
        if staged:
            create_stage(connection, day, page_size)
    queue = stage_daily_usage_page if staged else queue_daily_usage_page

    def queue_page(first: int) -> int:
        with engine.begin() as connection:
            page = DailyPage(
                day=day,
                first_id=first,
                last_id=first + page_size - 1,
                not_before_by_hour=by_hour,
                default_not_before=opens,
                expires_at=expires,
                now=now,
            )
            return queue(connection, page)

    # Pages are cut at multiples of the page size, whatever the lowest id of the day: a run
    # that finishes a stopped fan-out must find the same pages (meters.outbox_days).
    firsts = range((max(low, 1) - 1) // page_size * page_size + 1, high + 1, page_size)
    count = (workers if workers is not None else PARALLEL_PAGES) if postgres else 1
    queued = 0
    pages = 0
    for page_queued in _run_pages(queue_page, firsts, count):
        queued += page_queued
        pages += 1
        if on_page is not None:
            on_page(pages, queued)
    if staged:
        with engine.begin() as connection:
            index_and_attach(connection, day)
    return FanOutReport(day, queued, pages, time.perf_counter() - started)


def _drop_old_days(engine: Engine, day: date) -> None:
    """Drop the daily messages of days long past, unless the outbox is busy: then tomorrow."""
    try:
        with engine.begin() as connection:
            drop_days_before(connection, day - timedelta(days=KEEP_DAYS))
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        logger.warning("old daily messages kept until the next fan-out: the outbox is busy")


def _run_pages(queue_page: Callable[[int], int], firsts: range, workers: int) -> Iterator[int]:
    """Each page's count, in page order; `workers` pages at a time, stopping at the first error."""
    if workers <= 1:
        yield from map(queue_page, firsts)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fan-out") as pool:
        futures = [pool.submit(queue_page, first) for first in firsts]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()  # pages not started yet; those running finish their transaction
