"""Pure formatting of energy, money, dates and data freshness for customers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.types import Reply

WH_PER_TENTH_KWH = 100


def group_thousands(number: int) -> str:
    """`number` with Vietnamese thousands separators: 1234567 -> "1.234.567"."""
    return f"{number:,}".replace(",", ".")


def format_kwh(energy_wh: int) -> str:
    """Energy in kWh to one decimal, rounded half up: 123_450 Wh -> "123,5 kWh"."""
    sign = "-" if energy_wh < 0 else ""
    tenths = (abs(energy_wh) + WH_PER_TENTH_KWH // 2) // WH_PER_TENTH_KWH
    whole, tenth = divmod(tenths, 10)
    return texts.ENERGY.format(amount=f"{sign}{group_thousands(whole)},{tenth}")


def format_money(amount_dong: int) -> str:
    """An amount of đồng: 1234567 -> "1.234.567 đ"."""
    sign = "-" if amount_dong < 0 else ""
    return texts.MONEY.format(amount=f"{sign}{group_thousands(abs(amount_dong))}")


def format_date(day: date) -> str:
    """A date as dd/mm/yyyy."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def describe_freshness(data_until: datetime, now: datetime, zone: ZoneInfo) -> str:
    """How recent the data is, in local time: "số liệu đến 00:05 hôm nay"."""
    local = data_until.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == today:
        return texts.FRESHNESS_TODAY.format(time=clock)
    if local.date() == today - timedelta(days=1):
        return texts.FRESHNESS_YESTERDAY.format(time=clock)
    return texts.FRESHNESS_ON_DATE.format(time=clock, date=format_date(local.date()))


def signed_text(reply: Reply) -> str:
    """The reply's text as a text-only channel shows it: an agent's reply names the agent first
    ("Nhân viên Lan:"), so that the customer knows a person writes."""
    if reply.author is None:
        return reply.text
    return texts.AGENT_SIGNED.format(agent=reply.author, text=reply.text).strip()
