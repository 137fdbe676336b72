"""bills, outages, payment points and requests: merged by their ids, checked, idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from meters.importer import ImportContext
from meters.schema import (
    Bill,
    Outage,
    OutageStation,
    PaymentPoint,
    RequestStatusChange,
    ServiceRequest,
)
from tests.meters.importer.conftest import (
    NOW,
    ZONE,
    RunImport,
    WriteCsv,
    rejected_lines,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("customers_loaded")

BILLS = (
    "bill_no,customer_code,period_start,period_end,kwh,amount_before_vat,vat,total,due_date,"
    "paid_at"
)
OUTAGES = "outage_id,start,end,area,stations,reason"
POINTS = "point_id,name,address,area,lat,lon,opening_hours,kind"
REQUESTS = "request_id,customer_code,service_type,status,created_at,updated_at"


def test_bills_are_checked_and_merged(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    good = "B1,PE0100000001,2026-10-01,2026-10-31,350.5,1000000,80000,1080000,2026-11-15,"
    path = write_csv("b.csv", f"{BILLS}\n{good}")
    assert run_import("bills", path).counts.inserted == 1
    paid = good.removesuffix(",") + ",2026-11-10T09:30"
    summary = run_import("bills", write_csv("c.csv", f"{BILLS}\n{paid}"))
    assert (summary.counts.updated, summary.counts.unchanged) == (1, 0)
    with Session(engine) as session:
        bill = session.get(Bill, "B1")
        assert bill is not None
        assert bill.paid_at == datetime(2026, 11, 10, 2, 30, tzinfo=UTC)
        assert bill.total == 1_080_000
    before = snapshot(engine)
    bad = write_csv(
        "d.csv",
        "\n".join(
            [
                BILLS,
                "B2,PE0100000001,2026-10-31,2026-10-01,1,100,8,109,2026-11-15,",
                "B3,PE0199999999,2026-10-01,2026-10-31,1,100,8,108,2026-11-15,",
                "B4,PE0100000001,2026-10-01,2026-10-31,1,-100,8.5,108,2026-11-15,",
            ]
        ),
    )
    assert rejected_lines(run_import, "bills", bad) == (
        f"{bad}:2: period_end: 2026-10-01 is before period_start",
        f"{bad}:2: total: 109 is not amount_before_vat + vat (100 + 8 = 108)",
        f"{bad}:3: customer_code: unknown customer PE0199999999",
        f"{bad}:4: amount_before_vat: -100 is negative",
        f"{bad}:4: vat: '8.5' is not a whole number of đồng (no separators, no decimals)",
    )
    assert snapshot(engine) == before


def test_outages_keep_their_first_announcement_and_follow_station_changes(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    row = "O1,2026-12-01T07:00,2026-12-01T11:00,Quận 1,TBA-01; TBA-02,Bảo trì lưới điện"
    assert run_import("outages", write_csv("o.csv", f"{OUTAGES}\n{row}")).counts.inserted == 1
    same = run_import("outages", write_csv("o.csv", f"{OUTAGES}\n{row}"))
    assert same.counts.unchanged == 1
    later = NOW.replace(hour=9)
    moved = row.replace("TBA-01; TBA-02", "TBA-03")
    summary = run_import(
        "outages", write_csv("p.csv", f"{OUTAGES}\n{moved}"), ImportContext(ZONE, later)
    )
    assert summary.counts.updated == 1
    with Session(engine) as session:
        outage = session.get(Outage, "O1")
        assert outage is not None
        assert outage.announced_at == NOW
        assert session.scalars(select(OutageStation.station)).all() == ["TBA-03"]
    bad = write_csv("q.csv", f"{OUTAGES}\nO2,2026-12-01T11:00,2026-12-01T07:00,Quận 1,A;;B,lý do")
    assert rejected_lines(run_import, "outages", bad) == (
        f"{bad}:2: stations: 'A;;B' has an empty station between ';'",
    )


def test_payment_points_are_merged_and_coordinates_checked(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    row = "P1,Điểm thu Bến Thành,1 Lê Lợi,Quận 1,10.7725,106.6980,07:00-17:00,counter"
    assert run_import("payment-points", write_csv("p.csv", f"{POINTS}\n{row}")).counts.inserted
    assert run_import("payment-points", write_csv("p.csv", f"{POINTS}\n{row}")).counts.unchanged
    with Session(engine) as session:
        point = session.get(PaymentPoint, "P1")
        assert point is not None
        assert (point.lat, point.lon) == (10.7725, 106.698)
    bad = write_csv("q.csv", f"{POINTS}\n{row.replace('10.7725', '95').replace('P1', 'P2')}")
    assert rejected_lines(run_import, "payment-points", bad) == (
        f"{bad}:2: lat: 95 is outside ±90",
    )


def test_requests_record_their_status_history(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    row = "R1,PE0100000001,new_connection,received,2026-11-01T08:00,2026-11-01T08:00"
    assert run_import("requests", write_csv("r.csv", f"{REQUESTS}\n{row}")).counts.inserted == 1
    assert run_import("requests", write_csv("r.csv", f"{REQUESTS}\n{row}")).counts.unchanged == 1
    done = row.replace("received", "completed").removesuffix("08:00") + "16:00"
    assert run_import("requests", write_csv("s.csv", f"{REQUESTS}\n{done}")).counts.updated == 1
    with Session(engine) as session:
        steps = session.execute(
            select(RequestStatusChange.status, RequestStatusChange.changed_at).order_by(
                RequestStatusChange.changed_at
            )
        ).all()
    assert [tuple(step) for step in steps] == [
        ("received", datetime(2026, 11, 1, 1, 0, tzinfo=UTC)),
        ("completed", datetime(2026, 11, 1, 9, 0, tzinfo=UTC)),
    ]
    bad = write_csv(
        "t.csv",
        f"{REQUESTS}\nR2,,inspection,lost,2026-11-02T08:00,2026-11-01T08:00\n"
        "R3,,inspection,received,2026-11-02T08:00,2026-11-01T08:00",
    )
    assert rejected_lines(run_import, "requests", bad) == (
        f"{bad}:2: status: 'lost' is not one of cancelled, completed, forwarded, in_progress,"
        " received, rejected, scheduled, waiting_customer",
        f"{bad}:3: updated_at: is before created_at",
    )


def test_an_incident_carries_when_the_power_is_expected_back(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    header = f"{REQUESTS},expected_at"
    row = "R9,PE0100000001,incident,in_progress,2026-11-01T08:00,2026-11-01T09:00,"
    assert run_import("requests", write_csv("r.csv", f"{header}\n{row}")).counts.inserted == 1
    estimated = row + "2026-11-01T13:30"
    assert run_import("requests", write_csv("s.csv", f"{header}\n{estimated}")).counts.updated == 1
    with Session(engine) as session:
        stored = session.execute(select(ServiceRequest.expected_at)).scalar_one()
    assert stored == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 13:30 in Ho Chi Minh City
    bad = write_csv("t.csv", f"{header}\n{row}soon")
    assert rejected_lines(run_import, "requests", bad)[0].startswith(f"{bad}:2: expected_at: ")
