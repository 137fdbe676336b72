"""The numbers of a daily usage message, read when the message is claimed for sending.

The fan-out queues only which day a message is about: summing the month for three million
subscribers in the morning's fan-out cost more than half of it, and more as the month goes on
(28 days of use per meter on the 28th). A dispatcher claims a few hundred messages at a time,
for which the month's sums are one small grouped read. A reading corrected between the fan-out
and the send is therefore already in the message.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from meters.schema import Customer, DailyUsage, Meter

DAILY_USAGE = "daily_usage"


def daily_numbers(
    connection: Connection, day: date, customer_ids: Collection[int]
) -> dict[int, dict[str, Any]]:
    """Per customer with a reading of `day`: the fields its daily message is rendered from.

    `used_wh` and `estimated` are the day's, `month_wh` and `month_days` the month's from its
    first day to `day` (a day that two meters share at a meter change counts once), with the
    customer's code and tariff situation. A customer without a reading of `day` is absent.
    """
    if not customer_ids:
        return {}
    today = DailyUsage.day == day
    usage = (
        select(
            Meter.customer_id,
            func.sum(case((today, DailyUsage.used_wh), else_=0)).label("used_wh"),
            func.max(case((and_(today, DailyUsage.estimated.is_(True)), 1), else_=0)).label(
                "estimated"
            ),
            func.sum(DailyUsage.used_wh).label("month_wh"),
            func.count(func.distinct(DailyUsage.day)).label("month_days"),
            func.max(case((today, 1), else_=0)).label("has_day"),
        )
        .join(
            DailyUsage,
            and_(
                DailyUsage.meter_pk == Meter.id,
                DailyUsage.day >= day.replace(day=1),
                DailyUsage.day <= day,
            ),
        )
        .where(Meter.customer_id.in_(sorted(customer_ids)))
        .group_by(Meter.customer_id)
        .subquery("usage")
    )
    rows = connection.execute(
        select(
            Customer.id,
            Customer.customer_code,
            Customer.customer_type,
            Customer.households,
            Customer.reading_day,
            usage.c.used_wh,
            usage.c.estimated,
            usage.c.month_wh,
            usage.c.month_days,
        )
        .join(usage, usage.c.customer_id == Customer.id)
        .where(usage.c.has_day == 1)
    )
    return {
        int(row[0]): {
            "day": day.isoformat(),
            "code": row[1],
            "used_wh": int(row[5]),
            "estimated": bool(row[6]),
            "month_wh": int(row[7]),
            "month_days": int(row[8]),
            "customer_type": row[2],
            "households": str(row[3]),
            "reading_day": row[4],
        }
        for row in rows
    }
