"""When scheduled messages may be delivered: the daily window, chosen hours and deadlines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class DeliveryWindow:
    """Local hours in which scheduled messages go out (hazard alerts excepted)."""

    start: time
    end: time
    zone: ZoneInfo

    def opens(self, day: date) -> datetime:
        """The moment the window opens on local `day`."""
        return datetime.combine(day, self.start, tzinfo=self.zone)

    def closes(self, day: date) -> datetime:
        """The moment the window closes on local `day`: later, a daily message is not sent."""
        return datetime.combine(day, self.end, tzinfo=self.zone)

    def hours(self, day: date) -> Mapping[int, datetime]:
        """For each hour a customer may choose, when its message may go out on `day`."""
        first = self.start.hour + (1 if self.start.minute else 0)
        return {
            hour: datetime.combine(day, time(hour), tzinfo=self.zone)
            for hour in range(first, self.end.hour)
        }

    def next_open(self, moment: datetime) -> datetime:
        """`moment` itself inside the window, else the next opening."""
        local = moment.astimezone(self.zone)
        if local < self.opens(local.date()):
            return self.opens(local.date())
        if local >= self.closes(local.date()):
            return self.opens(local.date() + timedelta(days=1))
        return moment
