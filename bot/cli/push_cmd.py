"""`dienbot push daily|status|send`: queue, watch and deliver scheduled messages."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import signal
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.cli.common import EXIT_OK, UsageError, add_database_option, migrated_engine, settings_from
from bot.clock import service_clock
from bot.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from meters.outbox_days import StagedDay
    from meters.outbox_records import BucketBacklog, StatusCount
    from scheduler.dispatcher import DispatchStats

logger = logging.getLogger(__name__)

STATUSES = ("pending", "sending", "sent", "failed", "expired")
MAX_RATE = 1000.0  # Telegram's paid broadcast tops out at 1 000 messages/s


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `push` command and its sub-commands."""
    parser = commands.add_parser(
        "push",
        help="scheduled messages: queue the daily ones, show the outbox, deliver",
        description="Queue, watch and deliver scheduled messages (the outbox).",
    )
    actions = parser.add_subparsers(dest="push_command", required=True)

    daily = actions.add_parser(
        "daily",
        help="queue the daily usage message of day D for every subscriber",
        description=(
            "Queue the daily usage message of day D (default: yesterday) for every subscriber "
            "whose reading has arrived. Running it twice queues nothing new."
        ),
    )
    daily.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="default: yesterday")
    add_database_option(daily)
    daily.set_defaults(handler=run_daily)

    status = actions.add_parser(
        "status",
        help="messages per kind, channel and status; when the backlog will be sent",
        description="Count the outbox per kind, channel and status, and estimate when each "
        "bucket's backlog is sent at its configured rate.",
    )
    status.add_argument("--json", action="store_true", help="print JSON")
    add_database_option(status)
    status.set_defaults(handler=run_status)

    send = actions.add_parser(
        "send",
        help="deliver the due messages of one bucket (until stopped)",
        description="Deliver the due messages of one bucket at its rate, shared with every other "
        "dispatcher process of the bucket. SIGTERM or Ctrl-C stops after the current batch.",
    )
    send.add_argument("--bucket", choices=["telegram"], default="telegram")
    send.add_argument("--until-empty", action="store_true", help="stop when nothing is left")
    send.add_argument(
        "--rate", type=float, help="messages per second (default: DIENBOT_TELEGRAM_SEND_RATE)"
    )
    send.add_argument("--lease-seconds", type=float, default=60.0, help="lease of a claim")
    send.add_argument("--worker", help="this process's name in the leases (default: host:pid)")
    add_database_option(send)
    send.set_defaults(handler=run_send)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def run_daily(arguments: argparse.Namespace) -> int:
    """Fan out the daily message of the day and print the JSON summary."""
    from scheduler.fanout import fan_out_daily
    from scheduler.window import DeliveryWindow

    settings = settings_from(arguments)
    now = service_clock(settings)()
    day: date = arguments.date or now.astimezone(settings.zone).date() - timedelta(days=1)
    start, end = settings.push_hours
    engine = migrated_engine(settings)
    try:
        report = fan_out_daily(engine, day, DeliveryWindow(start, end, settings.zone), now)
    finally:
        engine.dispose()
    summary = {
        "day": report.day.isoformat(),
        "queued": report.queued,
        "pages": report.pages,
        "seconds": round(report.seconds, 3),
    }
    print(json.dumps(summary))
    return EXIT_OK


@dataclass(frozen=True, slots=True)
class Forecast:
    """When one bucket's backlog is sent at its configured rate (None: no known rate)."""

    bucket: str
    pending: int
    rate: float | None
    done_by: datetime | None
    window_closes: datetime | None


def forecast(
    backlog: BucketBacklog, rates: dict[str, float], now: datetime, settings: Settings
) -> Forecast:
    """The expected finish of `backlog`: from its first due moment (or now), one slot each."""
    rate = rates.get(backlog.bucket)
    if rate is None:
        return Forecast(backlog.bucket, backlog.pending, None, None, None)
    begins = max(now, backlog.first_due) if backlog.first_due is not None else now
    done = begins + timedelta(seconds=backlog.pending / rate)
    first_day = begins.astimezone(settings.zone).date()  # daily messages expire at its close
    closes = datetime.combine(first_day, settings.push_hours[1], tzinfo=settings.zone)
    return Forecast(backlog.bucket, backlog.pending, rate, done, closes)


def run_status(arguments: argparse.Namespace) -> int:
    """Print the outbox counts and the expected finish of each bucket."""
    from meters.outbox_days import staged_days
    from meters.outbox_store import SqlOutboxStore

    settings = settings_from(arguments)
    now = service_clock(settings)()
    engine = migrated_engine(settings)
    try:
        with engine.connect() as connection:
            store = SqlOutboxStore(connection)
            counts = store.status_counts()
            backlogs = store.backlog(now)
            staged = staged_days(connection)
    finally:
        engine.dispose()
    rates = {"telegram": settings.telegram_send_rate}
    forecasts = [forecast(backlog, rates, now, settings) for backlog in backlogs]
    if arguments.json:
        print(json.dumps(_status_json(counts, forecasts, staged, settings)))
    else:
        print(_status_text(counts, forecasts, staged, now, settings))
    return EXIT_OK


def _table(counts: tuple[StatusCount, ...]) -> dict[tuple[str, str], dict[str, int]]:
    table: dict[tuple[str, str], dict[str, int]] = {}
    for count in counts:
        row = table.setdefault((count.kind, count.channel), dict.fromkeys(STATUSES, 0))
        row[count.status] = row.get(count.status, 0) + count.count
    return table


def _status_json(
    counts: tuple[StatusCount, ...],
    forecasts: list[Forecast],
    staged: tuple[StagedDay, ...],
    settings: Settings,
) -> dict[str, Any]:
    return {
        "counts": [
            {"kind": kind, "channel": channel, **row}
            for (kind, channel), row in _table(counts).items()
        ],
        "buckets": [
            {
                "bucket": f.bucket,
                "pending": f.pending,
                "rate": f.rate,
                "done_by": f.done_by.astimezone(settings.zone).isoformat() if f.done_by else None,
                "after_window": bool(
                    f.done_by and f.window_closes and f.done_by > f.window_closes
                ),
            }
            for f in forecasts
        ],
        "staged": [
            {"day": each.day.isoformat(), "pages": each.pages, "messages": each.messages}
            for each in staged
        ],
    }


def _status_text(
    counts: tuple[StatusCount, ...],
    forecasts: list[Forecast],
    staged: tuple[StagedDay, ...],
    now: datetime,
    settings: Settings,
) -> str:
    table = _table(counts)
    if not table:
        return "\n".join(["the outbox is empty", *map(staged_line, staged)])
    header = ["kind", "channel", *STATUSES]
    rows = [header] + [
        [kind, channel, *(_number(row[status]) for status in STATUSES)]
        for (kind, channel), row in table.items()
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    if forecasts:
        lines.append("")
    for f in forecasts:
        lines.append(forecast_line(f, now, settings))
    if staged:
        lines.append("")
    lines.extend(map(staged_line, staged))
    return "\n".join(lines)


def staged_line(staged: StagedDay) -> str:
    """A day whose daily messages are written but cannot be sent yet."""
    day = staged.day.isoformat()
    return (
        f"daily_usage of {day}: {_number(staged.messages)} messages staged in"
        f" {_number(staged.pages)} pages, not sendable until the fan-out attaches them"
        f" (if it stopped, `dienbot push daily --date {day}` finishes it)"
    )


def forecast_line(f: Forecast, now: datetime, settings: Settings) -> str:
    line = f"{f.bucket}: {_number(f.pending)} pending"
    if f.rate is None or f.done_by is None:
        return f"{line} (no configured rate)"
    local = f.done_by.astimezone(settings.zone)
    when = local.strftime("%H:%M")
    if local.date() != now.astimezone(settings.zone).date():
        when = local.strftime("%Y-%m-%d %H:%M")
    line = f"{line}, at {_rate(f.rate)}/s done by {when}"
    if f.window_closes is not None and f.done_by > f.window_closes:
        closes = f.window_closes.strftime("%H:%M")
        line += f" (after the window closes at {closes}: daily messages left then expire)"
    return line


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _rate(value: float) -> str:
    return f"{value:g}"


def run_send(arguments: argparse.Namespace) -> int:
    """Dispatch until stopped (or empty); print what was done as JSON."""
    settings = settings_from(arguments)
    if not settings.telegram_enabled:
        raise UsageError("DIENBOT_TELEGRAM_TOKEN is not set: nothing to send with")
    rate: float | None = arguments.rate
    if rate is not None and not 0 < rate <= MAX_RATE:
        raise UsageError(f"--rate must be above 0 and at most {MAX_RATE:g} messages/s")
    if arguments.lease_seconds <= 0:
        raise UsageError("--lease-seconds must be above 0")
    engine = migrated_engine(settings)
    try:
        stats = asyncio.run(_send(engine, settings, arguments))
    finally:
        engine.dispose()
    print(
        json.dumps(
            {
                "bucket": arguments.bucket,
                "sent": stats.sent,
                "retried": stats.retried,
                "unreachable": stats.unreachable,
                "rejected": stats.rejected,
                "rate_limited": stats.rate_limited,
                "late": stats.late,
                "late_claims": stats.late_claims,
                "held": stats.held,
                "reaped": stats.reaped,
                "expired": stats.expired,
                "rate": round(stats.rate(), 1),
            }
        )
    )
    return EXIT_OK


async def _send(
    engine: Engine, settings: Settings, arguments: argparse.Namespace
) -> DispatchStats:
    from bot.push.dispatch import telegram_dispatcher

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    async with telegram_dispatcher(
        engine,
        settings,
        rate=arguments.rate,
        lease=timedelta(seconds=arguments.lease_seconds),
        worker=arguments.worker,
    ) as dispatcher:
        logger.info("dispatching %s as %s", arguments.bucket, arguments.worker or "host:pid")
        # Everything loaded so far lives as long as the process: keep it out of the collector,
        # whose full passes over it would stall the sends past their slots.
        gc.collect()
        gc.freeze()
        return await dispatcher.run(stop, until_empty=arguments.until_empty)
