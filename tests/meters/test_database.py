"""The schema migrates on both engines and timestamps stay aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from meters.database import is_migrated, upgrade
from meters.schema import Base, ChatUser

ICT = timezone(timedelta(hours=7))


def test_migration_creates_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert is_migrated(engine)


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    upgrade(engine)
    assert is_migrated(engine)


def test_timestamps_come_back_aware_and_equal(engine: Engine) -> None:
    moment = datetime(2026, 11, 21, 0, 5, tzinfo=ICT)
    with Session(engine) as session, session.begin():
        session.add(
            ChatUser(channel="web", external_id="a", created_at=moment, last_seen_at=moment)
        )
    with Session(engine) as session:
        stored = session.execute(select(ChatUser.created_at)).scalar_one()
    assert stored.tzinfo is not None
    assert stored == moment
    assert stored.astimezone(UTC).hour == 17


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    naive = datetime(2026, 11, 21, 0, 5)  # noqa: DTZ001 - the point of the test
    with Session(engine) as session:
        session.add(ChatUser(channel="web", external_id="b", created_at=naive, last_seen_at=naive))
        with pytest.raises(StatementError, match="naive"):
            session.flush()
