"""Register readings of a demo meter from its daily use, with the planted faults.

Reading k is taken a few minutes after local midnight at the start of day `first_day + k`,
so it closes day k - 1: with `days` days of use there are `days + 1` readings, the last one
early on `today`.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from meters.demo.model import DemoMeter, Fault, PlantedFault
from meters.demo.usage import Consumption

MAX_JITTER_SECONDS = 600  # remote reads arrive between 00:00 and 00:10 local time
REPLACEMENT_SHARE = 0.4  # share of the replacement day's use before the exchange (mid-morning)


@dataclass(frozen=True, slots=True)
class Registers:
    """Where a meter's registers would stand at each reading if nothing went wrong (Wh)."""

    total: list[int]
    bands: tuple[list[int], list[int], list[int]] | None

    @classmethod
    def of(cls, consumption: Consumption, starts: tuple[int, int, int]) -> Registers:
        """Running sums of `consumption` from the starting registers (normal, peak, offpeak)."""
        if consumption.bands is None:
            return cls(total=list(accumulate(consumption.total, initial=sum(starts))), bands=None)
        normal, peak, offpeak = (
            list(accumulate(values, initial=start))
            for values, start in zip(consumption.bands, starts, strict=True)
        )
        total = [a + b + c for a, b, c in zip(normal, peak, offpeak, strict=True)]
        return cls(total=total, bands=(normal, peak, offpeak))


def midnights(first_day: date, count: int, zone: ZoneInfo) -> list[int]:
    """UTC epoch seconds of local midnight at the start of `count` days from `first_day`."""
    return [
        int(datetime.combine(first_day + timedelta(days=k), time(0), tzinfo=zone).timestamp())
        for k in range(count)
    ]


def moment(epoch: int) -> datetime:
    """An aware UTC datetime from epoch seconds."""
    return datetime.fromtimestamp(epoch, tz=UTC)


@dataclass(frozen=True, slots=True)
class MeterSpec:
    """What is known of a meter before its readings are drawn."""

    meter_id: str
    customer_code: str
    kind: str
    installed_at: datetime


def plain_meter(
    spec: MeterSpec,
    registers: Registers,
    times: list[int],
    skipped: frozenset[int] = frozenset(),
) -> DemoMeter:
    """A meter read every day, except the positions in `skipped`."""
    keep = [k for k in range(len(times)) if k not in skipped]
    bands = registers.bands
    return DemoMeter(
        meter_id=spec.meter_id,
        customer_code=spec.customer_code,
        kind=spec.kind,
        installed_at=spec.installed_at,
        removed_at=None,
        read_at=array("q", (times[k] for k in keep)),
        index_wh=array("q", (registers.total[k] for k in keep)),
        normal_wh=None if bands is None else array("q", (bands[0][k] for k in keep)),
        peak_wh=None if bands is None else array("q", (bands[1][k] for k in keep)),
        offpeak_wh=None if bands is None else array("q", (bands[2][k] for k in keep)),
        index_down_at=(),
    )


def read_times(midnight_epochs: list[int], rng: random.Random) -> list[int]:
    """Reading moments: each local midnight plus up to ten minutes."""
    return [start + rng.randrange(MAX_JITTER_SECONDS) for start in midnight_epochs]


def with_gaps(
    spec: MeterSpec, registers: Registers, times: list[int], first_day: date, rng: random.Random
) -> tuple[DemoMeter, PlantedFault]:
    """A meter that missed two or three runs of one to four days."""
    last = len(times) - 1
    skipped: set[int] = set()
    for _ in range(rng.randint(2, 3)):
        start = rng.randrange(1, max(2, last - 5))
        skipped.update(range(start, min(last, start + rng.randint(1, 4))))
    meter = plain_meter(spec, registers, times, frozenset(skipped))
    fault = PlantedFault(
        Fault.GAPS,
        spec.customer_code,
        spec.meter_id,
        first_day + timedelta(days=min(skipped) - 1),
        first_day + timedelta(days=max(skipped)),
    )
    return meter, fault


def with_reset(
    spec: MeterSpec, registers: Registers, times: list[int], first_day: date, rng: random.Random
) -> tuple[DemoMeter, PlantedFault]:
    """A meter whose register fell to near zero in the last third (first low reading flagged)."""
    last = len(times) - 1
    position = rng.randint(last * 2 // 3, last - 3)
    offset = registers.total[position] - rng.randrange(0, 20_000)
    shifted = [
        value - offset if k >= position else value for k, value in enumerate(registers.total)
    ]
    meter = replace(
        plain_meter(spec, Registers(total=shifted, bands=None), times), index_down_at=(position,)
    )
    fault = PlantedFault(
        Fault.RESET,
        spec.customer_code,
        spec.meter_id,
        first_day + timedelta(days=position - 1),
        first_day + timedelta(days=position - 1),
    )
    return meter, fault


def with_replacement(
    spec: MeterSpec,
    registers: Registers,
    times: list[int],
    first_day: date,
    rng: random.Random,
    *,
    new_meter_id: str,
) -> tuple[tuple[DemoMeter, DemoMeter], PlantedFault]:
    """The old meter, removed mid-morning of a day in the middle third, and its successor.

    The old meter's last reading is taken at its removal; the new one starts near zero with a
    reading at its installation.
    """
    last = len(times) - 1
    position = rng.randint(last // 3, last * 2 // 3)
    day = first_day + timedelta(days=position)
    exchange = times[position] - times[position] % 60 + 9 * 3600 + rng.randrange(7200)
    used_before = int(
        (registers.total[position + 1] - registers.total[position]) * REPLACEMENT_SHARE
    )
    at_exchange = registers.total[position] + used_before
    old = plain_meter(spec, registers, times[: position + 1])
    old = replace(
        old,
        removed_at=moment(exchange),
        read_at=array("q", [*old.read_at, exchange]),
        index_wh=array("q", [*old.index_wh, at_exchange]),
    )
    new_start = rng.randrange(0, 30)
    new_registers = [new_start] + [
        new_start + value - at_exchange for value in registers.total[position + 1 :]
    ]
    new = plain_meter(
        MeterSpec(new_meter_id, spec.customer_code, spec.kind, moment(exchange)),
        Registers(total=new_registers, bands=None),
        [exchange, *times[position + 1 :]],
    )
    fault = PlantedFault(Fault.REPLACED, spec.customer_code, spec.meter_id, day, day)
    return (old, new), fault
