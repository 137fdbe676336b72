"""`dienbot push daily|status|send`: queue once, count and forecast, deliver and stop cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from bot.cli import main
from bot.cli.push_cmd import forecast, forecast_line
from bot.config import load_settings
from meters.daily_fanout import DailyPage, stage_daily_usage_page
from meters.outbox_days import create_stage
from meters.outbox_records import BucketBacklog
from meters.schema import OutboxMessage
from scheduler.fanout import PAGE_SIZE
from tests.clock import offset_to, running_from
from tests.fakes.telegram_api import FakeTelegram
from tests.scheduler.bulk import add_subscribers
from tests.scheduler.conftest import MORNING, WINDOW, YESTERDAY, ZONE

TOKEN = "123456:PUSHCMD"
DIENBOT = Path(sys.executable).with_name("dienbot")
PROCESS_TIMEOUT = 60.0  # a safety net for the real subprocess, not a synchronisation


@pytest.fixture(autouse=True)
def _no_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings from the test's environment only (no .env of the working tree)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("DIENBOT_") and name != "DIENBOT_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


def push(capsys: pytest.CaptureFixture[str], *arguments: str) -> str:
    """Run `dienbot push …`, expect success, return what it printed."""
    assert main(["push", *arguments]) == 0
    return capsys.readouterr().out


def make_due(engine: Engine, not_before: datetime, expires_at: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage).values(not_before=not_before, expires_at=expires_at)
        )


def count_in(engine: Engine, status: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).where(OutboxMessage.status == status)
            ).scalar_one()
        )


def test_push_daily_queues_each_subscriber_once(
    engine: Engine, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    add_subscribers(engine, 12, YESTERDAY, MORNING)
    first = json.loads(
        push(capsys, "daily", "--date", YESTERDAY.isoformat(), "--database", database_url)
    )
    assert (first["day"], first["queued"], first["pages"]) == (YESTERDAY.isoformat(), 12, 1)
    again = json.loads(
        push(capsys, "daily", "--date", YESTERDAY.isoformat(), "--database", database_url)
    )
    assert again["queued"] == 0
    assert count_in(engine, "pending") == 12


def test_push_daily_defaults_to_yesterday_in_the_configured_zone(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    after_midnight = datetime(2026, 11, 21, 0, 30, tzinfo=ZONE)  # still the 20th in UTC
    monkeypatch.setenv("DIENBOT_CLOCK_OFFSET", offset_to(after_midnight))
    summary = json.loads(push(capsys, "daily", "--database", sqlite_url))
    assert date.fromisoformat(summary["day"]) == date(2026, 11, 20)
    assert summary["queued"] == 0


def test_push_daily_refuses_a_malformed_date(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["push", "daily", "--date", "19/11/2026", "--database", sqlite_url])
    assert exit_.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_push_status_counts_per_kind_channel_and_status_and_forecasts_the_bucket(
    engine: Engine,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_subscribers(engine, 30, YESTERDAY, MORNING)
    push(capsys, "daily", "--date", YESTERDAY.isoformat(), "--database", database_url)
    monkeypatch.setenv("DIENBOT_CLOCK_OFFSET", offset_to(MORNING))
    starts = MORNING + timedelta(hours=1)
    make_due(engine, starts, starts + timedelta(hours=2))
    with engine.begin() as connection:
        first_ids = select(OutboxMessage.id).order_by(OutboxMessage.id).limit(5).scalar_subquery()
        connection.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(first_ids)).values(status="sent")
        )

    report = json.loads(push(capsys, "status", "--json", "--database", database_url))
    assert report["counts"] == [
        {
            "kind": "daily_usage",
            "channel": "telegram",
            "pending": 25,
            "sending": 0,
            "sent": 5,
            "failed": 0,
            "expired": 0,
        }
    ]
    done_by = (starts + timedelta(seconds=25 / 25)).astimezone(ZONE)
    [bucket] = report["buckets"]
    assert bucket["bucket"] == "telegram"
    assert (bucket["pending"], bucket["rate"]) == (25, 25.0)
    assert bucket["done_by"] == done_by.isoformat()

    text = push(capsys, "status", "--database", database_url)
    header, row = text.splitlines()[:2]
    assert header.split() == ["kind", "channel", "pending", "sending", "sent", "failed", "expired"]
    assert row.split() == ["daily_usage", "telegram", "25", "0", "5", "0", "0"]
    assert "telegram: 25 pending, at 25/s done by" in text


def test_push_status_shows_a_day_staged_but_not_yet_sendable(
    engine: Engine, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """On PostgreSQL a day's first fan-out writes its own table and attaches it at the end."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite stages nothing")
    add_subscribers(engine, 30, YESTERDAY, MORNING)
    send_day = YESTERDAY + timedelta(days=1)
    window = WINDOW
    with engine.begin() as connection:  # a fan-out that stopped after its first page, unattached
        create_stage(connection, YESTERDAY, PAGE_SIZE)
        stage_daily_usage_page(
            connection,
            DailyPage(
                day=YESTERDAY,
                first_id=1,
                last_id=PAGE_SIZE,
                not_before_by_hour=window.hours(send_day),
                default_not_before=window.opens(send_day),
                expires_at=window.closes(send_day),
                now=MORNING,
            ),
        )

    report = json.loads(push(capsys, "status", "--json", "--database", database_url))
    assert report["counts"] == []
    assert report["staged"] == [{"day": YESTERDAY.isoformat(), "pages": 1, "messages": 30}]
    text = push(capsys, "status", "--database", database_url)
    assert text.splitlines()[0] == "the outbox is empty"
    assert f"daily_usage of {YESTERDAY.isoformat()}: 30 messages staged in 1 pages" in text
    assert f"push daily --date {YESTERDAY.isoformat()}" in text

    push(capsys, "daily", "--date", YESTERDAY.isoformat(), "--database", database_url)
    report = json.loads(push(capsys, "status", "--json", "--database", database_url))
    assert report["staged"] == []
    assert report["counts"][0]["pending"] == 30


def test_push_status_of_an_empty_outbox(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert push(capsys, "status", "--database", sqlite_url).strip() == "the outbox is empty"


def test_the_forecast_reads_like_a_clock_and_warns_past_the_window() -> None:
    settings = load_settings({}, env_file=None)
    seven = datetime(2026, 11, 20, 7, 0, tzinfo=ZONE)
    backlog = BucketBacklog("telegram", 123_456, seven)
    line = forecast_line(forecast(backlog, {"telegram": 25}, seven, settings), seven, settings)
    assert line == "telegram: 123 456 pending, at 25/s done by 08:22"

    huge = BucketBacklog("telegram", 2_000_000, seven)
    line = forecast_line(forecast(huge, {"telegram": 25}, seven, settings), seven, settings)
    assert line.startswith("telegram: 2 000 000 pending, at 25/s done by 2026-11-21 05:13")
    assert "after the window closes at 21:00" in line

    zalo = BucketBacklog("zalo", 3, seven)
    line = forecast_line(forecast(zalo, {"telegram": 25}, seven, settings), seven, settings)
    assert line == "zalo: 3 pending (no configured rate)"


def test_push_send_needs_a_telegram_token(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["push", "send", "--database", sqlite_url]) == 2
    assert "DIENBOT_TELEGRAM_TOKEN" in capsys.readouterr().err


def test_push_send_refuses_a_rate_over_the_paid_broadcast_ceiling(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIENBOT_TELEGRAM_TOKEN", TOKEN)
    assert main(["push", "send", "--rate", "5000", "--database", sqlite_url]) == 2
    assert "--rate" in capsys.readouterr().err


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    """The Bot API stand-in with Telegram's flood limits on."""
    fake = FakeTelegram(token=TOKEN, clock=running_from(MORNING + timedelta(hours=2)))
    await fake.start()
    fake.set_limits(global_per_s=30, per_chat_per_s=1, mode="reject")
    yield fake
    await fake.stop()


async def test_push_send_stops_on_sigterm_holding_nothing_and_recording_all_it_sent(
    engine: Engine, database_url: str, telegram: FakeTelegram, tmp_path: Path
) -> None:
    subscribers = add_subscribers(engine, 200, YESTERDAY, MORNING)
    for subscriber in subscribers:
        telegram.add_user(subscriber.telegram_id).started = True
    assert (
        main(["push", "daily", "--date", YESTERDAY.isoformat(), "--database", database_url]) == 0
    )
    sending = MORNING + timedelta(hours=2)  # the process's clock reads it when it starts
    make_due(engine, sending - timedelta(seconds=1), sending + timedelta(hours=1))
    output = tmp_path / "send.out"
    process = await asyncio.create_subprocess_exec(
        str(DIENBOT),
        "push",
        "send",
        "--rate=20",
        "--worker=terminated",
        cwd=tmp_path,
        env={
            **os.environ,
            "DIENBOT_DATABASE_URL": database_url,
            "DIENBOT_TELEGRAM_TOKEN": TOKEN,
            "DIENBOT_TELEGRAM_API_URL": telegram.base_url,
            "DIENBOT_CLOCK_OFFSET": offset_to(sending),
        },
        stdout=output.open("wb"),
        stderr=(tmp_path / "send.err").open("wb"),
    )
    await telegram.wait_until(lambda: len(telegram.calls) >= 15, PROCESS_TIMEOUT)
    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(PROCESS_TIMEOUT):
        status = await process.wait()

    assert status == 0, (tmp_path / "send.err").read_text()
    summary = json.loads(output.read_text())
    delivered = sum(len(telegram.bot_messages(s.telegram_id)) for s in subscribers)
    assert summary["sent"] == delivered == count_in(engine, "sent")
    assert count_in(engine, "sending") == 0
    assert count_in(engine, "pending") == 200 - delivered > 0
