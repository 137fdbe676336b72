"""Service request codes (YC<year>-NNNNNN): in order within a year, never one twice, not even
when requests are filed at the same moment in concurrent transactions on PostgreSQL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, insert, select, text

from meters.account_store import SqlAccountStore
from meters.database import alembic_config, create_store_engine, upgrade
from meters.schema import RequestStatusChange, ServiceRequest

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def file(engine: Engine, now: datetime = T0) -> str:
    """File one request in a transaction of its own; its code."""
    with engine.begin() as connection:
        return SqlAccountStore(connection).file_request(None, "inspection", "chat", now)


def stored(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(select(ServiceRequest.request_id).order_by("request_id"))
        return [row[0] for row in rows]


def test_codes_count_up_within_a_year_and_start_again_the_next(engine: Engine) -> None:
    codes = [file(engine), file(engine), file(engine, datetime(2027, 1, 2, tzinfo=UTC))]
    assert codes == ["YC2026-000001", "YC2026-000002", "YC2027-000001"]
    with engine.connect() as connection:
        history = connection.execute(select(RequestStatusChange.request_id)).scalars().all()
    assert sorted(history) == sorted(codes)


def test_a_code_an_import_already_holds_is_skipped(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(ServiceRequest).values(
                request_id="YC2026-000002",
                customer_id=None,
                service_type="inspection",
                status="received",
                created_at=T0,
                updated_at=T0,
            )
        )
    assert [file(engine), file(engine)] == ["YC2026-000001", "YC2026-000003"]


def test_numbering_goes_on_from_the_requests_filed_before_the_counter_existed(
    database_url: str,
) -> None:
    engine = create_store_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    with engine.begin() as connection:
        for code in ("YC2026-000007", "YC2026-000003", "YC2025-000041", "EXT-12"):
            connection.execute(
                insert(ServiceRequest).values(
                    request_id=code,
                    customer_id=None,
                    service_type="inspection",
                    status="received",
                    created_at=T0,
                    updated_at=T0,
                )
            )
    upgrade(engine)
    assert [file(engine), file(engine, datetime(2025, 12, 31, tzinfo=UTC))] == [
        "YC2026-000008",
        "YC2025-000042",
    ]
    engine.dispose()


def test_a_rolled_back_request_gives_its_number_back(engine: Engine) -> None:
    with engine.connect() as connection, connection.begin() as transaction:
        SqlAccountStore(connection).file_request(None, "inspection", "chat", T0)
        transaction.rollback()
    assert file(engine) == "YC2026-000001"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_request_filed_while_another_is_uncommitted_gets_the_next_code(engine: Engine) -> None:
    first = engine.connect()
    transaction = first.begin()
    first_code = SqlAccountStore(first).file_request(None, "inspection", "chat", T0)
    with ThreadPoolExecutor(1) as pool:
        second = pool.submit(file, engine)
        waited = wait_until_blocked(engine)
        transaction.commit()
        first.close()
        second_code = second.result(timeout=10)
    assert waited  # the second filing really ran while the first was uncommitted
    assert {first_code, second_code} == {"YC2026-000001", "YC2026-000002"}
    assert stored(engine) == ["YC2026-000001", "YC2026-000002"]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_requests_filed_at_once_in_many_transactions_all_get_codes(engine: Engine) -> None:
    start = threading.Barrier(8)

    def file_together(_: int) -> str:
        start.wait()
        return file(engine)

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(file_together, range(8)))
    assert sorted(codes) == [f"YC2026-{number:06d}" for number in range(1, 9)]
    assert stored(engine) == sorted(codes)


def wait_until_blocked(engine: Engine) -> bool:
    """Whether another session of the database waited for a lock within 5 s."""
    with engine.connect() as watcher:
        for _ in range(500):
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
            if waiting:
                return True
            watcher.rollback()
            time.sleep(0.01)
    return False
