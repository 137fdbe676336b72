"""One database transaction per console request, run off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine, text

T = TypeVar("T")

# On SQLite a transaction that reads and then writes fails at once when another writer
# committed in between; writing first takes the database's lock (waiting up to busy_timeout).
_TAKE_SQLITE_LOCK = text("UPDATE agents SET id = id WHERE 1 = 0")


def _run(engine: Engine, work: Callable[[Connection], T], write: bool) -> T:
    with engine.begin() as connection:
        if write and connection.dialect.name == "sqlite":
            connection.execute(_TAKE_SQLITE_LOCK)
        return work(connection)


async def read(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run `work` in a transaction that only reads."""
    return await asyncio.to_thread(_run, engine, work, False)


async def write(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run `work` in a transaction that writes (committed when it returns)."""
    return await asyncio.to_thread(_run, engine, work, True)
