"""The daily message's text, priced from the numbers queued with it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from handlers.format import format_kwh, format_money
from handlers.types import Reply
from meters.outbox_records import ClaimedMessage
from scheduler.month_bill import calendar_month_request
from scheduler.render import render, render_daily_usage
from tariff.explain import project_period_end

DAY = date(2026, 11, 7)


def payload(**changes: object) -> dict[str, object]:
    """A residential customer's daily numbers, a week into the month."""
    numbers: dict[str, object] = {
        "day": DAY.isoformat(),
        "code": "PB0000000123",
        "used_wh": 9_400,
        "estimated": False,
        "month_wh": 61_200,
        "month_days": 7,
        "customer_type": "residential",
        "households": "1",
        "reading_day": 12,
    }
    return numbers | changes


def projected_total(month_wh: int, households: int) -> int:
    request = calendar_month_request(DAY, month_wh, households=Decimal(households))
    return project_period_end(request, DAY).bill.total


def test_the_daily_message_gives_the_day_the_month_and_the_official_projection() -> None:
    text = render_daily_usage(payload()).text

    assert "PB0000000123" in text
    assert format_kwh(9_400) in text
    assert format_kwh(61_200) in text
    assert format_money(projected_total(61_200, 1)) in text


def test_the_same_use_is_priced_for_each_customers_own_situation() -> None:
    alone = render_daily_usage(payload(households="1")).text
    shared = render_daily_usage(payload(households="2")).text  # two households share the tiers

    assert projected_total(61_200, 1) != projected_total(61_200, 2)
    assert format_money(projected_total(61_200, 1)) in alone
    assert format_money(projected_total(61_200, 2)) in shared
    assert format_money(projected_total(61_200, 1)) not in shared


def test_a_message_rendered_again_reads_the_same() -> None:
    first = render_daily_usage(payload(month_wh=123_456))
    again = render_daily_usage(payload(month_wh=123_456))

    assert first == again
    assert format_money(projected_total(123_456, 1)) in again.text


def test_a_queued_agent_reply_keeps_who_wrote_it() -> None:
    claimed = claimed_message("agent_reply", {"text": "Dạ em kiểm tra ngay ạ.", "author": "Lan"})
    assert render(claimed) == Reply("Dạ em kiểm tra ngay ạ.", author="Lan")
    assert render(claimed_message("case_status", {"text": "Hồ sơ YC2026-000001"})).author is None


def claimed_message(kind: str, payload: dict[str, Any]) -> ClaimedMessage:
    """A message of `kind` as a dispatcher claims it."""
    return ClaimedMessage(
        id=1,
        kind=kind,
        channel="telegram",
        bucket="telegram",
        chat_user_id=1,
        recipient="1",
        customer_id=None,
        payload=payload,
        attempts=0,
        expires_at=None,
        last_seen_at=datetime(2026, 11, 7, 8, tzinfo=UTC),
    )
