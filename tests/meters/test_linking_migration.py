"""The linking migration keeps the codes on their way and goes back down cleanly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from alembic import command
from sqlalchemy import Engine, inspect, text

from meters.database import alembic_config, create_store_engine, upgrade
from meters.demo.generate import generate_demo
from meters.demo.load import load_demo

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def migrate(engine: Engine, url: str, revision: str, *, down: bool = False) -> None:
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_a_pending_code_keeps_its_customer_code_and_the_schema_goes_back(
    database_url: str,
) -> None:
    engine = create_store_engine(database_url)
    migrate(engine, database_url, "0006")
    demo = generate_demo(seed=5, customers=3, today=date(2026, 12, 3), zone=ZONE, days=35)
    with engine.begin() as connection:
        load_demo(connection, demo, ZONE)
        connection.execute(
            text(
                "INSERT INTO chat_users (channel, external_id, created_at, last_seen_at)"
                " VALUES ('web', 'v1', :now, :now)"
            ),
            {"now": T0},
        )
        connection.execute(
            text(
                "INSERT INTO one_time_codes (chat_user_id, customer_id, code_hash, attempts,"
                " expires_at, created_at) SELECT chat_users.id, customers.id, 'h', 1, :end, :now"
                " FROM chat_users, customers WHERE customers.customer_code = :code"
            ),
            {"now": T0, "end": T0 + timedelta(minutes=5), "code": demo.customers[1].customer_code},
        )
    upgrade(engine)
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT customer_code FROM one_time_codes")).scalars()
        assert list(kept) == [demo.customers[1].customer_code]
    migrate(engine, database_url, "0006", down=True)
    tables = set(inspect(engine).get_table_names())
    assert not {"request_numbers", "link_warnings"} & tables
    upgrade(engine)
    engine.dispose()
