"""`dienbot demo`: fills an empty store once, deterministically; never touches a filled one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.cli import main
from meters.database import create_store_engine
from meters.overview import StoreOverview, store_overview
from meters.schema import Bill, Customer

SMALL = ["--customers", "25", "--days", "35", "--today", "2025-11-20"]


def overview(url: str) -> StoreOverview:
    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            return store_overview(connection)
    finally:
        engine.dispose()


def dump(url: str) -> list[tuple[object, ...]]:
    """Customers and bills as plain tuples, in a stable order."""
    engine: Engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            customers = connection.execute(
                select(
                    Customer.customer_code, Customer.name, Customer.phone, Customer.area
                ).order_by(Customer.customer_code)
            ).all()
            bills = connection.execute(
                select(Bill.bill_no, Bill.kwh, Bill.total, Bill.paid_at).order_by(Bill.bill_no)
            ).all()
    finally:
        engine.dispose()
    return [tuple(row) for row in (*customers, *bills)]


def test_fills_an_empty_database_and_reports_counts(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--database", database_url, "--seed", "5", *SMALL]) == 0
    report = json.loads(capsys.readouterr().out)
    store = overview(database_url)
    assert report["customers"] == store.customers == 25
    assert report["readings"] == store.readings > 25 * 35
    assert report["bills"] == store.bills
    assert store.outages > 0
    assert store.payment_points > 0
    assert (report["seed"], report["today"]) == (5, "2025-11-20")


def test_a_filled_database_is_refused_and_left_unchanged(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--database", database_url, *SMALL]) == 0
    before = overview(database_url)
    capsys.readouterr()
    assert main(["demo", "--database", database_url, "--seed", "9", *SMALL]) == 2
    assert "already has customers" in capsys.readouterr().err
    assert overview(database_url) == before


def test_if_empty_skips_a_filled_database_quietly(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--database", database_url, *SMALL]) == 0
    before = dump(database_url)
    capsys.readouterr()
    assert main(["demo", "--if-empty", "--database", database_url, "--seed", "9", *SMALL]) == 0
    assert "already has customers" in capsys.readouterr().out
    assert dump(database_url) == before


def test_if_empty_fills_an_empty_database(database_url: str) -> None:
    assert main(["demo", "--if-empty", "--database", database_url, *SMALL]) == 0
    assert overview(database_url).customers == 25


def test_same_seed_and_day_give_the_same_rows(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("a", "b", "c")]
    for url, seed in zip(urls, ("3", "3", "4"), strict=True):
        assert main(["demo", "--database", url, "--seed", seed, *SMALL]) == 0
    first, second, other = (dump(url) for url in urls)
    assert first == second
    assert first != other


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--today", "2025-13-01"),
        ("--today", "yesterday"),
        ("--customers", "0"),
        ("--customers", "many"),
        ("--days", "3"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--database", url, option, value])
    assert exit_info.value.code == 2
    assert option in capsys.readouterr().err
    assert not (tmp_path / "store.db").exists()
