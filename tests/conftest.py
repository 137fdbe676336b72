"""Fixtures shared by every test: a migrated store on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from meters.database import create_store_engine, normalise_url, upgrade

POSTGRES_URL_VARIABLE = "DIENBOT_TEST_POSTGRES_URL"
DROP_ATTEMPTS = 5


def postgres_url() -> str | None:
    """The PostgreSQL server the tests may use, if any."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    return normalise_url(url) if url else None


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a new, empty SQLite database file."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL schema, dropped after the test."""
    url = postgres_url()
    if url is None:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set (make test sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    # pytest may tear this fixture down before a service the test started (aiohttp_client
    # came first): its sessions, such as a scheduled job still running, are ended so that the
    # DROP does not deadlock with them, and again if one of its jobs reconnected meanwhile.
    for attempt in range(DROP_ATTEMPTS):
        try:
            with admin.begin() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            break
        except OperationalError:
            if attempt == DROP_ATTEMPTS - 1:
                raise
            time.sleep(0.2)
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each supported engine (the same test runs on both)."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_schema_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated, empty store on each supported engine."""
    store = create_store_engine(database_url)
    upgrade(store)
    yield store
    store.dispose()
