"""`dienbot import`: exit status, JSON summary, reports on stderr, progress on a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.cli.progress import ProgressBar
from meters.database import create_store_engine
from meters.schema import Customer
from tests.clock import offset_to

CUSTOMERS = (
    "customer_code,name,phone,address,area,customer_type,meter_id,meter_kind,reading_day\n"
    "PE0100000001,Nguyễn Văn An,0912345678,12 Lê Lợi,Quận 1,residential,M1,single,15\n"
)


def customer_count(database_url: str) -> int:
    engine = create_store_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(Customer)).scalar_one()
    finally:
        engine.dispose()


def test_import_migrates_an_empty_database_and_prints_the_summary(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS)
    assert main(["import", "customers", str(path), "--database", database_url]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "kind": "customers",
        "rows": 1,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "flagged": 0,
    }
    assert main(["import", "customers", str(path), "--database", database_url]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == 1


def test_a_bad_file_exits_2_with_one_line_per_problem_and_writes_nothing(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS + CUSTOMERS.splitlines()[1].replace("15", "0") + "\n")
    assert main(["import", "customers", str(path), "--database", database_url]) == 2
    output = capsys.readouterr()
    assert output.out == ""
    assert output.err.splitlines() == [
        f"{path}:3: reading_day: 0 is outside 1–31",
        f"dienbot: {path}: nothing was imported",
    ]
    assert customer_count(database_url) == 0


def test_flagged_readings_are_warned_about_on_stderr(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS)
    readings = tmp_path / "readings.csv"
    readings.write_text("meter_id,read_at,index_kwh\nM1,2026-11-20,10\nM1,2026-11-21,9\n")
    assert main(["import", "customers", str(customers), "--database", database_url]) == 0
    capsys.readouterr()
    assert main(["import", "readings", str(readings), "--database", database_url]) == 0
    output = capsys.readouterr()
    assert json.loads(output.out)["flagged"] == 1
    assert output.err.startswith(f"{readings}:3: index_kwh: 9.000 kWh is below")


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = f"sqlite:///{tmp_path / 'store.db'}"
    assert (
        main(["import", "customers", str(tmp_path / "missing.csv"), "--database", database]) == 2
    )
    assert "missing.csv: no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["import", "meters", str(tmp_path / "x.csv")])
    assert exited.value.code == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_only_on_a_terminal() -> None:
    terminal = _Terminal()
    bar = ProgressBar(200_000_000, terminal)
    for done in (0, 1_000_000, 2_000_000, 100_000_000, 200_000_000):
        bar(done)
    bar.close()
    frames = terminal.getvalue().split("\r")[1:]
    assert [frame.split("]")[1].split("%")[0].strip() for frame in frames] == [
        "0",
        "1",
        "50",
        "100",
    ]
    assert frames[-1] == f"[{'#' * 30}] 100%  200.0/200.0 MB\n"
    pipe = io.StringIO()
    quiet = ProgressBar(10, pipe)
    quiet(5)
    quiet.close()
    assert pipe.getvalue() == ""


def test_new_readings_queue_yesterdays_daily_messages_at_once(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from sqlalchemy import insert

    from meters.outbox_store import SqlOutboxStore
    from meters.schema import ChatLink, ChatUser, Consent, OutboxMessage, Subscription

    customers = tmp_path / "customers.csv"
    header, row = CUSTOMERS.splitlines()
    customers.write_text(f"{header},installed_at\n{row},2020-01-01\n")  # metered for years
    today = date(2026, 11, 21)
    now = datetime.combine(today, time(8, 0), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    monkeypatch.setenv("DIENBOT_CLOCK_OFFSET", offset_to(now))  # the morning's import
    assert main(["import", "customers", str(customers), "--database", database_url]) == 0
    engine = create_store_engine(database_url)
    with engine.begin() as connection:
        chat = connection.execute(
            insert(ChatUser)
            .values(channel="telegram", external_id="42", created_at=now, last_seen_at=now)
            .returning(ChatUser.id)
        ).scalar_one()
        customer = connection.execute(select(Customer.id)).scalar_one()
        connection.execute(
            insert(ChatLink).values(
                chat_user_id=chat, customer_id=customer, verified_by="contact", linked_at=now
            )
        )
        connection.execute(
            insert(Consent).values(chat_user_id=chat, purpose="daily", granted_at=now)
        )
        connection.execute(
            insert(Subscription).values(
                chat_user_id=chat, customer_id=customer, kind="daily_usage", created_at=now
            )
        )
    readings = tmp_path / "readings.csv"
    lines = ["meter_id,read_at,index_kwh"]
    for offset, index in ((2, 1000), (1, 1012), (0, 1025)):
        lines.append(f"M1,{(today - timedelta(days=offset)).isoformat()}T00:05:00,{index}")
    readings.write_text("\n".join(lines) + "\n")
    assert main(["import", "readings", str(readings), "--database", database_url]) == 0
    assert "queued 1 daily message(s)" in capsys.readouterr().err
    with engine.begin() as connection:
        due = connection.execute(select(func.max(OutboxMessage.not_before))).scalar_one()
        claimed = SqlOutboxStore(connection).claim(
            "telegram", 10, "test", due, timedelta(minutes=1)
        )
    engine.dispose()
    assert [message.payload["used_wh"] for message in claimed] == [13_000]


def test_a_year_of_readings_imported_after_the_contract_s_columns_shows_every_day(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The contract's customer file has no `installed_at`: its first meters were in place before
    any reading, so the history imported next is the customers' use, day by day."""
    from datetime import date, timedelta

    from meters.repository import SqlMeterRepository
    from meters.usage import UsageService

    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS)
    assert main(["import", "customers", str(customers), "--database", database_url]) == 0
    first, days = date(2025, 11, 1), 365
    readings = tmp_path / "readings.csv"
    lines = ["meter_id,read_at,index_kwh"]
    lines += [
        f"M1,{(first + timedelta(days=number)).isoformat()}T00:05:00,{1000 + 7 * number}"
        for number in range(days + 1)
    ]
    readings.write_text("\n".join(lines) + "\n")
    assert main(["import", "readings", str(readings), "--database", database_url]) == 0
    capsys.readouterr()
    engine = create_store_engine(database_url)
    try:
        with engine.connect() as connection:
            usage = UsageService(SqlMeterRepository(connection))
            year = usage.daily("PE0100000001", first, first + timedelta(days=days - 1))
    finally:
        engine.dispose()
    assert year.days_with_data == days
    assert {day.used_wh for day in year.days} == {7000}
