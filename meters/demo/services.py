"""Demo outages, payment points and service requests around the demo customers."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meters.demo.model import (
    DemoCustomer,
    DemoOutage,
    DemoPaymentPoint,
    DemoRequest,
    StatusChange,
)
from meters.demo.places import (
    OFFICE_HOURS,
    OFFICE_KIND,
    OUTAGE_REASONS,
    PAYMENT_POINT_KINDS,
    POWER_COMPANIES,
    Area,
)

UPCOMING_OUTAGES = 8
PAST_OUTAGES = 2
POINTS_PER_AREA = 2
NOTICE_DAYS = 5  # planned outages are announced at least five days ahead
SERVICE_TYPES = (
    "new_connection",
    "contract_change",
    "contract_end",
    "suspension",
    "meter_inspection",
    "meter_relocation",
)
# The steps of a request; each note is what the customer reads.
RECEIVED = ("received", "Đã tiếp nhận yêu cầu.")
IN_PROGRESS = ("in_progress", "Đã phân công nhân viên khảo sát, xử lý.")
COMPLETED = ("completed", "Đã hoàn thành yêu cầu.")
CANCELLED = ("cancelled", "Yêu cầu đã hủy theo đề nghị của khách hàng.")


def _local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def _stations_by_area(customers: Sequence[DemoCustomer]) -> dict[str, list[str]]:
    by_area: dict[str, set[str]] = {}
    for customer in customers:
        by_area.setdefault(customer.area, set()).add(customer.station)
    return {area: sorted(stations) for area, stations in sorted(by_area.items())}


def draw_outages(
    rng: random.Random, customers: Sequence[DemoCustomer], today: date, zone: ZoneInfo
) -> list[DemoOutage]:
    """Planned outages on stations that feed demo customers: the coming week and a few past."""
    by_area = _stations_by_area(customers)
    areas = list(by_area)
    rng.shuffle(areas)
    offsets = [rng.randint(1, 7) for _ in range(UPCOMING_OUTAGES)]
    offsets += [-rng.randint(3, 20) for _ in range(PAST_OUTAGES)]
    outages: list[DemoOutage] = []
    for number, offset in enumerate(offsets):
        area = areas[number % len(areas)]
        day = today + timedelta(days=offset)
        starts_at = _local(day, rng.choice((7, 8, 9)), rng.choice((0, 30)), zone)
        stations = by_area[area]
        outages.append(
            DemoOutage(
                outage_id=f"TN{day:%y%m%d}{number:02d}",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=rng.randint(3, 9)),
                area=area,
                reason=rng.choice(OUTAGE_REASONS),
                announced_at=_local(
                    day - timedelta(days=rng.randint(NOTICE_DAYS + 1, NOTICE_DAYS + 6)),
                    14,
                    0,
                    zone,
                ),
                stations=tuple(
                    sorted(rng.sample(stations, k=min(len(stations), rng.randint(1, 3))))
                ),
            )
        )
    return outages


def _near(rng: random.Random, centre: float) -> float:
    return round(centre + rng.uniform(-0.004, 0.004), 6)


def draw_payment_points(rng: random.Random) -> list[DemoPaymentPoint]:
    """A counter at every power company and a few banks, post offices and shops per area."""
    places: list[tuple[str, str, str, Area, str]] = []  # name, address, kind, area, hours
    for company in POWER_COMPANIES:
        office = company.areas[0]
        places.append(
            (
                f"Quầy thu tiền điện {company.name}",
                f"{rng.randint(1, 300)} {company.office_street}, {office.name}, {company.city}",
                OFFICE_KIND,
                office,
                OFFICE_HOURS,
            )
        )
        for area in company.areas:
            for kind, pattern, hours in rng.sample(PAYMENT_POINT_KINDS, k=POINTS_PER_AREA):
                street = rng.choice(area.streets)
                address = f"{rng.randint(1, 300)} {street}, {area.name}, {company.city}"
                places.append((pattern.format(street=street), address, kind, area, hours))
    return [
        DemoPaymentPoint(
            point_id=f"DTT{number:03d}",
            name=name,
            address=address,
            area=area.name,
            lat=_near(rng, area.lat),
            lon=_near(rng, area.lon),
            opening_hours=hours,
            kind=kind,
        )
        for number, (name, address, kind, area, hours) in enumerate(places, start=1)
    ]


def draw_requests(
    rng: random.Random, customers: Sequence[DemoCustomer], today: date, zone: ZoneInfo
) -> list[DemoRequest]:
    """A few service requests of the last weeks, each with the steps it went through."""
    count = min(len(customers), max(3, len(customers) // 100))
    requests: list[DemoRequest] = []
    for number, customer in enumerate(rng.sample(list(customers), k=count), start=1):
        created = _local(
            today - timedelta(days=rng.randint(1, 45)), rng.randint(7, 16), 0, zone
        ) + timedelta(minutes=rng.randrange(60))
        steps = [_change(RECEIVED, created)]
        moment = created
        for step in (IN_PROGRESS, COMPLETED if rng.random() < 0.85 else CANCELLED):
            moment += timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))
            if moment.date() >= today:
                break
            steps.append(_change(step, moment))
        requests.append(
            DemoRequest(
                request_id=f"YC{created:%y%m}{number:04d}",
                customer_code=customer.customer_code,
                service_type=rng.choice(SERVICE_TYPES),
                history=tuple(steps),
            )
        )
    return requests


def _change(step: tuple[str, str], at: datetime) -> StatusChange:
    status, note = step
    return StatusChange(status=status, changed_at=at, note=note)
