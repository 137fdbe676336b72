"""customers.csv: contracts and meters created, updated, replaced; bad rows change nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from meters.schema import Customer, Meter
from tests.meters.importer.conftest import (
    CUSTOMERS_HEADER,
    NOW,
    RunImport,
    WriteCsv,
    customer_line,
    rejected_lines,
    snapshot,
)


def meters_of(engine: Engine) -> list[tuple[str, str, datetime, datetime | None]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Customer.customer_code, Meter.meter_id, Meter.installed_at, Meter.removed_at)
            .join(Customer, Customer.id == Meter.customer_id)
            .order_by(Meter.meter_id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_customers_are_created_then_left_alone(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    path = write_csv(
        "c.csv", "\n".join([CUSTOMERS_HEADER, customer_line(1), customer_line(2, "tou")])
    )
    summary = run_import("customers", path)
    assert (summary.rows, summary.counts.inserted) == (2, 2)
    with Session(engine) as session:
        first = session.scalars(select(Customer).order_by(Customer.customer_code)).first()
        assert first is not None
        assert (first.customer_code, first.phone, first.households) == (
            "PE0100000001",
            "0900000001",
            1,
        )
    before = snapshot(engine)
    again = run_import("customers", path)
    assert (again.counts.inserted, again.counts.updated, again.counts.unchanged) == (0, 0, 2)
    assert snapshot(engine) == before


def test_a_changed_phone_updates_and_a_new_meter_replaces_the_old_one(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    run_import("customers", write_csv("a.csv", f"{CUSTOMERS_HEADER}\n{customer_line(1)}"))
    changed = customer_line(1).replace("0900000001", "+84 987 000 001").replace("M00001", "M90001")
    changed = changed.removesuffix("2025-01-01") + "2026-06-01T08:00"
    summary = run_import("customers", write_csv("b.csv", f"{CUSTOMERS_HEADER}\n{changed}"))
    assert summary.counts.updated == 1
    switch = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
    assert meters_of(engine) == [
        ("PE0100000001", "M00001", datetime(2024, 12, 31, 17, 0, tzinfo=UTC), switch),
        ("PE0100000001", "M90001", switch, None),
    ]
    with Session(engine) as session:
        assert session.scalars(select(Customer.phone)).one() == "0987000001"


def test_a_replacement_without_a_date_happens_at_import_time(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    run_import("customers", write_csv("a.csv", f"{CUSTOMERS_HEADER}\n{customer_line(1)}"))
    line = customer_line(1, meter_id="M90001").removesuffix("2025-01-01")
    run_import("customers", write_csv("b.csv", f"{CUSTOMERS_HEADER}\n{line}"))
    assert [(meter, removed) for _, meter, _, removed in meters_of(engine)] == [
        ("M00001", NOW),
        ("M90001", None),
    ]


def test_bad_customers_are_all_reported_and_nothing_is_written(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    run_import("customers", write_csv("a.csv", f"{CUSTOMERS_HEADER}\n{customer_line(1)}"))
    before = snapshot(engine)
    bad_fields = "XX1,,0212345678,addr,area,household,M00009,triple,32,2025-13-01"
    path = write_csv(
        "b.csv",
        "\n".join(
            [
                CUSTOMERS_HEADER,
                customer_line(2),
                bad_fields,
                customer_line(3, meter_id="M00001"),  # customer 1's meter
                customer_line(2).replace("M00002", "M00005"),  # customer 2 again
            ]
        ),
    )
    lines = rejected_lines(run_import, "customers", path)
    assert lines == (
        f"{path}:3: customer_code: 'XX1' is not a customer code (P, a letter, then 9–11"
        " letters/digits)",
        f"{path}:3: name: is required",
        f"{path}:3: phone: '0212345678' is not a Vietnamese mobile number (10 digits,"
        " 03/05/07/08/09)",
        f"{path}:3: customer_type: 'household' is not one of admin_health_education,"
        " admin_public, business, production, residential",
        f"{path}:3: meter_kind: 'triple' is not one of prepaid, single, tou",
        f"{path}:3: reading_day: 32 is outside 1–31",
        f"{path}:3: installed_at: '2025-13-01' is not a date-time YYYY-MM-DDTHH:MM[:SS][+07:00]",
        f"{path}:4: meter_id: meter M00001 belongs to customer PE0100000001",
        f"{path}:5: customer_code: PE0100000002 appears again (first on line 2)",
    )
    assert snapshot(engine) == before


def test_households_and_voltage_must_be_positive(
    run_import: RunImport, write_csv: WriteCsv
) -> None:
    header = CUSTOMERS_HEADER + ",households,voltage_kv"
    path = write_csv(
        "c.csv",
        "\n".join(
            [
                header,
                customer_line(1) + ",2.5,22",
                customer_line(2) + ",0,0.4",
                customer_line(3) + ",1,-22",
            ]
        ),
    )
    assert rejected_lines(run_import, "customers", path) == (
        f"{path}:3: households: 0 must be greater than 0",
        f"{path}:4: voltage_kv: -22 is negative",
    )


def test_a_first_meter_without_a_date_predates_any_reading_and_its_replacement_gets_one(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    """The contract's columns (no `installed_at`): the first meter counts every reading before
    the import; a new meter_id later replaces it at the import's moment."""
    header = CUSTOMERS_HEADER.removesuffix(",installed_at")
    line = customer_line(1).removesuffix(",2025-01-01")
    run_import("customers", write_csv("a.csv", f"{header}\n{line}"))
    [(_, _, installed, removed)] = meters_of(engine)
    assert installed < datetime(2000, 1, 1, tzinfo=UTC)
    assert removed is None
    replaced = line.replace("M00001", "M90001")
    run_import("customers", write_csv("b.csv", f"{header}\n{replaced}"))
    assert meters_of(engine) == [
        ("PE0100000001", "M00001", installed, NOW),
        ("PE0100000001", "M90001", NOW, None),
    ]
