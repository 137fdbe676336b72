"""Engines for the two supported databases, and schema migration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from meters.driver_sql import execute_driver_sql

MIGRATIONS = Path(__file__).with_name("migrations")
_BEGIN_IMMEDIATE = "dienbot_begin_immediate"  # execution option read by SQLite's BEGIN

# WAL lets the web server read while an import writes; NORMAL is durable in WAL mode
# except for the last transactions at a power cut; a 128 MiB cache keeps bulk loads
# from thrashing the B-tree (research/performance.md §1).
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA cache_size=-131072",
    "PRAGMA temp_store=MEMORY",
)


def normalise_url(url: str) -> str:
    """Accept `postgresql://` as a synonym of `postgresql+psycopg://`."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def create_store_engine(url: str, **options: Any) -> Engine:
    """An engine for `url` with the pragmas and pool the store needs."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **options)

        @event.listens_for(engine, "connect")
        def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # The stdlib driver's own transaction handling would commit early; let
            # SQLAlchemy issue BEGIN itself so one import is one transaction.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            immediate = connection.get_execution_options().get(_BEGIN_IMMEDIATE, False)
            execute_driver_sql(connection, "BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    options.setdefault("pool_pre_ping", True)
    # psycopg prepares a statement run five times itself, and on every rollback of a
    # connection that has such statements it sends DEALLOCATE ALL, which would also drop the
    # driver statements prepared on libpq (meters.postgres_wire). Those are the hot ones and
    # prepared there; psycopg prepares nothing, so it never deallocates.
    connect_args = dict(options.pop("connect_args", {}))
    connect_args.setdefault("prepare_threshold", None)
    return create_engine(url, connect_args=connect_args, **options)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write, committed at the end of the block (rolled back on error).

    On SQLite it holds the write lock from its first statement on (BEGIN IMMEDIATE, waiting up
    to busy_timeout for another writer): a transaction that reads first and writes later fails
    at once ("database is locked") when another writer committed in between. Elsewhere it is a
    plain transaction.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.execution_options(**{_BEGIN_IMMEDIATE: True})
        with connection.begin():
            yield connection


def alembic_config(url: str) -> Any:
    """The Alembic configuration that migrates the database at `url`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Create or migrate the schema to the newest revision."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_migrated(engine: Engine) -> bool:
    """Whether the schema has been created."""
    return inspect(engine).has_table("alembic_version")
