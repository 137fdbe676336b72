"""The bill of a calendar month's use so far: what the daily message and the alerts price."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from tariff.calculator import compute_bill
from tariff.errors import TariffError
from tariff.model import BillRequest, CustomerType

WH_PER_KWH = 1000


def calendar_month_request(
    day: date,
    used_wh: int,
    *,
    households: Decimal,
    customer_type: str = CustomerType.RESIDENTIAL,
) -> BillRequest:
    """The month of `day` billed for `used_wh` (whole kWh) used so far."""
    last = calendar.monthrange(day.year, day.month)[1]
    return BillRequest(
        period_start=day.replace(day=1),
        period_end=day.replace(day=last),
        kwh=max(used_wh, 0) // WH_PER_KWH,
        households=households,
        customer_type=customer_type,
    )


def bill_total(request: BillRequest) -> int | None:
    """The bill's total with VAT (None: the tariff cannot price it without more facts)."""
    try:
        return compute_bill(request).total
    except TariffError:
        return None
