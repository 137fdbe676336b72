"""`dienbot tariff calc`: the bill calculator, as JSON or a readable Vietnamese table."""

from __future__ import annotations

import argparse
import calendar
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, UsageError, settings_from
from bot.clock import service_clock

if TYPE_CHECKING:
    from bot.config import Settings
    from tariff import Bill, BillLine

CUSTOMER_TYPES = (
    "residential",
    "business",
    "production",
    "admin_health_education",
    "admin_public",
)
TYPE_NAMES = {
    "residential": "sinh hoạt",
    "business": "kinh doanh",
    "production": "sản xuất",
    "admin_health_education": "hành chính sự nghiệp (bệnh viện, trường học)",
    "admin_public": "hành chính sự nghiệp (chiếu sáng công cộng, cơ quan)",
}
BAND_NAMES = {"normal": "Giờ bình thường", "peak": "Giờ cao điểm", "offpeak": "Giờ thấp điểm"}
FLAT_NAMES = {
    "prepaid": "Công tơ trả trước",
    "renter_undeclared": "Giá bậc 3 (người thuê nhà)",
    "single_rate": "Giờ bình thường (công tơ 1 giá)",
    "administrative": "Giá hành chính sự nghiệp",
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `tariff` command and its `calc` subcommand."""
    parser = commands.add_parser("tariff", help="EVN tariff tools")
    actions = parser.add_subparsers(dest="tariff_command", required=True)
    calc = actions.add_parser("calc", help="compute an electricity bill (tariff.md §10)")
    calc.add_argument("--kwh", type=_whole, help="consumption of the period (whole kWh)")
    calc.add_argument("--start", type=_day, help="first day of consumption (YYYY-MM-DD)")
    calc.add_argument("--end", type=_day, help="reading date (YYYY-MM-DD)")
    calc.add_argument("--households", type=_decimal, help="households sharing the meter")
    calc.add_argument("--persons", type=_whole, help="declared renters (4 persons = 1 household)")
    calc.add_argument(
        "--renter-undeclared", action="store_true", help="renters not declared: bậc-3 price"
    )
    calc.add_argument("--prepaid", action="store_true", help="prepaid-card meter")
    calc.add_argument("--type", choices=CUSTOMER_TYPES, default="residential")
    calc.add_argument("--voltage-kv", type=_decimal, default=Decimal("0.4"))
    calc.add_argument("--normal", type=_whole, help="normal-hours kWh (3-price meter)")
    calc.add_argument("--peak", type=_whole, help="peak-hours kWh (3-price meter)")
    calc.add_argument("--offpeak", type=_whole, help="off-peak kWh (3-price meter)")
    calc.add_argument("--json", action="store_true", help="print one JSON object")
    calc.set_defaults(handler=_calc)


def current_date(settings: Settings) -> date:
    """Return today's date in the service's time zone (the one clock read of this command)."""
    return service_clock(settings)().astimezone(settings.zone).date()


def _calc(arguments: argparse.Namespace) -> int:
    from tariff import BillRequest, TariffError, compute_bill

    start, end = _period(arguments)
    bands = (arguments.normal, arguments.peak, arguments.offpeak)
    if arguments.kwh is not None and any(value is not None for value in bands):
        raise UsageError("give either --kwh or --normal/--peak/--offpeak, not both")
    if arguments.households is not None and arguments.persons is not None:
        raise UsageError("give either --households or --persons, not both")
    request = BillRequest(
        kwh=arguments.kwh,
        period_start=start,
        period_end=end,
        households=arguments.households if arguments.households is not None else Decimal(1),
        customer_type=arguments.type,
        voltage_kv=arguments.voltage_kv,
        persons=arguments.persons,
        renter_undeclared=arguments.renter_undeclared,
        prepaid=arguments.prepaid,
        normal_kwh=arguments.normal,
        peak_kwh=arguments.peak,
        offpeak_kwh=arguments.offpeak,
    )
    try:
        bill = compute_bill(request)
    except TariffError as error:
        raise UsageError(str(error)) from error
    if arguments.json:
        print(json.dumps(bill_json(bill), ensure_ascii=False))
    else:
        print(bill_table(bill, voltage_kv=arguments.voltage_kv))
    return EXIT_OK


def _period(arguments: argparse.Namespace) -> tuple[date, date]:
    if (arguments.start is None) != (arguments.end is None):
        raise UsageError("give both --start and --end, or neither (the current month)")
    if arguments.start is not None:
        return arguments.start, arguments.end
    today = current_date(settings_from(arguments))
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last)


def bill_json(bill: Bill) -> dict[str, object]:
    """Return the `--json` object of interfaces.md: its keys in its order, then a few more."""
    return {
        "kwh": bill.kwh,
        "period_start": bill.period_start.isoformat(),
        "period_end": bill.period_end.isoformat(),
        "households": _number(bill.households),
        "lines": [_line_json(line) for line in bill.lines],
        "amount_before_vat": bill.amount_before_vat,
        "vat_rate": _number(bill.vat_rate),
        "vat": bill.vat,
        "total": bill.total,
        "customer_type": str(bill.customer_type),
        "days": bill.days,
        "prorated": bill.prorated,
    }


def _line_json(line: BillLine) -> dict[str, object]:
    return {
        "tier": line.tier,
        "kwh": line.kwh,
        "price": line.price,
        "amount": line.amount,
        "tariff_from": line.tariff_from.isoformat(),
        "kind": str(line.kind),
        "band": None if line.band is None else str(line.band),
        "quota": line.quota,
        "source": line.source,
    }


def bill_table(bill: Bill, *, voltage_kv: Decimal | None = None) -> str:
    """Return the bill as a readable Vietnamese table (with the supply voltage if given)."""
    header = (
        f"Hóa đơn tiền điện ({TYPE_NAMES[bill.customer_type]})\n"
        f"Kỳ: {_vn_date(bill.period_start)} – {_vn_date(bill.period_end)} "
        f"({bill.days} ngày), điện tiêu thụ {_money(bill.kwh)} kWh"
    )
    if bill.customer_type == "residential":
        header += f", số hộ: {_vn_decimal(bill.households)}"
    elif voltage_kv is not None:
        header += f", cấp điện áp {_vn_decimal(voltage_kv)} kV"
    if bill.prorated:
        header += "\nĐịnh mức các bậc được tính theo số ngày của kỳ."
    rows = [f"{'Mục':<34}{'kWh':>8}{'Đơn giá':>10}{'Thành tiền':>14}  Biểu giá"]
    for line in bill.lines:
        source = f"{line.source} (từ {_vn_date(line.tariff_from)})"
        rows.append(
            f"{_line_label(line):<34}{_money(line.kwh):>8}{_money(line.price):>10}"
            f"{_money(line.amount) + ' đ':>14}  {source}"
        )
    vat_percent = _vn_decimal(bill.vat_rate * 100)
    rows += [
        f"{'Cộng tiền điện':<52}{_money(bill.amount_before_vat) + ' đ':>14}",
        f"{'Thuế GTGT ' + vat_percent + '%':<52}{_money(bill.vat) + ' đ':>14}",
        f"{'Tổng cộng thanh toán':<52}{_money(bill.total) + ' đ':>14}",
    ]
    return header + "\n\n" + "\n".join(rows)


def _line_label(line: BillLine) -> str:
    if line.flat_reason is not None:
        return FLAT_NAMES[line.flat_reason]
    if line.band is not None:
        return BAND_NAMES[line.band]
    quota = "" if line.quota is None else f" (định mức {_money(line.quota)} kWh)"
    return f"Bậc {line.tier}{quota}"


def _money(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _vn_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _vn_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _number(value: Decimal) -> int | float:
    """A JSON number for a rate or a household count (never used for money)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None
