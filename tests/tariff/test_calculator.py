"""compute_bill reproduces tariff.md: published examples, tiers, households, renters, periods."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tariff import (
    Band,
    BillRequest,
    CustomerType,
    FlatReason,
    LineKind,
    UnknownTariff,
    compute_bill,
    default_schedule_book,
    parse_decision,
)
from tariff.arithmetic import round_half_up
from tariff.periods import is_standard_month
from tests.tariff import spec_tables

JUNE_2025 = (date(2025, 6, 1), date(2025, 6, 30))


def residential(kwh: int, start: date, end: date, **options: object) -> BillRequest:
    """A residential request for `kwh` over the period."""
    return BillRequest(kwh=kwh, period_start=start, period_end=end, **options)  # type: ignore[arg-type]


def subtotal_under(table: date, kwh: int) -> int:
    """The before-VAT bill of `kwh` in a plain month priced entirely by `table`."""
    start, end = spec_tables.MONTH_UNDER[table]
    return compute_bill(residential(kwh, start, end)).amount_before_vat


def test_evnspc_example_410_kwh_in_2015() -> None:
    """tariff.md §6 #1: 410 kWh, 16/6–15/7/2015, VAT 10 %."""
    bill = compute_bill(residential(410, date(2015, 6, 16), date(2015, 7, 15)))
    assert [line.amount for line in bill.lines] == [
        74_200,
        76_650,
        178_600,
        224_200,
        250_300,
        25_870,
    ]
    assert (bill.amount_before_vat, bill.vat, bill.total) == (829_820, 82_982, 912_802)
    assert bill.vat_rate == Decimal("0.10")
    assert bill.days == 30
    assert not bill.prorated


@pytest.mark.parametrize(
    ("old", "new", "differences"),
    [
        # §6 #2: 11/10/2024 vs the Nov-2023 table.
        (
            date(2023, 11, 9),
            date(2024, 10, 11),
            {50: 4_350, 100: 8_850, 200: 19_250, 300: 32_350, 400: 47_050, 500: 62_150},
        ),
        # §6 #3: May-2025 vs Oct-2024 (EVN's "≥ 400 kWh" figure is the 500 kWh bill).
        (date(2024, 10, 11), date(2025, 5, 10), {50: 4_550, 100: 9_250, 200: 20_150, 500: 65_050}),
        # §6 #4: Nov-2023 vs May-2023.
        (
            date(2023, 5, 4),
            date(2023, 11, 9),
            {50: 3_900, 100: 7_900, 200: 17_200, 300: 28_900, 400: 42_000, 500: 55_600},
        ),
    ],
)
def test_published_increases_between_tables(
    old: date, new: date, differences: dict[int, int]
) -> None:
    for kwh, difference in differences.items():
        assert subtotal_under(new, kwh) - subtotal_under(old, kwh) == difference


def test_reading_date_change_prorates_quotas_like_evnhanoi() -> None:
    """§6 #5: reading 03/01 → 29/02/2024 (57 days): tiers 1–2 get 92 kWh, tiers 3–4 get 184."""
    bill = compute_bill(residential(700, date(2024, 1, 4), date(2024, 2, 29)))
    assert bill.days == 57
    assert bill.prorated
    assert [line.quota for line in bill.lines[:4]] == [92, 92, 184, 184]


def test_vnexpress_53_day_period_gives_tier_one_85_kwh() -> None:
    """§6 #6: reading 07/01 → 29/02/2024 (53 days) puts the first 85 kWh in tier 1."""
    bill = compute_bill(residential(85, date(2024, 1, 8), date(2024, 2, 29)))
    assert [(line.tier, line.kwh) for line in bill.lines] == [(1, 85)]
    assert bill.lines[0].quota == 85


def test_vendor_example_is_wrong_and_ours_is_right() -> None:
    """§6 #7: smartsolar's 361.465 đ for 170 kWh (Nov-2023 table, VAT 8 %) is wrong: 362.113."""
    bill = compute_bill(residential(170, date(2024, 1, 1), date(2024, 1, 31)))
    assert [line.amount for line in bill.lines[:2]] == [90_300, 93_300]
    assert bill.total == 362_113
    assert bill.total != 361_465


@pytest.mark.parametrize("table", sorted(spec_tables.RESIDENTIAL))
@pytest.mark.parametrize("bound", spec_tables.TIER_UPPER_BOUNDS)
def test_each_kwh_costs_its_tier_price_on_both_sides_of_every_boundary(
    table: date, bound: int
) -> None:
    prices = spec_tables.RESIDENTIAL[table]
    tier = spec_tables.TIER_UPPER_BOUNDS.index(bound)  # zero-based tier that ends at `bound`
    assert subtotal_under(table, bound) - subtotal_under(table, bound - 1) == prices[tier]
    assert subtotal_under(table, bound + 1) - subtotal_under(table, bound) == prices[tier + 1]
    if bound == 50:
        assert subtotal_under(table, 49) == 49 * prices[0]


@pytest.mark.parametrize("table", sorted(spec_tables.RESIDENTIAL))
def test_lines_name_their_table(table: date) -> None:
    start, end = spec_tables.MONTH_UNDER[table]
    bill = compute_bill(residential(450, start, end))
    assert {line.tariff_from for line in bill.lines} == {table}
    assert [line.price for line in bill.lines] == list(spec_tables.RESIDENTIAL[table])


def test_shared_meter_multiplies_every_quota() -> None:
    bill = compute_bill(residential(300, *JUNE_2025, households=Decimal(2)))
    assert [(line.tier, line.kwh) for line in bill.lines] == [(1, 100), (2, 100), (3, 100)]


def test_fractional_households_round_quotas_half_up() -> None:
    bill = compute_bill(residential(1000, *JUNE_2025, households=Decimal("0.75")))
    # 50 × 0.75 = 37,5 → 38; 100 × 0.75 = 75.
    assert [line.quota for line in bill.lines] == [38, 38, 75, 75, 75, None]


@pytest.mark.parametrize(("persons", "tier_one"), [(1, 13), (2, 25), (3, 38), (4, 50), (6, 75)])
def test_declared_renters_get_a_quarter_quota_each(persons: int, tier_one: int) -> None:
    bill = compute_bill(residential(1000, *JUNE_2025, persons=persons))
    assert bill.lines[0].quota == tier_one == round_half_up(Fraction(50 * persons, 4))
    assert bill.households == Decimal(persons) / 4


def test_undeclared_renters_pay_the_tier_three_price_for_everything() -> None:
    bill = compute_bill(residential(170, *JUNE_2025, renter_undeclared=True))
    assert [(line.kwh, line.price) for line in bill.lines] == [(170, 2380)]
    assert bill.lines[0].flat_reason is FlatReason.RENTER_UNDECLARED


def test_undeclared_renters_across_a_price_change_pay_each_tier_three_price() -> None:
    """May 2025 (new prices from 10/05): 310 kWh × 10/31 = 100 kWh at 2.271, 210 at 2.380."""
    bill = compute_bill(
        residential(310, date(2025, 5, 1), date(2025, 5, 31), renter_undeclared=True)
    )
    assert [(line.kwh, line.price, line.tariff_from) for line in bill.lines] == [
        (100, 2271, date(2024, 10, 11)),
        (210, 2380, date(2025, 5, 10)),
    ]


def test_prepaid_meter_pays_the_prepaid_price() -> None:
    bill = compute_bill(residential(200, *JUNE_2025, prepaid=True))
    assert [(line.kwh, line.price) for line in bill.lines] == [(200, spec_tables.PREPAID_2025)]


def test_prepaid_price_unknown_before_decision_1279() -> None:
    with pytest.raises(UnknownTariff, match="prepaid"):
        compute_bill(residential(200, date(2024, 12, 1), date(2024, 12, 31), prepaid=True))


def test_period_before_the_first_known_table_is_refused() -> None:
    with pytest.raises(UnknownTariff, match="2015-03-16"):
        compute_bill(residential(100, date(2015, 3, 1), date(2015, 3, 31)))


def test_price_change_inside_the_period_splits_kwh_and_quotas_by_days() -> None:
    """§5.4: 01/05–31/05/2025, new prices from 10/05: Nc = 10, Nm = 21, T' = 30 (April)."""
    bill = compute_bill(residential(350, date(2025, 5, 1), date(2025, 5, 31)))
    old = [line for line in bill.lines if line.tariff_from == date(2024, 10, 11)]
    new = [line for line in bill.lines if line.tariff_from == date(2025, 5, 10)]
    assert sum(line.kwh for line in old) == round_half_up(Fraction(350 * 10, 31))
    assert sum(line.kwh for line in old) + sum(line.kwh for line in new) == 350
    assert [line.quota for line in old] == [
        round_half_up(Fraction(w * 10, 30)) for w in (50, 50, 100, 100, 100)
    ]
    assert [line.quota for line in new][:4] == [
        round_half_up(Fraction(w * 21, 30)) for w in (50, 50, 100, 100)
    ]
    assert {line.source for line in old} != {line.source for line in new}


def test_a_table_taking_effect_on_the_first_day_still_leaves_one_old_day() -> None:
    """§5.4 item 5: read on 09/05, new prices from 10/05: Nc = 10/05 − 09/05 = 1, Nm = 30."""
    bill = compute_bill(residential(350, date(2025, 5, 10), date(2025, 6, 9)))
    old = [line for line in bill.lines if line.tariff_from == date(2024, 10, 11)]
    new = [line for line in bill.lines if line.tariff_from == date(2025, 5, 10)]
    assert bill.prorated
    assert sum(line.kwh for line in old) == round_half_up(Fraction(350, 31)) == 11
    assert [line.quota for line in old] == [2, 2, 3, 3, 3]  # width × 1 / 31 (T' = May)
    assert [line.quota for line in new][:4] == [48, 48, 97, 97]  # width × 30 / 31
    assert sum(line.kwh for line in bill.lines) == 350


def test_a_table_taking_effect_on_the_reading_date_adds_no_days() -> None:
    """Read on 10/05/2025, the day the new prices start: Nc = N, the period is all old prices."""
    bill = compute_bill(residential(350, date(2025, 4, 11), date(2025, 5, 10)))
    assert {line.tariff_from for line in bill.lines} == {date(2024, 10, 11)}
    assert not bill.prorated
    after = compute_bill(residential(350, date(2025, 5, 11), date(2025, 6, 10)))
    assert {line.tariff_from for line in after.lines} == {date(2025, 5, 10)}


def test_a_period_whose_first_day_needs_an_unknown_older_table_is_refused() -> None:
    request = BillRequest(
        kwh=100,
        period_start=date(2025, 5, 10),
        period_end=date(2025, 6, 9),
        customer_type="business",
    )
    with pytest.raises(UnknownTariff, match="no business tariff is known before 2025-05-10"):
        compute_bill(request)


def test_irregular_first_bill_prorates_with_the_preceding_month() -> None:
    """A 20-day first bill read on 20/03/2025: T' = 28 (February 2025)."""
    bill = compute_bill(residential(500, date(2025, 3, 1), date(2025, 3, 20)))
    expected = [round_half_up(Fraction(w * 20, 28)) for w in (50, 50, 100, 100, 100)]
    assert [line.quota for line in bill.lines[:5]] == expected


@pytest.mark.parametrize(
    ("end", "rate"),
    [
        (date(2022, 1, 31), "0.10"),
        (date(2022, 2, 1), "0.08"),
        (date(2022, 12, 31), "0.08"),
        (date(2023, 1, 1), "0.10"),
        (date(2023, 6, 30), "0.10"),
        (date(2023, 7, 1), "0.08"),
        (date(2026, 12, 31), "0.08"),
        (date(2027, 1, 1), "0.10"),
    ],
)
def test_vat_rate_comes_from_the_reading_date(end: date, rate: str) -> None:
    """VAT-EDGE: the whole bill takes the rate of its reading date, even across a change."""
    bill = compute_bill(residential(100, end - timedelta(days=29), end))
    assert bill.vat_rate == Decimal(rate)
    assert bill.vat == round_half_up(Fraction(Decimal(rate)) * bill.amount_before_vat)


@pytest.mark.parametrize(
    ("group", "table"),
    [
        (CustomerType.PRODUCTION, spec_tables.PRODUCTION),
        (CustomerType.BUSINESS, spec_tables.BUSINESS),
    ],
)
@pytest.mark.parametrize("voltage", ["0.4", "5.9", "6", "21.9", "22", "35", "109", "110", "220"])
def test_three_price_meters_use_the_voltage_level(
    group: CustomerType, table: dict[int, tuple[int, int, int]], voltage: str
) -> None:
    level = max(bound for bound in table if Decimal(voltage) >= bound)
    normal, offpeak, peak = table[level]
    request = BillRequest(
        period_start=JUNE_2025[0],
        period_end=JUNE_2025[1],
        customer_type=group,
        voltage_kv=Decimal(voltage),
        normal_kwh=1200,
        peak_kwh=300,
        offpeak_kwh=500,
    )
    bill = compute_bill(request)
    assert bill.kwh == 2000
    assert {line.band: line.price for line in bill.lines} == {
        Band.NORMAL: normal,
        Band.PEAK: peak,
        Band.OFFPEAK: offpeak,
    }
    assert bill.amount_before_vat == 1200 * normal + 300 * peak + 500 * offpeak
    assert all(line.kind is LineKind.BAND for line in bill.lines)


def test_single_rate_business_meter_pays_the_normal_hours_price() -> None:
    """Case BUS-1PRICE-LT6-2025."""
    request = BillRequest(
        kwh=800, period_start=JUNE_2025[0], period_end=JUNE_2025[1], customer_type="business"
    )
    bill = compute_bill(request)
    assert [(line.kwh, line.price, line.band) for line in bill.lines] == [(800, 3152, Band.NORMAL)]
    assert bill.total == 800 * 3152 + round_half_up(Fraction(800 * 3152 * 8, 100))


@pytest.mark.parametrize(
    ("group", "table"),
    [
        (CustomerType.ADMIN_HEALTH_EDUCATION, spec_tables.ADMIN_HEALTH_EDUCATION),
        (CustomerType.ADMIN_PUBLIC, spec_tables.ADMIN_PUBLIC),
    ],
)
@pytest.mark.parametrize("voltage", ["0.4", "6", "22"])
def test_administrative_groups_have_one_price_per_voltage(
    group: CustomerType, table: dict[int, int], voltage: str
) -> None:
    price = table[6 if Decimal(voltage) >= 6 else 0]
    request = BillRequest(
        kwh=1000,
        period_start=JUNE_2025[0],
        period_end=JUNE_2025[1],
        customer_type=group,
        voltage_kv=Decimal(voltage),
    )
    assert [line.price for line in compute_bill(request).lines] == [price]


def test_non_residential_prices_unknown_before_decision_1279() -> None:
    request = BillRequest(
        kwh=100,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 1, 31),
        customer_type="business",
    )
    with pytest.raises(UnknownTariff, match="business"):
        compute_bill(request)


def test_three_price_registers_split_by_days_at_a_price_change() -> None:
    """A business table from 11/01/2027 splits each register by days: Nc = 11/01 − 31/12 = 11."""
    future = parse_decision(
        {
            "effective_from": "2027-01-11",
            "decision": "hypothetical",
            "source": "test",
            "business": {
                "voltage_levels": [{"min_kv": "0", "normal": 4000, "offpeak": 2000, "peak": 7000}]
            },
        },
        "test",
    )
    request = BillRequest(
        period_start=date(2027, 1, 1),
        period_end=date(2027, 1, 31),
        customer_type="business",
        normal_kwh=310,
        peak_kwh=62,
        offpeak_kwh=31,
    )
    bill = compute_bill(request, schedules=default_schedule_book().with_decision(future))
    old = {line.band: line.kwh for line in bill.lines if line.source == "1279/QĐ-BCT"}
    new = {line.band: line.kwh for line in bill.lines if line.source == "hypothetical"}
    assert old == {Band.NORMAL: 110, Band.PEAK: 22, Band.OFFPEAK: 11}
    assert new == {Band.NORMAL: 200, Band.PEAK: 40, Band.OFFPEAK: 20}
    assert bill.amount_before_vat == (110 * 3152 + 22 * 5422 + 11 * 1918) + (
        200 * 4000 + 40 * 7000 + 20 * 2000
    )


# --- properties -------------------------------------------------------------------------------

periods = st.tuples(
    st.dates(min_value=date(2015, 4, 1), max_value=date(2027, 6, 30)),
    st.integers(min_value=1, max_value=75),
).map(lambda pair: (pair[0], pair[0] + timedelta(days=pair[1] - 1)))
households = st.sampled_from([Decimal(1), Decimal(2), Decimal(3), Decimal("0.25"), Decimal("1.5")])


@given(period=periods, kwh=st.integers(min_value=0, max_value=3000), h=households)
def test_total_never_decreases_with_kwh(period: tuple[date, date], kwh: int, h: Decimal) -> None:
    less = compute_bill(residential(kwh, *period, households=h))
    more = compute_bill(residential(kwh + 1, *period, households=h))
    assert more.amount_before_vat >= less.amount_before_vat
    assert more.total >= less.total


@given(period=periods, kwh=st.integers(min_value=0, max_value=5000), h=households)
def test_splitting_a_period_never_changes_the_kwh_total(
    period: tuple[date, date], kwh: int, h: Decimal
) -> None:
    bill = compute_bill(residential(kwh, *period, households=h))
    assert sum(line.kwh for line in bill.lines) == kwh == bill.kwh
    assert bill.amount_before_vat == sum(line.kwh * line.price for line in bill.lines)


@given(
    month=st.dates(min_value=date(2015, 4, 1), max_value=date(2027, 6, 1)),
    per_household=st.integers(min_value=0, max_value=900),
    count=st.integers(min_value=1, max_value=6),
)
def test_shared_meter_costs_h_times_the_single_bill(
    month: date, per_household: int, count: int
) -> None:
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    assume(not any(start <= change <= end for change in spec_tables.RESIDENTIAL))  # no proration
    shared = compute_bill(
        residential(per_household * count, start, end, households=Decimal(count))
    )
    single = compute_bill(residential(per_household, start, end))
    assert shared.amount_before_vat == count * single.amount_before_vat
    assert abs(shared.total - count * single.total) <= count  # VAT is rounded once per bill


@given(period=periods, kwh=st.integers(min_value=0, max_value=5000))
def test_vat_is_the_rate_times_the_subtotal_within_one_dong(
    period: tuple[date, date], kwh: int
) -> None:
    bill = compute_bill(residential(kwh, *period))
    assert abs(Fraction(bill.vat) - Fraction(bill.vat_rate) * bill.amount_before_vat) <= Fraction(
        1, 2
    )
    assert bill.total == bill.amount_before_vat + bill.vat


def test_single_rate_production_meter_pays_the_normal_hours_price() -> None:
    request = BillRequest(
        kwh=1000,
        period_start=JUNE_2025[0],
        period_end=JUNE_2025[1],
        customer_type="production",
        voltage_kv=Decimal(22),
    )
    bill = compute_bill(request)
    normal = spec_tables.PRODUCTION[22][0]
    assert [(line.kwh, line.price, line.flat_reason) for line in bill.lines] == [
        (1000, normal, FlatReason.SINGLE_RATE)
    ]


def test_vendor_figure_comes_from_wrong_tier_lines() -> None:
    """§6 #7: smartsolar's 361.465 đ is exactly what their 90.000 / 93.000 lines give."""
    bill = compute_bill(residential(170, date(2024, 1, 1), date(2024, 1, 31)))
    third = bill.lines[2].amount
    vendor_subtotal = 90_000 + 93_000 + third
    assert vendor_subtotal + round_half_up(Fraction(vendor_subtotal * 8, 100)) == 361_465
    assert bill.amount_before_vat - vendor_subtotal == 600  # 50 kWh × 6 đ too little, twice


# --- the reference algorithm of tariff.md §9, written out independently -----------------------

REFERENCE_WIDTHS = (50, 50, 100, 100, 100, None)


def reference_subtotal(kwh: int, start: date, end: date, h: Fraction) -> int:
    """§9 step by step, with the prices of spec_tables (not the data files)."""
    previous = start - timedelta(days=1)
    n = (end - previous).days
    tables = sorted(spec_tables.RESIDENTIAL)
    old_table = max(table for table in tables if table <= previous)
    changes = [table for table in tables if previous < table <= end]
    before_end = end.replace(day=1) - timedelta(days=1)
    t_prime = before_end.day

    def fill(share: int, table: date, scale: Fraction | None) -> int:
        amount, remaining = 0, share
        for width, price in zip(REFERENCE_WIDTHS, spec_tables.RESIDENTIAL[table], strict=True):
            quota = None if width is None else round_half_up(width * (scale or 1) * h)
            used = remaining if quota is None else min(remaining, quota)
            amount += used * price
            remaining -= used
        return amount

    if changes:
        (change,) = changes  # the tables are months apart; periods here are at most 75 days
        nc = (change - previous).days
        s_old = round_half_up(Fraction(kwh * nc, n))
        return fill(s_old, old_table, Fraction(nc, t_prime)) + fill(
            kwh - s_old, change, Fraction(n - nc, t_prime)
        )
    table = max(table for table in tables if table <= start)
    return fill(kwh, table, None if is_standard_month(start, end) else Fraction(n, t_prime))


straddling = st.tuples(
    st.sampled_from(sorted(spec_tables.RESIDENTIAL)[1:]),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=40),
).map(lambda t: (t[0] - timedelta(days=t[1]), t[0] + timedelta(days=t[2])))
any_period = st.one_of(periods, straddling)


@given(
    period=any_period,
    kwh=st.integers(min_value=0, max_value=3000),
    h=st.sampled_from(["1", "2", "0.25", "0.75", "1.5", "3"]),
)
def test_bills_follow_the_reference_algorithm(period: tuple[date, date], kwh: int, h: str) -> None:
    bill = compute_bill(residential(kwh, *period, households=Decimal(h)))
    assert bill.amount_before_vat == reference_subtotal(kwh, *period, Fraction(h))


@given(period=straddling, kwh=st.integers(min_value=0, max_value=5000), h=households)
def test_splitting_at_a_price_change_keeps_the_kwh_total(
    period: tuple[date, date], kwh: int, h: Decimal
) -> None:
    bill = compute_bill(residential(kwh, *period, households=h))
    assert len({line.tariff_from for line in bill.lines}) <= 2
    assert sum(line.kwh for line in bill.lines) == kwh == bill.kwh


@given(
    days=st.integers(min_value=1, max_value=60),
    before=st.integers(min_value=0, max_value=59),
    registers=st.tuples(*(st.integers(min_value=0, max_value=10**6) for _ in range(3))),
)
def test_splitting_three_price_registers_keeps_each_register(
    days: int, before: int, registers: tuple[int, int, int]
) -> None:
    future = parse_decision(
        {
            "effective_from": "2027-03-01",
            "decision": "hypothetical",
            "source": "test",
            "business": {
                "voltage_levels": [{"min_kv": "0", "normal": 4000, "offpeak": 2000, "peak": 7000}]
            },
        },
        "test",
    )
    start = date(2027, 3, 1) - timedelta(days=min(before, days - 1))
    normal, peak, offpeak = registers
    request = BillRequest(
        period_start=start,
        period_end=start + timedelta(days=days - 1),
        customer_type="business",
        normal_kwh=normal,
        peak_kwh=peak,
        offpeak_kwh=offpeak,
    )
    bill = compute_bill(request, schedules=default_schedule_book().with_decision(future))
    for band, kwh in zip(Band, registers, strict=True):
        assert sum(line.kwh for line in bill.lines if line.band is band) == kwh
    assert bill.kwh == sum(registers)
