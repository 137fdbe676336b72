"""When the customer's meter is read (lịch ghi chỉ số) and which days the bill covers."""

from __future__ import annotations

from datetime import date, timedelta

from handlers import texts
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import Chosen, choose_customer
from handlers.format import format_date
from handlers.menu import intent_button
from handlers.types import Reply
from meters.usage import LAST_DAY_OF_MONTH, billing_period, reading_date
from nlu import Intent


def answer_reading_schedule(turn: Turn, deps: Deps) -> Answer:
    """The reading date this month and next, and the billing period they close."""
    chosen = choose_customer(turn, deps, texts.WHAT_READING)
    if not isinstance(chosen, Chosen):
        return chosen
    customer = chosen.customer
    today = deps.today
    reading_day = customer.reading_day
    this_month = reading_date(today.year, today.month, reading_day)
    following = next_month(today)
    next_reading = reading_date(following.year, following.month, reading_day)
    if reading_day >= LAST_DAY_OF_MONTH:
        lines = [texts.READING_DAY_LAST.format(code=customer.customer_code)]
    else:
        lines = [texts.READING_DAY.format(code=customer.customer_code, day=reading_day)]
    if this_month < today:
        lines.append(texts.READING_THIS_MONTH_DONE.format(date=format_date(this_month)))
    elif this_month == today:
        lines.append(texts.READING_THIS_MONTH_TODAY.format(date=format_date(this_month)))
    else:
        lines.append(texts.READING_THIS_MONTH.format(date=format_date(this_month)))
    lines.append(texts.READING_NEXT_MONTH.format(date=format_date(next_reading)))
    first, last = current_period(reading_day, today)
    lines.append(
        texts.READING_PERIOD.format(
            first=format_date(first),
            last=format_date(last),
            days=(last - first).days + 1,
            next_first=format_date(last + timedelta(days=1)),
        )
    )
    lines.append(texts.READING_PRORATE)
    buttons = (
        intent_button(texts.MENU_USAGE, Intent.USAGE_QUERY),
        intent_button(texts.MENU_BILL, Intent.BILL_QUERY),
    )
    return say(Reply("\n".join(lines), buttons))


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def current_period(reading_day: int, today: date) -> tuple[date, date]:
    """The whole billing period `today` falls in: the day after a reading to the next one."""
    first, _ = billing_period(reading_day, today)
    this_month = reading_date(today.year, today.month, reading_day)
    if this_month >= today:
        return first, this_month
    following = next_month(today)
    return first, reading_date(following.year, following.month, reading_day)
