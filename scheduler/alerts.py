"""Usage alerts as readings arrive: thresholds the customer set, and use unusual for them.

Thresholds (subscriptions of kind "threshold"): kWh on the day just read, or kWh, đồng or a
tariff tier over the calendar month to date (the month the daily message reports). Anomalies
(kind "anomaly"): the last 3 days against the customer's own 28 days before them, with the
same ratios as the "điện tăng bất thường" answer (handlers/abnormal.py): a day near double the
usual day, or a raised floor (the lowest of the last 3 days far above the usual low day),
which points to something running day and night, such as a leak after the meter.

Each alert is queued once per (kind, customer, day, chat); monthly thresholds once a month,
and an anomaly at most once a week per customer and chat. Alerts obey the delivery window:
a suspected leak is worth knowing today, but it has been running for days already, so it
waits for 07:00 rather than wake the customer (decision, see docs/scheduler.md).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from statistics import median

from sqlalchemy import Connection, Engine

from handlers import texts
from handlers.abnormal import BASELINE_DAYS, DOUBLED_RATIO, FLOOR_RATIO, LOW_QUANTILE_DAYS
from handlers.abnormal import MIN_BASELINE_DAYS as MIN_BASELINE
from handlers.format import format_date, format_kwh, format_money
from meters.alert_store import AlertTarget, alert_targets, daily_use, recently_alerted
from meters.daily_fanout import subscription_id_range
from meters.notice_store import Recipient
from meters.outbox_records import NewMessage
from scheduler.month_bill import WH_PER_KWH, bill_total, calendar_month_request
from scheduler.queueing import ALERT_PRIORITY, new_message, queue, window_timing
from scheduler.window import DeliveryWindow
from tariff.calculator import tier_bounds
from tariff.errors import TariffError
from tariff.explain import project_period_end
from tariff.model import BillRequest, CustomerType

THRESHOLD = "threshold"
ANOMALY = "anomaly"
ALERTS_CONSENT = "alerts"
PAGE_SIZE = 2_000
FLOOR_DAYS = 3  # the raised floor must hold on each of the last 3 days
MIN_DOUBLED_RISE_WH = 2_000  # a "doubling" of 0.5 kWh is no news
MIN_FLOOR_RISE_WH = 1_000  # nor is a floor raised by 200 Wh
ANOMALY_QUIET_DAYS = 7  # one anomaly alert a week per customer and chat
MIN_PROJECTION_DAYS = 5  # before that, a month-end projection is mostly noise


Fields = dict[str, object]  # an alert's figures beside its text (outbox payload, ZNS)


@dataclass(frozen=True, slots=True)
class AlertReport:
    """What one check queued."""

    kind: str
    checked: int
    queued: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Anomaly:
    """The day just read against the customer's own usual days (Wh)."""

    day: date
    used_wh: int
    usual_wh: int
    floor_wh: int  # the lowest of the last FLOOR_DAYS days
    usual_low_wh: int

    @property
    def doubled(self) -> bool:
        """Whether the day is near double the usual day."""
        return (
            self.used_wh >= DOUBLED_RATIO * self.usual_wh
            and self.used_wh - self.usual_wh >= MIN_DOUBLED_RISE_WH
        )

    @property
    def floor_raised(self) -> bool:
        """Whether even the lowest recent day is far above the usual low day (a leak?)."""
        return (
            self.floor_wh >= FLOOR_RATIO * self.usual_low_wh
            and self.floor_wh - self.usual_low_wh >= MIN_FLOOR_RISE_WH
        )


def find_anomaly(use: Mapping[date, int], day: date) -> Anomaly | None:
    """`day` and the 2 days before it against the 28 days before them, if unusual (else None)."""
    if day not in use:
        return None
    offsets = range(FLOOR_DAYS, FLOOR_DAYS + BASELINE_DAYS)
    baseline = sorted(use[d] for offset in offsets if (d := day - timedelta(offset)) in use)
    recent = [use.get(day - timedelta(days=offset)) for offset in range(FLOOR_DAYS)]
    if len(baseline) < MIN_BASELINE:
        return None
    found = Anomaly(
        day=day,
        used_wh=use[day],
        usual_wh=int(median(baseline)),
        floor_wh=min(value for value in recent if value is not None),
        usual_low_wh=baseline[min(LOW_QUANTILE_DAYS, len(baseline)) - 1],
    )
    floor_known = None not in recent
    if found.doubled or (floor_known and found.floor_raised):
        return found
    return None


def anomaly_text(code: str, anomaly: Anomaly) -> str:
    """The alert: what is unusual, and how to check for a leak safely when the floor rose."""
    lines = []
    if anomaly.doubled:
        lines.append(
            texts.ANOMALY_DOUBLED.format(
                code=code,
                day=format_date(anomaly.day),
                used=format_kwh(anomaly.used_wh),
                usual=format_kwh(anomaly.usual_wh),
            )
        )
    if anomaly.floor_raised:
        lines.append(
            texts.ANOMALY_BASE.format(
                code=code,
                days=FLOOR_DAYS,
                low=format_kwh(anomaly.floor_wh),
                usual_low=format_kwh(anomaly.usual_low_wh),
            )
        )
        lines.append(texts.ANOMALY_LEAK_SAFETY)
    lines.append(texts.ANOMALY_HINT)
    return "\n".join(lines)


def anomaly_fields(anomaly: Anomaly) -> Fields:
    """The anomaly's figures: the day and its use against the usual day, and when the floor
    rose, the lowest of the last days against the usual low day."""
    fields: Fields = {
        "day": anomaly.day.isoformat(),
        "used_wh": anomaly.used_wh,
        "usual_wh": anomaly.usual_wh,
    }
    if anomaly.floor_raised:
        fields.update(floor_wh=anomaly.floor_wh, usual_low_wh=anomaly.usual_low_wh)
    return fields


def threshold_alert(
    target: AlertTarget, use: Mapping[date, int], day: date
) -> tuple[date, str, Fields] | None:
    """(the day the alert counts for, its text, its figures) when `target`'s threshold is
    passed on `day`.

    A daily threshold counts for the day, a monthly one for the month (its first day): once
    passed, it is not repeated every day of the rest of the month.
    """
    if day not in use:
        return None
    month_start = day.replace(day=1)
    month_wh = sum(wh for d, wh in use.items() if month_start <= d <= day)
    threshold = target.threshold
    if "kwh_per_day" in threshold:
        alert = _day_over(target, day, use[day], _wh(threshold["kwh_per_day"]))
        return None if alert is None else (day, *alert)
    if "kwh_per_month" in threshold:
        alert = _month_kwh_over(target, month_wh, _wh(threshold["kwh_per_month"]))
    elif "dong_per_month" in threshold:
        alert = _month_dong_over(target, day, month_wh, int(threshold["dong_per_month"]))
    elif "before_tier" in threshold:
        alert = _tier_alert(target, day, month_wh, int(threshold["before_tier"]))
    else:
        alert = None
    return None if alert is None else (month_start, *alert)


def _day_over(
    target: AlertTarget, day: date, used_wh: int, limit_wh: int
) -> tuple[str, Fields] | None:
    if used_wh <= limit_wh:
        return None
    text = texts.ALERT_DAY_OVER.format(
        code=target.customer_code,
        day=format_date(day),
        used=format_kwh(used_wh),
        limit=format_kwh(limit_wh),
    )
    return text, {"day": day.isoformat(), "used_wh": used_wh, "limit_wh": limit_wh}


def _month_kwh_over(
    target: AlertTarget, month_wh: int, limit_wh: int
) -> tuple[str, Fields] | None:
    if month_wh <= limit_wh:
        return None
    text = texts.ALERT_MONTH_KWH_OVER.format(
        code=target.customer_code, used=format_kwh(month_wh), limit=format_kwh(limit_wh)
    )
    return text, {"month_wh": month_wh, "limit_wh": limit_wh}


def _month_dong_over(
    target: AlertTarget, day: date, month_wh: int, limit: int
) -> tuple[str, Fields] | None:
    amount = _month_bill(target, day, month_wh)
    if amount is None or amount <= limit:
        return None
    text = texts.ALERT_MONTH_DONG_OVER.format(
        code=target.customer_code, amount=format_money(amount), limit=format_money(limit)
    )
    return text, {"month_wh": month_wh, "amount_dong": amount, "limit_dong": limit}


def check_thresholds(
    engine: Engine, day: date, window: DeliveryWindow, now: datetime, *, page_size: int = PAGE_SIZE
) -> AlertReport:
    """Queue the threshold alerts of `day` (the last day read) for every threshold subscriber."""
    started = time.perf_counter()
    timing = window_timing(window, now)
    checked = queued = 0
    for connection, targets in _pages_of_targets(engine, THRESHOLD, page_size):
        use = daily_use(connection, {t.customer_id for t in targets}, day.replace(day=1), day)
        messages = []
        for target in targets:
            alert = threshold_alert(target, use.get(target.customer_id, {}), day)
            if alert is not None:
                messages.append(_alert(THRESHOLD, target, *alert, timing=timing))
        checked += len(targets)
        queued += queue(connection, messages, now)
    return AlertReport(THRESHOLD, checked, queued, time.perf_counter() - started)


def check_anomalies(
    engine: Engine, day: date, window: DeliveryWindow, now: datetime, *, page_size: int = PAGE_SIZE
) -> AlertReport:
    """Queue an anomaly alert for every anomaly subscriber whose use on `day` is unusual."""
    started = time.perf_counter()
    timing = window_timing(window, now)
    checked = queued = 0
    for connection, targets in _pages_of_targets(engine, ANOMALY, page_size):
        use = daily_use(
            connection,
            {t.customer_id for t in targets},
            day - timedelta(days=FLOOR_DAYS + BASELINE_DAYS),
            day,
        )
        quiet = recently_alerted(
            connection,
            ANOMALY,
            {t.chat_user_id for t in targets},
            now - timedelta(days=ANOMALY_QUIET_DAYS),
        )
        messages = []
        for target in targets:
            if (target.customer_id, target.chat_user_id) in quiet:
                continue
            anomaly = find_anomaly(use.get(target.customer_id, {}), day)
            if anomaly is not None:
                text, fields = anomaly_text(target.customer_code, anomaly), anomaly_fields(anomaly)
                messages.append(_alert(ANOMALY, target, day, text, fields, timing=timing))
        checked += len(targets)
        queued += queue(connection, messages, now)
    return AlertReport(ANOMALY, checked, queued, time.perf_counter() - started)


def _pages_of_targets(
    engine: Engine, kind: str, page_size: int
) -> Iterator[tuple[Connection, tuple[AlertTarget, ...]]]:
    """The consenting subscribers of `kind`, a page of subscription ids per transaction."""
    with engine.connect() as connection:
        low, high = subscription_id_range(connection, kind)
    for first in range(low, high + 1, page_size):
        with engine.begin() as connection:
            last = min(first + page_size - 1, high)
            yield connection, alert_targets(connection, kind, ALERTS_CONSENT, first, last)


def _alert(
    kind: str,
    target: AlertTarget,
    day: date,
    text: str,
    fields: Fields,
    *,
    timing: tuple[datetime, datetime],
) -> NewMessage:
    recipient = Recipient(
        chat_user_id=target.chat_user_id,
        channel=target.channel,
        customer_id=target.customer_id,
        customer_code=target.customer_code,
    )
    return new_message(
        dedup_key=f"{kind}:{target.customer_id}:{day.isoformat()}:{target.chat_user_id}",
        kind=kind,
        recipient=recipient,
        text=text,
        stop_kind=kind,
        timing=timing,
        priority=ALERT_PRIORITY,
        fields=fields,
    )


def _wh(kwh: object) -> int:
    return round(Fraction(str(kwh)) * WH_PER_KWH)


def _month_request(target: AlertTarget, day: date, month_wh: int) -> BillRequest:
    return calendar_month_request(
        day, month_wh, households=target.households, customer_type=target.customer_type
    )


def _month_bill(target: AlertTarget, day: date, month_wh: int) -> int | None:
    """The bill of the month's use so far, VAT included (None: not priced without more facts)."""
    return bill_total(_month_request(target, day, month_wh))


def _tier_alert(
    target: AlertTarget, day: date, month_wh: int, tier: int
) -> tuple[str, Fields] | None:
    """The warning before (or on) reaching `tier` this month, residential prices only."""
    if target.customer_type != CustomerType.RESIDENTIAL.value or tier < 2:
        return None
    request = _month_request(target, day, month_wh)
    try:
        projection = project_period_end(request, day)
        bounds = tier_bounds(request)
    except TariffError:
        return None
    if tier - 2 >= len(bounds) or bounds[tier - 2] is None:
        return None
    starts_after = bounds[tier - 2] or 0
    used = request.kwh or 0
    code = target.customer_code
    fields: Fields = {"month_wh": month_wh, "tier": tier}
    if used > starts_after:
        return texts.ALERT_TIER_REACHED.format(code=code, used=used, tier=tier), fields
    if projection.days_elapsed < MIN_PROJECTION_DAYS or projection.projected_kwh <= starts_after:
        return None
    left, projected = starts_after - used, projection.projected_kwh
    text = texts.ALERT_TIER_NEAR.format(code=code, left=left, tier=tier, projected=projected)
    return text, {**fields, "left_kwh": left, "projected_kwh": projected}
