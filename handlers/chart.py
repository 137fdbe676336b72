"""A 30-day usage chart as a PNG: one bar per day, estimated days hatched and lighter.

Rendered in memory with matplotlib's Agg backend (no files, no display); labels in Vietnamese.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from handlers import texts
from handlers.context import Answer, Deps, say
from handlers.format import format_date, format_kwh
from handlers.types import Button, Image, Reply
from meters.records import CustomerDetails
from meters.usage import UsageService

CHART_DAYS = 30
WH_PER_KWH = 1000
MEASURED_COLOUR = "#1f6fb2"
ESTIMATED_COLOUR = "#9cc3e6"


@dataclass(frozen=True, slots=True)
class ChartBar:
    """One day of the chart; `used_wh` is None for a day without data (no bar)."""

    day: date
    used_wh: int | None
    estimated: bool


def chart_bars(usage: UsageService, customer_code: str, today: date) -> tuple[ChartBar, ...]:
    """The 30 whole days before `today`, oldest first, each with its use if known."""
    summary = usage.last_days(customer_code, CHART_DAYS, today)
    known = {day.day: day for day in summary.days}
    first = today - timedelta(days=CHART_DAYS)
    bars: list[ChartBar] = []
    for offset in range(CHART_DAYS):
        day = first + timedelta(days=offset)
        use = known.get(day)
        bars.append(
            ChartBar(day, None if use is None else use.used_wh, use is not None and use.estimated)
        )
    return tuple(bars)


def render_chart(bars: tuple[ChartBar, ...], title: str) -> bytes:
    """The bars as a PNG image (bytes)."""
    figure = Figure(figsize=(8, 4), dpi=100)
    axes = figure.subplots()
    positions = range(len(bars))
    heights = [0.0 if bar.used_wh is None else bar.used_wh / WH_PER_KWH for bar in bars]
    drawn = axes.bar(positions, heights, color=MEASURED_COLOUR, width=0.8)
    for patch, bar in zip(drawn.patches, bars, strict=True):
        if bar.estimated:
            patch.set_facecolor(ESTIMATED_COLOUR)
            patch.set_hatch("//")
            patch.set_edgecolor(MEASURED_COLOUR)
    axes.set_xticks(
        list(positions)[::3], [f"{bar.day.day:02d}/{bar.day.month:02d}" for bar in bars][::3]
    )
    axes.tick_params(axis="x", labelsize=8, labelrotation=45)
    axes.set_ylabel(texts.CHART_Y_LABEL)
    axes.set_title(title)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(
        handles=[
            Patch(facecolor=MEASURED_COLOUR, label=texts.CHART_LEGEND_MEASURED),
            Patch(
                facecolor=ESTIMATED_COLOUR,
                hatch="//",
                edgecolor=MEASURED_COLOUR,
                label=texts.CHART_LEGEND_ESTIMATED,
            ),
        ],
        loc="upper left",
        fontsize=8,
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def chart_answer(customer: CustomerDetails, deps: Deps) -> Answer:
    """The chart of a customer's last 30 days with a caption that says the same in words."""
    code = customer.customer_code
    bars = chart_bars(deps.usage, code, deps.today)
    known = [bar for bar in bars if bar.used_wh is not None]
    back = Button(texts.BUTTON_USAGE_LAST_7, f"usage:last7:{customer.id}")
    if not known:
        return say(Reply(texts.CHART_NO_DATA.format(code=code), (back,)))
    total = sum(bar.used_wh or 0 for bar in known)
    peak = max(known, key=lambda bar: bar.used_wh or 0)
    caption = texts.CHART_CAPTION.format(
        first=format_date(bars[0].day),
        last=format_date(bars[-1].day),
        code=code,
        kwh=format_kwh(total),
        daily=format_kwh(total // len(known)),
        peak=format_kwh(peak.used_wh or 0),
        peak_date=format_date(peak.day),
    )
    estimated = sum(bar.estimated for bar in known)
    if estimated:
        caption += " " + texts.CHART_CAPTION_ESTIMATED.format(count=estimated)
    title = texts.CHART_TITLE.format(code=code)
    return say(Reply(caption, (back,), image=Image(render_chart(bars, title), title)))
