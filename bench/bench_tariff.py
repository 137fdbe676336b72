"""Bills per second on one core: plain residential month, shared meter, price change."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from tariff import BillRequest, compute_bill

TARGET_PER_SECOND = 50_000
ROUNDS = 60_000


def _rate(requests: list[BillRequest]) -> float:
    """Return bills per second over the requests (after one warm-up pass)."""
    for request in requests[:100]:
        compute_bill(request)
    started = time.perf_counter()
    for request in requests:
        compute_bill(request)
    return len(requests) / (time.perf_counter() - started)


def main() -> None:
    """Print bills per second next to the target."""
    month = (date(2026, 10, 1), date(2026, 10, 31))
    cases = {
        "plain residential month": [
            BillRequest(kwh=index % 900, period_start=month[0], period_end=month[1])
            for index in range(ROUNDS)
        ],
        "plain month, every kWh distinct (no memo hits)": [
            BillRequest(kwh=10_000_000 + index, period_start=month[0], period_end=month[1])
            for index in range(ROUNDS)
        ],
        "shared meter, 2.5 households": [
            BillRequest(
                kwh=index % 900,
                period_start=month[0],
                period_end=month[1],
                households=Decimal("2.5"),
            )
            for index in range(ROUNDS)
        ],
        "price change inside the period": [
            BillRequest(
                kwh=index % 900, period_start=date(2025, 5, 1), period_end=date(2025, 5, 31)
            )
            for index in range(ROUNDS // 4)
        ],
    }
    for name, requests in cases.items():
        rate = _rate(requests)
        note = f" (target >= {TARGET_PER_SECOND:,}/s)" if name == "plain residential month" else ""
        print(f"{name}: {rate:,.0f} bills/s{note}")


if __name__ == "__main__":
    main()
