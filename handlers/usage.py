"""usage_query: how much electricity a linked customer used, and the meter index.

The period comes from the message: words of the folded text ("7 ngày", "kỳ này", "chỉ số", …,
listed below as data), then the NLU's `month` and `date`, and yesterday by default. Every answer
says how fresh the data is, marks interpolated days and compares with an earlier span of as
many days, saying which days are compared; a percentage is that of the figures shown.
"""

from __future__ import annotations

from datetime import date, timedelta

from handlers import chart, texts
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import Chosen
from handlers.format import WH_PER_TENTH_KWH, describe_freshness, format_date, format_kwh
from handlers.personal import about, pressed, split_argument, view_of
from handlers.types import Button, Reply
from meters.model import DayUse
from meters.records import CustomerDetails
from meters.usage import (
    LAST_DAY_OF_MONTH,
    billing_period,
    preceding_days,
    same_days_a_month_before,
)
from nlu import Intent
from nlu.normalize import fold

# Folded (no diacritics, lower case) phrases that choose the view of a usage question.
CHART_WORDS = ("bieu do", "do thi", "chart", "graph")
INDEX_WORDS = ("chi so", "so cong to", "so dong ho")
LAST_30_WORDS = ("30 ngay", "ba muoi ngay", "1 thang qua", "mot thang qua", "thang qua")
LAST_7_WORDS = ("7 ngay", "bay ngay", "tuan nay", "tuan qua", "tuan truoc", "1 tuan", "mot tuan")
PERIOD_WORDS = ("ky nay", "ky hoa don", "tu ngay chot", "tu khi chot")
MONTH_TO_DATE_WORDS = ("thang nay",)

YESTERDAY = "yesterday"
LAST_7 = "last7"
LAST_30 = "last30"
MONTH_TO_DATE = "mtd"
PERIOD = "period"
INDEX = "index"
CHART = "chart"
LAST_DAYS = {LAST_7: 7, LAST_30: 30}
DATE_PREFIX = "day-"  # "day-2026-11-15"
MONTH_PREFIX = "month-"  # "month-2026-10"

SAME_WITHIN_PERCENT = 3  # a change smaller than this is "tương đương"
ESTIMATED_SHOWN = 5  # dates of estimated days listed at most


def answer_usage(turn: Turn, deps: Deps) -> Answer:
    """Answer a usage question about the chat's own customer."""
    view = view_of(turn) or read_view(turn, deps.today)
    chosen = about(turn, deps, texts.WHAT_USAGE, Intent.USAGE_QUERY, view)
    if not isinstance(chosen, Chosen):
        return chosen
    return usage_view(chosen.customer, deps, view)


def usage_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """A button under a usage answer: `usage:<view>:<customer id>`."""
    view, customer_id = split_argument(argument)
    chosen = pressed(
        turn, deps, texts.WHAT_USAGE, Intent.USAGE_QUERY, view=view, customer_id=customer_id
    )
    if not isinstance(chosen, Chosen):
        return chosen
    return usage_view(chosen.customer, deps, view)


def read_view(turn: Turn, today: date) -> str:
    """Which usage the message asks about (see the word lists at the top)."""
    folded = fold(turn.update.text)
    for words, view in (
        (CHART_WORDS, CHART),
        (INDEX_WORDS, INDEX),
        (LAST_30_WORDS, LAST_30),
        (LAST_7_WORDS, LAST_7),
        (PERIOD_WORDS, PERIOD),
    ):
        if any(word in folded for word in words):
            return view
    month = turn.entities.get("month")
    if isinstance(month, str):
        return MONTH_TO_DATE if month == f"{today:%Y-%m}" else MONTH_PREFIX + month
    if any(word in folded for word in MONTH_TO_DATE_WORDS):
        return MONTH_TO_DATE
    day = turn.entities.get("date")
    if isinstance(day, str) and day != f"{today - timedelta(days=1):%Y-%m-%d}":
        return DATE_PREFIX + day
    return YESTERDAY


def usage_view(customer: CustomerDetails, deps: Deps, view: str) -> Answer:
    """The answer of one view for one customer."""
    if view == CHART:
        return chart.chart_answer(customer, deps)
    if view == INDEX:
        return say(_index(customer, deps))
    today = deps.today
    first, last = period_of(view, customer, today)
    if first == last:
        lines = _day_lines(customer, deps, first)
    else:
        lines = _range_lines(customer, deps, view, first, last)
    freshness = deps.usage.freshness(customer.customer_code)
    if freshness is not None:
        lines.append(
            texts.USAGE_FRESHNESS.format(
                freshness=describe_freshness(freshness, deps.now, deps.config.zone)
            )
        )
    return say(Reply("\n".join(lines), usage_buttons(customer, view)))


def period_of(view: str, customer: CustomerDetails, today: date) -> tuple[date, date]:
    """The local days a view covers (through yesterday at most for running periods)."""
    yesterday = today - timedelta(days=1)
    if view in LAST_DAYS:
        return today - timedelta(days=LAST_DAYS[view]), yesterday
    if view in {MONTH_TO_DATE, PERIOD}:
        if view == MONTH_TO_DATE:
            first = today.replace(day=1)
        else:
            first, _ = billing_period(customer.reading_day, today)
        return min(first, yesterday), yesterday
    try:
        if view.startswith(MONTH_PREFIX):
            start = date.fromisoformat(view[len(MONTH_PREFIX) :] + "-01")
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            return start, max(start, min(end, yesterday))
        if view.startswith(DATE_PREFIX):
            day = date.fromisoformat(view[len(DATE_PREFIX) :])
            return day, day
    except ValueError:  # a made-up button: answer the default question
        pass
    return yesterday, yesterday


def usage_buttons(customer: CustomerDetails, shown: str) -> tuple[Button, ...]:
    """The next questions under a usage answer, for the same customer."""
    choices = (
        (texts.BUTTON_USAGE_CHART, CHART),
        (texts.BUTTON_USAGE_YESTERDAY, YESTERDAY),
        (texts.BUTTON_USAGE_LAST_7, LAST_7),
        (texts.BUTTON_USAGE_PERIOD, PERIOD),
        (texts.BUTTON_USAGE_INDEX, INDEX),
    )
    return tuple(
        Button(label, f"usage:{view}:{customer.id}") for label, view in choices if view != shown
    )


def _day_lines(customer: CustomerDetails, deps: Deps, day: date) -> list[str]:
    code = customer.customer_code
    summary, before = deps.usage.day_and_week_before(code, day)
    if not summary.days:
        what = texts.USAGE_NO_DATA_DAY.format(date=format_date(day))
        return [texts.USAGE_NO_DATA.format(code=code, what=what)]
    lines = [
        texts.USAGE_DAY.format(date=format_date(day), code=code, kwh=format_kwh(summary.used_wh))
    ]
    lines.extend(_detail_lines(summary.normal_wh, summary.peak_wh, summary.offpeak_wh))
    lines.extend(_estimated_lines(summary.days))
    week = (before.last_day - before.first_day).days + 1
    if len(before.days) == week:  # a whole week to compare with
        average = average_tenths(before.used_wh, week)
        lines.append(
            texts.USAGE_COMPARE_DAY.format(
                first=format_date(before.first_day),
                last=format_date(before.last_day),
                daily=format_tenths(average),
                change=describe_change(tenths(summary.used_wh), average),
            )
        )
    return lines


def _range_lines(
    customer: CustomerDetails, deps: Deps, view: str, first: date, last: date
) -> list[str]:
    code = customer.customer_code
    summary = deps.usage.daily(code, first, last)
    span = (format_date(first), format_date(last))
    if not summary.days:
        what = texts.USAGE_NO_DATA_RANGE.format(first=span[0], last=span[1])
        return [texts.USAGE_NO_DATA.format(code=code, what=what)]
    lines = [
        texts.USAGE_RANGE.format(
            label=_label(view, first, last),
            first=span[0],
            last=span[1],
            code=code,
            kwh=format_kwh(summary.used_wh),
            daily=format_kwh(summary.used_wh // len(summary.days)),
        )
    ]
    lines.extend(_detail_lines(summary.normal_wh, summary.peak_wh, summary.offpeak_wh))
    lines.extend(_estimated_lines(summary.days))
    missing = (last - first).days + 1 - len(summary.days)
    if missing > 0:
        lines.append(texts.USAGE_MISSING.format(count=missing))
    if missing == 0:
        lines.extend(_comparison(deps, code, view, (first, last), summary.used_wh))
    return lines


def _comparison(
    deps: Deps, code: str, view: str, span: tuple[date, date], used_wh: int
) -> list[str]:
    """`span` against as many days before it, when both have data for every day.

    Running periods (7, 30 days) are compared with the days right before them; a month so far
    or a billing period with the same days last month, else the days right before. A whole
    calendar month is compared with the whole previous month: by total when both have as many
    days, else by daily average, and the text says so.
    """
    first, last = span
    days = (last - first).days + 1
    if view.startswith(MONTH_PREFIX) and first.day == 1 and (last + timedelta(days=1)).day == 1:
        return _month_comparison(deps, code, first, last, used_wh)
    same_days = None if view in LAST_DAYS else same_days_a_month_before(first, last)
    if same_days is None:
        (before_first, before_last), label = preceding_days(first, last), texts.USAGE_BEFORE
    else:
        (before_first, before_last), label = same_days, texts.USAGE_SAME_DAYS_LAST_MONTH
    before = deps.usage.daily(code, before_first, before_last)
    if len(before.days) < days:
        return []
    now, earlier = tenths(used_wh), tenths(before.used_wh)
    return [
        texts.USAGE_COMPARE_SPAN.format(
            days=days,
            first=format_date(first),
            last=format_date(last),
            label=label,
            before_first=format_date(before_first),
            before_last=format_date(before_last),
            kwh=format_tenths(now),
            before_kwh=format_tenths(earlier),
            change=describe_change(now, earlier),
        )
    ]


def _month_comparison(deps: Deps, code: str, first: date, last: date, used_wh: int) -> list[str]:
    """A whole month against the whole month before it."""
    before_last = first - timedelta(days=1)
    before_first = before_last.replace(day=1)
    days, before_days = (last - first).days + 1, before_last.day
    before = deps.usage.daily(code, before_first, before_last)
    if len(before.days) < before_days:
        return []
    months = {
        "month": f"{first.month}/{first.year}",
        "before_month": f"{before_first.month}/{before_first.year}",
        "kwh": format_kwh(used_wh),
        "before_kwh": format_kwh(before.used_wh),
    }
    if days == before_days:
        change = describe_change(tenths(used_wh), tenths(before.used_wh))
        return [texts.USAGE_COMPARE_MONTHS.format(days=days, change=change, **months)]
    daily, before_daily = (
        average_tenths(used_wh, days),
        average_tenths(before.used_wh, before_days),
    )
    return [
        texts.USAGE_COMPARE_MONTHS_DAILY.format(
            days=days,
            before_days=before_days,
            daily=format_tenths(daily),
            before_daily=format_tenths(before_daily),
            change=describe_change(daily, before_daily),
            **months,
        )
    ]


def tenths(energy_wh: int) -> int:
    """Energy in tenths of a kWh, rounded half up as `format_kwh` shows it."""
    return (energy_wh + WH_PER_TENTH_KWH // 2) // WH_PER_TENTH_KWH


def average_tenths(energy_wh: int, days: int) -> int:
    """The average a day, in tenths of a kWh rounded half up."""
    return (2 * energy_wh + days * WH_PER_TENTH_KWH) // (2 * days * WH_PER_TENTH_KWH)


def format_tenths(energy_tenths: int) -> str:
    """Tenths of a kWh as `format_kwh` writes them: 125 -> "12,5 kWh"."""
    return format_kwh(energy_tenths * WH_PER_TENTH_KWH)


def _label(view: str, first: date, last: date) -> str:
    if view in LAST_DAYS:
        return texts.USAGE_LABEL_LAST_DAYS.format(count=LAST_DAYS[view])
    if view == MONTH_TO_DATE:
        return texts.USAGE_LABEL_MONTH_TO_DATE
    if view == PERIOD:
        return texts.USAGE_LABEL_PERIOD
    return texts.USAGE_LABEL_MONTH.format(month=f"{first.month}/{first.year}")


def _detail_lines(normal: int | None, peak: int | None, offpeak: int | None) -> list[str]:
    if normal is None or peak is None or offpeak is None:
        return []
    return [
        texts.USAGE_BANDS.format(
            normal=format_kwh(normal), peak=format_kwh(peak), offpeak=format_kwh(offpeak)
        )
    ]


def _estimated_lines(days: tuple[DayUse, ...]) -> list[str]:
    estimated = [day.day for day in days if day.estimated]
    if not estimated:
        return []
    shown = ", ".join(f"{day.day:02d}/{day.month:02d}" for day in estimated[:ESTIMATED_SHOWN])
    if len(estimated) > ESTIMATED_SHOWN:
        shown += ", …"
    return [texts.USAGE_ESTIMATED.format(count=len(estimated), dates=shown)]


def describe_change(now_value: int, before_value: int) -> str:
    """ "tăng 12%", "giảm 5%" or "tương đương" (rounded half up to whole percent)."""
    if before_value <= 0:
        return texts.CHANGE_SAME if now_value <= 0 else texts.CHANGE_UP.format(percent=100)
    percent = change_percent(now_value, before_value)
    if percent < SAME_WITHIN_PERCENT:
        return texts.CHANGE_SAME
    template = texts.CHANGE_UP if now_value > before_value else texts.CHANGE_DOWN
    return template.format(percent=percent)


def change_percent(now_value: int, before_value: int) -> int:
    """|now − before| as a whole percentage of `before` (> 0), rounded half up."""
    return (abs(now_value - before_value) * 200 + before_value) // (2 * before_value)


def _index(customer: CustomerDetails, deps: Deps) -> Reply:
    code = customer.customer_code
    index = deps.usage.meter_index(code)
    lines: list[str] = []
    if index is None:
        lines.append(texts.USAGE_INDEX_NONE.format(code=code))
    else:
        local = index.read_at.astimezone(deps.config.zone)
        lines.append(
            texts.USAGE_INDEX.format(
                meter=index.meter_id,
                time=f"{local.hour:02d}:{local.minute:02d}",
                date=format_date(local.date()),
                index=format_kwh(index.index_wh),
            )
        )
        normal, peak, offpeak = index.normal_wh, index.peak_wh, index.offpeak_wh
        if normal is not None and peak is not None and offpeak is not None:
            lines.append(
                texts.USAGE_INDEX_BANDS.format(
                    normal=format_kwh(normal), peak=format_kwh(peak), offpeak=format_kwh(offpeak)
                )
            )
    if customer.reading_day >= LAST_DAY_OF_MONTH:
        lines.append(texts.USAGE_READING_DAY_LAST)
    else:
        lines.append(texts.USAGE_READING_DAY.format(day=customer.reading_day))
    return Reply("\n".join(lines), usage_buttons(customer, INDEX))
