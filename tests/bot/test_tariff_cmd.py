"""`dienbot tariff calc` prints the bill of tariff.md as the interfaces.md JSON or a table."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from tariff import BillRequest, compute_bill
from tests.clock import offset_to


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    """Run `dienbot tariff calc ARGUMENTS` and return (status, stdout, stderr)."""
    status = main(["tariff", "calc", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_matches_the_engine_and_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "--kwh", "410", "--start", "2015-06-16", "--end", "2015-07-15", "--json"
    )
    assert status == 0
    printed = json.loads(out)
    bill = compute_bill(
        BillRequest(kwh=410, period_start=date(2015, 6, 16), period_end=date(2015, 7, 15))
    )
    assert printed["kwh"] == 410
    assert (printed["period_start"], printed["period_end"]) == ("2015-06-16", "2015-07-15")
    assert printed["households"] == 1
    assert (printed["amount_before_vat"], printed["vat"], printed["total"]) == (
        bill.amount_before_vat,
        bill.vat,
        bill.total,
    )
    assert printed["vat_rate"] == 0.1
    first = printed["lines"][0]
    assert {key: first[key] for key in ("tier", "kwh", "price", "amount", "tariff_from")} == {
        "tier": 1,
        "kwh": 50,
        "price": bill.lines[0].price,
        "amount": bill.lines[0].amount,
        "tariff_from": "2015-03-16",
    }


def test_three_price_meter_by_voltage(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["--type", "business", "--voltage-kv", "22", "--normal", "1200", "--peak", "300"]
    status, out, _ = run(
        capsys,
        *arguments,
        "--offpeak",
        "500",
        "--start",
        "2025-06-01",
        "--end",
        "2025-06-30",
        "--json",
    )
    assert status == 0
    printed = json.loads(out)
    assert {line["band"]: line["price"] for line in printed["lines"]} == {
        "normal": 2887,
        "peak": 5025,
        "offpeak": 1609,
    }


def test_households_persons_and_flags_reach_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    period = ["--start", "2025-06-01", "--end", "2025-06-30", "--json"]
    _, out, _ = run(capsys, "--kwh", "300", "--households", "1.5", *period)
    assert json.loads(out)["households"] == 1.5
    _, out, _ = run(capsys, "--kwh", "300", "--persons", "6", *period)
    assert json.loads(out)["lines"][0]["quota"] == 75
    _, out, _ = run(capsys, "--kwh", "170", "--renter-undeclared", *period)
    assert [line["price"] for line in json.loads(out)["lines"]] == [2380]
    _, out, _ = run(capsys, "--kwh", "170", "--prepaid", *period)
    assert [line["price"] for line in json.loads(out)["lines"]] == [2909]


def test_default_period_is_the_current_calendar_month(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    on_the_14th = datetime(2024, 2, 14, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    monkeypatch.setenv("DIENBOT_CLOCK_OFFSET", offset_to(on_the_14th))
    _, out, _ = run(capsys, "--kwh", "100", "--json")
    printed = json.loads(out)
    assert (printed["period_start"], printed["period_end"]) == ("2024-02-01", "2024-02-29")


def test_table_is_vietnamese_with_thousands_dots(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--kwh", "410", "--start", "2015-06-16", "--end", "2015-07-15")
    assert status == 0
    assert "Bậc 6" in out
    assert "829.820 đ" in out
    assert "Thuế GTGT 10%" in out
    assert "912.802 đ" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--kwh", "-1"], "must not be negative"),
        (["--kwh", "10", "--start", "2025-06-30", "--end", "2025-06-01"], "before period start"),
        (["--kwh", "10", "--type", "shop"], "invalid choice"),
        (["--kwh", "10", "--normal", "5"], "not both"),
        (["--kwh", "10", "--start", "2014-01-01", "--end", "2014-01-31"], "no residential tariff"),
        (["--kwh", "10", "--start", "2015-03-01", "--end", "2015-03-31"], "first known is"),
        (["--type", "business", "--normal", "-1", "--peak", "2", "--offpeak", "3"], "negative"),
        (["--kwh", "10", "--type", "business", "--voltage-kv", "-1"], "non-negative"),
        (["--kwh", "10", "--persons", "0"], "at least 1"),
        (["--kwh", "10", "--type", "admin_public", "--peak", "1"], "not both"),
        (["--kwh", "10", "--end", "2025-06-30"], "both --start and --end"),
        (["--kwh", "10", "--start", "2025-06-01"], "both --start and --end"),
        (["--kwh", "ten"], "whole number"),
        (["--kwh", "10", "--households", "0"], "greater than 0"),
        (["--kwh", "10", "--households", "2", "--persons", "3"], "not both"),
        (["--normal", "1", "--peak", "2", "--offpeak", "3"], "residential"),
        (["--type", "business", "--normal", "1", "--peak", "2"], "missing offpeak"),
        (["--kwh", "10", "--type", "business", "--prepaid"], "only apply to residential"),
        ([], "no consumption"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    given = "--start" in arguments or "--end" in arguments
    period = [] if given else ["--start", "2025-06-01", "--end", "2025-06-30"]
    try:
        status, out, err = run(capsys, *arguments, *period)
    except SystemExit as exit_:
        status, err = int(str(exit_.code)), capsys.readouterr().err
        out = ""
    assert status == 2
    assert out == ""
    assert message in err


def test_household_count_is_printed_as_a_decimal_in_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(
        capsys,
        "--kwh",
        "100",
        "--households",
        "2.5",
        "--start",
        "2025-06-01",
        "--end",
        "2025-06-30",
    )
    assert f"số hộ: {str(Decimal('2.5')).replace('.', ',')}" in out


CONTRACT_KEYS = [
    "kwh",
    "period_start",
    "period_end",
    "households",
    "lines",
    "amount_before_vat",
    "vat_rate",
    "vat",
    "total",
]
CONTRACT_LINE_KEYS = ["tier", "kwh", "price", "amount", "tariff_from"]


def test_json_has_the_contract_keys_in_order_and_integer_money(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys, "--kwh", "350", "--start", "2025-06-01", "--end", "2025-06-30", "--json"
    )
    assert status == 0
    assert out.count("\n") == 1  # one object on one line
    printed = json.loads(out)
    assert list(printed)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS
    for line in printed["lines"]:
        assert list(line)[: len(CONTRACT_LINE_KEYS)] == CONTRACT_LINE_KEYS
        assert all(type(line[key]) is int for key in ("tier", "kwh", "price", "amount"))
    assert [line["tier"] for line in printed["lines"]] == [1, 2, 3, 4, 5]
    assert all(type(printed[key]) is int for key in ("kwh", "amount_before_vat", "vat", "total"))
    assert printed["vat_rate"] == 0.08
    assert (printed["amount_before_vat"], printed["vat"], printed["total"]) == (
        907_000,
        72_560,
        979_560,
    )


@pytest.mark.parametrize(
    ("customer_type", "voltage", "price"),
    [
        ("production", "110", 1811),
        ("production", "0.4", 1987),
        ("business", "6", 3108),
        ("business", "0.4", 3152),
        ("admin_health_education", "22", 1940),
        ("admin_health_education", "0.4", 2072),
        ("admin_public", "6", 2138),
        ("admin_public", "0.4", 2226),
    ],
)
def test_every_customer_type_takes_its_voltage_level(
    capsys: pytest.CaptureFixture[str], customer_type: str, voltage: str, price: int
) -> None:
    period = ["--start", "2025-06-01", "--end", "2025-06-30"]
    arguments = ["--kwh", "1000", "--type", customer_type, "--voltage-kv", voltage, *period]
    status, out, _ = run(capsys, *arguments, "--json")
    assert status == 0
    printed = json.loads(out)
    assert [(line["kwh"], line["price"]) for line in printed["lines"]] == [(1000, price)]
    assert printed["customer_type"] == customer_type
    status, out, _ = run(capsys, *arguments)
    assert status == 0
    assert f"cấp điện áp {voltage.replace('.', ',')} kV" in out
    assert f"{price:,}".replace(",", ".") in out


def test_table_of_a_price_change_names_both_tariffs(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--kwh", "350", "--start", "2025-05-01", "--end", "2025-05-31")
    assert status == 0
    assert "Định mức các bậc được tính theo số ngày của kỳ." in out
    assert "(từ 11/10/2024)" in out
    assert "(từ 10/05/2025)" in out
    assert "Thuế GTGT 8%" in out
    bill = compute_bill(
        BillRequest(kwh=350, period_start=date(2025, 5, 1), period_end=date(2025, 5, 31))
    )
    assert f"{bill.total:,} đ".replace(",", ".") in out
