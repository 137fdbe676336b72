"""The demo generator: deterministic, well-formed, realistic, with the planted faults."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meters.demo.billing import WH_PER_KWH
from meters.demo.generate import generate_demo
from meters.demo.model import DemoData, DemoMeter, Fault
from meters.demo.places import POWER_COMPANIES
from tariff import BillRequest, compute_bill

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2025, 11, 20)
CODE = re.compile(r"^P[A-Z][A-Z0-9]{9,11}$")
MOBILE = re.compile(r"^0[35789]\d{8}$")
UNIT_CODES = {company.code for company in POWER_COMPANIES}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    """A small data set: 60 customers, 60 days."""
    return generate_demo(seed=7, customers=60, today=TODAY, zone=ZONE, days=60)


def local(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC).astimezone(ZONE)


def daily_use(meter: DemoMeter) -> dict[date, int]:
    """Use per local day from consecutive midnight readings of one meter."""
    at = {
        local(epoch).date(): index
        for epoch, index in zip(meter.read_at, meter.index_wh, strict=True)
    }
    return {
        day: at[day + timedelta(days=1)] - at[day] for day in at if day + timedelta(days=1) in at
    }


def test_same_seed_and_day_give_identical_data(demo: DemoData) -> None:
    again = generate_demo(seed=7, customers=60, today=TODAY, zone=ZONE, days=60)
    assert again == demo


def test_another_seed_gives_other_data(demo: DemoData) -> None:
    other = generate_demo(seed=8, customers=60, today=TODAY, zone=ZONE, days=60)
    assert {c.customer_code for c in other.customers}.isdisjoint(
        {c.customer_code for c in demo.customers}
    )
    assert other.bills != demo.bills


def test_another_day_shifts_the_readings(demo: DemoData) -> None:
    later = generate_demo(
        seed=7, customers=60, today=TODAY + timedelta(days=1), zone=ZONE, days=60
    )
    assert later.customers == demo.customers
    assert later.meters[0].read_at != demo.meters[0].read_at


def test_counts(demo: DemoData) -> None:
    assert len(demo.customers) == 60
    replaced = [f for f in demo.faults if f.fault is Fault.REPLACED]
    assert len(demo.meters) == 60 + len(replaced)
    assert Counter(m.customer_code for m in demo.meters if m.removed_at is None) == Counter(
        c.customer_code for c in demo.customers
    )
    assert demo.first_day == TODAY - timedelta(days=60)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**40), count=st.integers(1, 40))
def test_codes_valid_unique_and_phones_well_formed(seed: int, count: int) -> None:
    data = generate_demo(seed=seed, customers=count, today=TODAY, zone=ZONE, days=30)
    codes = [c.customer_code for c in data.customers]
    assert all(CODE.match(code) and len(code) == 13 for code in codes)
    assert all(code[:6] in UNIT_CODES for code in codes)
    assert len(set(codes)) == len(codes)
    assert all(MOBILE.match(c.phone) for c in data.customers)
    assert max(Counter(c.phone for c in data.customers).values()) <= 3
    assert len({m.meter_id for m in data.meters}) == len(data.meters)
    for meter in data.meters:
        assert_monotone_except_flagged(meter)


def assert_monotone_except_flagged(meter: DemoMeter) -> None:
    registers = [meter.index_wh, meter.normal_wh, meter.peak_wh, meter.offpeak_wh]
    for values in (r for r in registers if r is not None):
        for position in range(1, len(values)):
            if position not in meter.index_down_at:
                assert values[position] >= values[position - 1], (meter.meter_id, position)
    assert list(meter.read_at) == sorted(meter.read_at)


def test_some_phones_hold_several_codes(demo: DemoData) -> None:
    holders = Counter(c.phone for c in demo.customers)
    shared = [phone for phone, count in holders.items() if count > 1]
    assert shared
    for phone in shared:
        assert len({c.name for c in demo.customers if c.phone == phone}) == 1


def test_readings_are_daily_just_after_local_midnight_until_today(demo: DemoData) -> None:
    for meter in demo.meters:
        if meter.removed_at is not None or meter.installed_at >= datetime.combine(
            demo.first_day, datetime.min.time(), ZONE
        ):
            continue
        moments = [local(epoch) for epoch in meter.read_at]
        assert moments[-1].date() == TODAY
        assert all(m.hour == 0 and m.minute < 10 for m in moments)
        assert all(m.tzinfo is not None for m in moments)


def test_every_fault_is_planted_and_only_the_reset_goes_down(demo: DemoData) -> None:
    planted = Counter(f.fault for f in demo.faults)
    assert set(planted) == set(Fault)
    reset = next(f for f in demo.faults if f.fault is Fault.RESET)
    meter = next(m for m in demo.meters if m.meter_id == reset.meter_id)
    (position,) = meter.index_down_at
    assert meter.index_wh[position] < meter.index_wh[position - 1]
    assert [m for m in demo.meters if m.index_down_at] == [meter]


def test_gaps_leave_days_without_a_reading(demo: DemoData) -> None:
    gaps = next(f for f in demo.faults if f.fault is Fault.GAPS)
    meter = next(m for m in demo.meters if m.meter_id == gaps.meter_id)
    assert len(meter.read_at) < len(demo.meters[0].read_at) or meter is demo.meters[0]
    assert len(meter.read_at) < 61


def test_replaced_meter_is_closed_and_followed(demo: DemoData) -> None:
    fault = next(f for f in demo.faults if f.fault is Fault.REPLACED)
    old = next(m for m in demo.meters if m.meter_id == fault.meter_id)
    new = next(m for m in demo.meters if m.customer_code == fault.customer_code and m is not old)
    assert old.removed_at is not None
    assert new.installed_at == old.removed_at
    assert local(old.read_at[-1]) == old.removed_at
    assert local(new.read_at[0]) == new.installed_at
    assert new.index_wh[0] < 100 < old.index_wh[-1]


def test_leak_is_visible_in_daily_use(demo: DemoData) -> None:
    leak = next(f for f in demo.faults if f.fault is Fault.LEAK)
    use = daily_use(next(m for m in demo.meters if m.meter_id == leak.meter_id))
    during = [v for day, v in use.items() if leak.first_day <= day <= leak.last_day]
    before = [
        v for day, v in use.items() if leak.first_day - timedelta(days=21) <= day < leak.first_day
    ]
    assert leak.last_day == TODAY - timedelta(days=1)
    assert 14 <= len(during) <= 21
    assert sum(during) / len(during) > 1.4 * sum(before) / len(before)


def test_bills_are_the_tariff_of_the_period_kwh_read_from_registers(demo: DemoData) -> None:
    customers = {c.customer_code: c for c in demo.customers}
    faulty = {f.customer_code for f in demo.faults}
    clean = {m.customer_code: m for m in demo.meters if m.customer_code not in faulty}
    checked = 0
    for bill in demo.bills:
        customer = customers[bill.customer_code]
        meter = clean.get(bill.customer_code)
        if meter is None:
            continue
        start = (bill.period_start - demo.first_day).days
        end = (bill.period_end - demo.first_day).days + 1
        if meter.normal_wh is None:
            kwh = meter.index_wh[end] // WH_PER_KWH - meter.index_wh[start] // WH_PER_KWH
            request = BillRequest(
                kwh=kwh,
                period_start=bill.period_start,
                period_end=bill.period_end,
                households=customer.households,
                customer_type=customer.customer_type,
                voltage_kv=customer.voltage_kv,
                prepaid=customer.meter_kind == "prepaid",
            )
        else:
            bands = [
                r[end] // WH_PER_KWH - r[start] // WH_PER_KWH
                for r in (meter.normal_wh, meter.peak_wh, meter.offpeak_wh)
                if r is not None
            ]
            kwh = sum(bands)
            request = BillRequest(
                normal_kwh=bands[0],
                peak_kwh=bands[1],
                offpeak_kwh=bands[2],
                period_start=bill.period_start,
                period_end=bill.period_end,
                customer_type=customer.customer_type,
                voltage_kv=customer.voltage_kv,
            )
        expected = compute_bill(request)
        assert bill.kwh == kwh
        assert (bill.amount_before_vat, bill.vat, bill.total) == (
            expected.amount_before_vat,
            expected.vat,
            expected.total,
        )
        checked += 1
    assert checked > 30


def test_bills_end_on_the_reading_day_and_are_due_ten_days_later(demo: DemoData) -> None:
    customers = {c.customer_code: c for c in demo.customers}
    for bill in demo.bills:
        day = customers[bill.customer_code].reading_day
        assert bill.period_end.day == day or bill.period_end.day < day  # short months
        assert bill.period_end < TODAY
        assert bill.due_date == bill.period_end + timedelta(days=10)
        assert bill.paid_at is None or bill.paid_at.date() < TODAY
    assert len({b.bill_no for b in demo.bills}) == len(demo.bills)


def test_payment_state_is_mixed_at_the_latest_bill() -> None:
    data = generate_demo(seed=3, customers=300, today=TODAY, zone=ZONE, days=75)
    latest = {b.customer_code: b for b in sorted(data.bills, key=lambda b: b.period_end)}
    unpaid = [b for b in latest.values() if b.paid_at is None]
    overdue = [b for b in unpaid if b.due_date < TODAY]
    assert 0 < len(unpaid) < len(latest)
    assert overdue
    days = {c.reading_day for c in data.customers}
    assert 31 in days
    assert len(days) >= 15


def test_outages_in_the_coming_week_on_stations_of_customers(demo: DemoData) -> None:
    fed = {(c.area, c.station) for c in demo.customers}
    coming = [o for o in demo.outages if TODAY < o.starts_at.date() <= TODAY + timedelta(days=7)]
    past = [o for o in demo.outages if o.ends_at.date() < TODAY]
    assert len(coming) >= 5
    assert len({o.area for o in coming}) >= 3
    assert past
    for outage in demo.outages:
        assert outage.stations
        assert all((outage.area, station) in fed for station in outage.stations)
        assert outage.starts_at < outage.ends_at
        assert outage.announced_at <= outage.starts_at - timedelta(days=5)


def test_payment_points_in_both_cities(demo: DemoData) -> None:
    points = demo.payment_points
    assert any(10.6 < p.lat < 10.95 and 106.5 < p.lon < 106.85 for p in points)
    assert any(15.95 < p.lat < 16.15 and 108.1 < p.lon < 108.3 for p in points)
    assert {"quầy thu Điện lực", "ngân hàng", "bưu điện", "cửa hàng tiện lợi"} <= {
        p.kind for p in points
    }


def test_requests_have_a_history_ending_in_their_status(demo: DemoData) -> None:
    codes = {c.customer_code for c in demo.customers}
    assert demo.requests
    for request in demo.requests:
        assert request.customer_code in codes
        assert request.history[0].status == "received"
        moments = [step.changed_at for step in request.history]
        assert moments == sorted(moments)
        assert moments[-1].date() < TODAY


def test_rejects_impossible_sizes() -> None:
    with pytest.raises(ValueError, match="at least one customer"):
        generate_demo(seed=1, customers=0, today=TODAY, zone=ZONE)
    with pytest.raises(ValueError, match="days must be between"):
        generate_demo(seed=1, customers=5, today=TODAY, zone=ZONE, days=5)
