"""abnormal_usage: is the customer's recent use really unusual, compared with their own history?

The last 7 days' average per day is compared with the median day of the 4 weeks before them.
A rise of at least `HIGH_RATIO` is unusual; a raised *floor* (the lowest recent day well above
the usual low days) points to something that runs day and night, such as a leak after the meter.
Readings are daily, so a night-time load cannot be measured directly; the floor stands in for it.
Every answer ends with the offer of a person (no case is opened until the customer takes it):
firmer when the rise is real or cannot be checked, since the bot cannot tell its cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from statistics import median

from handlers import texts
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import Chosen
from handlers.format import format_date, format_kwh
from handlers.menu import agent_offer
from handlers.personal import about, pressed
from handlers.requests import FROM_ABNORMAL, confirm_reply
from handlers.types import Button, Reply
from handlers.usage import change_percent, describe_change, format_tenths, tenths
from meters.model import DayUse
from meters.records import CustomerDetails
from nlu import Intent

RECENT_DAYS = 7
BASELINE_DAYS = 28
MIN_BASELINE_DAYS = 14
HIGH_RATIO = Fraction(13, 10)  # 30 % above the usual day
DOUBLED_RATIO = Fraction(18, 10)  # "gần gấp đôi"
FLOOR_RATIO = Fraction(15, 10)  # the lowest recent day vs the usual low day
LOW_QUANTILE_DAYS = 3  # the usual low day: the 3rd lowest of the baseline (robust to one gap)
VIEW = "check"
REASON = "abnormal"  # the case reason when the customer takes the offer


@dataclass(frozen=True, slots=True)
class UsageCheck:
    """The comparison of the recent days with the customer's own usual days (Wh per day)."""

    recent_first: date
    recent_last: date
    recent_wh: int  # average per day
    usual_wh: int  # median day of the baseline
    recent_low_wh: int
    usual_low_wh: int
    rise_since: date | None  # first day of the run of high days that reaches yesterday

    @property
    def high(self) -> bool:
        """Whether the recent days are unusually high."""
        return self.recent_wh >= HIGH_RATIO * self.usual_wh

    @property
    def doubled(self) -> bool:
        """Whether use has (nearly) doubled."""
        return self.recent_wh >= DOUBLED_RATIO * self.usual_wh

    @property
    def floor_raised(self) -> bool:
        """Whether even the lowest recent day is far above the usual low days."""
        return self.recent_low_wh >= FLOOR_RATIO * self.usual_low_wh


def check_usage(days: tuple[DayUse, ...], today: date) -> UsageCheck | None:
    """Compare the 7 days before `today` with the 28 before them (None without enough data)."""
    recent_first = today - timedelta(days=RECENT_DAYS)
    recent = [day.used_wh for day in days if day.day >= recent_first]
    baseline = [day.used_wh for day in days if day.day < recent_first]
    if len(recent) < RECENT_DAYS - 2 or len(baseline) < MIN_BASELINE_DAYS:
        return None
    usual = int(median(baseline))
    lows = sorted(baseline)
    threshold = HIGH_RATIO * usual
    rise_since = None
    for day in reversed(days):
        if day.used_wh < threshold:
            break
        rise_since = day.day
    return UsageCheck(
        recent_first=recent_first,
        recent_last=today - timedelta(days=1),
        recent_wh=sum(recent) // len(recent),
        usual_wh=usual,
        recent_low_wh=min(recent),
        usual_low_wh=lows[min(LOW_QUANTILE_DAYS, len(lows)) - 1],
        rise_since=rise_since,
    )


def answer_abnormal(turn: Turn, deps: Deps) -> Answer:
    """Answer "sao điện tăng / nghi công tơ chạy sai" for the chat's own customer."""
    chosen = about(turn, deps, texts.WHAT_USAGE, Intent.ABNORMAL_USAGE, VIEW)
    if not isinstance(chosen, Chosen):
        return chosen
    return say(*abnormal_replies(chosen.customer, deps))


def abnormal_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """`abnormal:check:<id>` repeats the check; `abnormal:inspect:<id>` offers an inspection."""
    action, _, customer_id = argument.partition(":")
    chosen = pressed(
        turn, deps, texts.WHAT_USAGE, Intent.ABNORMAL_USAGE, view=VIEW, customer_id=customer_id
    )
    if not isinstance(chosen, Chosen):
        return chosen
    customer = chosen.customer
    if action != "inspect":
        return say(*abnormal_replies(customer, deps))
    return say(confirm_reply(deps, customer, "meter_inspection", FROM_ABNORMAL))


def abnormal_replies(customer: CustomerDetails, deps: Deps) -> tuple[Reply, Reply]:
    """The comparison, then the offer of a person: firmer when the bot cannot explain it."""
    reply, explained = _comparison(customer, deps)
    text = texts.HANDOFF_OFFER_STILL if explained else texts.HANDOFF_OFFER_ABNORMAL
    return reply, agent_offer(REASON, text)


def _comparison(customer: CustomerDetails, deps: Deps) -> tuple[Reply, bool]:
    """The comparison in plain words, likely causes and safety advice, and the next steps;
    and whether use is as usual (explained), rather than high or impossible to check."""
    code = customer.customer_code
    today = deps.today
    history = deps.usage.daily(
        code, today - timedelta(days=RECENT_DAYS + BASELINE_DAYS), today - timedelta(days=1)
    )
    buttons = (
        Button(texts.BUTTON_METER_INSPECTION, f"abnormal:inspect:{customer.id}"),
        Button(texts.BUTTON_USAGE_CHART, f"usage:chart:{customer.id}"),
        Button(texts.BUTTON_BILL_WHY, f"bill:why:{customer.id}"),
    )
    check = check_usage(history.days, today)
    if check is None:
        return Reply(texts.ABNORMAL_NOT_ENOUGH.format(code=code), buttons), False
    # The percentage is of the figures shown (kWh to a tenth), so the customer can check it.
    recent, usual = tenths(check.recent_wh), tenths(check.usual_wh)
    span = {
        "first": format_date(check.recent_first),
        "last": format_date(check.recent_last),
        "usual_first": format_date(check.recent_first - timedelta(days=BASELINE_DAYS)),
        "usual_last": format_date(check.recent_first - timedelta(days=1)),
        "code": code,
        "recent": format_tenths(recent),
        "usual": format_tenths(usual),
    }
    if not check.high:
        change = describe_change(recent, usual)
        lines = [texts.ABNORMAL_NORMAL.format(change=change, **span), texts.ABNORMAL_NORMAL_HINT]
        return Reply("\n".join(lines), buttons), True
    lines = [texts.ABNORMAL_HIGH.format(percent=change_percent(recent, max(usual, 1)), **span)]
    if check.doubled:
        lines.append(texts.ABNORMAL_DOUBLED)
    if check.rise_since is not None and check.rise_since < check.recent_last:
        lines.append(texts.ABNORMAL_SINCE.format(date=format_date(check.rise_since)))
    if check.floor_raised:
        lines.append(
            texts.ABNORMAL_BASE.format(
                recent_low=format_kwh(check.recent_low_wh),
                usual_low=format_kwh(check.usual_low_wh),
            )
        )
    lines.extend((texts.ABNORMAL_CAUSES, texts.ABNORMAL_SAFETY))
    return Reply("\n".join(lines), buttons), False
