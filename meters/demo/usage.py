"""Daily energy use of a demo customer: base load, hot season, week rhythm and noise.

Floats model behaviour only; every value leaving this module is whole watt-hours.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from meters.demo.places import Climate

# Day of year of the hottest weeks and their spread (days): HCMC before the rains (March-May),
# Đà Nẵng in the dry summer (May-August).
HOT_SEASON = {Climate.HCMC: (110, 38.0), Climate.DA_NANG: (185, 45.0)}
# Cool, rainy end of the year: how much less air-conditioning than the base.
COOL_SEASON = {Climate.HCMC: (0.10, 355, 35.0), Climate.DA_NANG: (0.25, 355, 40.0)}
SUNDAY = 6
SATURDAY = 5


@dataclass(frozen=True, slots=True)
class UsageProfile:
    """How one customer uses energy."""

    base_wh: float  # a typical weekday outside the hot season
    ac_share: float  # extra use at the height of the hot season, as a share of the base
    saturday: float  # factor of a Saturday against a weekday
    sunday: float
    noise: float  # spread (log scale) of day-to-day variation
    peak_share: float = 0.0  # share of a weekday's use in peak hours (3-price meters)
    offpeak_share: float = 0.0


@dataclass(frozen=True, slots=True)
class Consumption:
    """Whole Wh used on each day, in total and (3-price meters) per band."""

    total: list[int]
    bands: tuple[list[int], list[int], list[int]] | None  # normal, peak, offpeak


def _circular_distance(day_of_year: int, centre: int) -> int:
    distance = abs(day_of_year - centre)
    return min(distance, 365 - distance)


def season_factor(climate: Climate, day: date) -> float:
    """How much of the air-conditioning share is in use on `day` (-0.25 to 1)."""
    day_of_year = day.timetuple().tm_yday
    centre, width = HOT_SEASON[climate]
    hot = math.exp(-0.5 * (_circular_distance(day_of_year, centre) / width) ** 2)
    depth, cool_centre, cool_width = COOL_SEASON[climate]
    cool = depth * math.exp(
        -0.5 * (_circular_distance(day_of_year, cool_centre) / cool_width) ** 2
    )
    return hot - cool


@dataclass(frozen=True, slots=True)
class Calendar:
    """The days of the data set with what every customer's use depends on, computed once."""

    first_day: date
    weekdays: tuple[int, ...]
    seasons: dict[Climate, tuple[float, ...]]

    @classmethod
    def of(cls, first_day: date, days: int) -> Calendar:
        """The calendar of `days` days from `first_day`."""
        span = [first_day + timedelta(days=offset) for offset in range(days)]
        return cls(
            first_day=first_day,
            weekdays=tuple(day.weekday() for day in span),
            seasons={
                climate: tuple(season_factor(climate, day) for day in span) for climate in Climate
            },
        )

    def __len__(self) -> int:
        return len(self.weekdays)


def daily_use(
    profile: UsageProfile,
    climate: Climate,
    calendar: Calendar,
    rng: random.Random,
    extra_wh: Sequence[int] = (),
) -> Consumption:
    """Draw the use of every day of `calendar`; `extra_wh[i]` is added to day i (a leak)."""
    week = [1.0] * 7
    week[SATURDAY], week[SUNDAY] = profile.saturday, profile.sunday
    seasons = calendar.seasons[climate]
    gauss, exp = rng.gauss, math.exp
    total = [
        max(
            0,
            int(
                profile.base_wh
                * (1.0 + profile.ac_share * season)
                * week[weekday]
                * exp(gauss(0.0, profile.noise))
            ),
        )
        for season, weekday in zip(seasons, calendar.weekdays, strict=True)
    ]
    for position, extra in enumerate(extra_wh):
        total[position] += extra
    if profile.peak_share == 0.0 and profile.offpeak_share == 0.0:
        return Consumption(total=total, bands=None)
    normal: list[int] = []
    peak: list[int] = []
    offpeak: list[int] = []
    for used, weekday in zip(total, calendar.weekdays, strict=True):
        # EVN's time-of-use schedule has no peak hours on Sunday.
        peak_wh = 0 if weekday == SUNDAY else int(used * profile.peak_share)
        offpeak_wh = int(used * profile.offpeak_share)
        peak.append(peak_wh)
        offpeak.append(offpeak_wh)
        normal.append(used - peak_wh - offpeak_wh)
    return Consumption(total=total, bands=(normal, peak, offpeak))


def leak_load(days: int, leak_days: int, leak_wh: int) -> list[int]:
    """Extra use of a leak over the last `leak_days` of `days` days."""
    return [0] * (days - leak_days) + [leak_wh] * leak_days
