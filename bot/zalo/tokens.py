"""The OA access token, and its renewal with Zalo's single-use, rotating refresh token.

The access token (about 25 h) and the refresh token (about 3 months, usable once) live in the
`channel_tokens` table, shared by every process. A renewal runs inside one database
transaction that first locks the refresh-token row (PostgreSQL: `SELECT … FOR UPDATE`;
SQLite: the database write lock), re-reads the access token (another process may have renewed
it meanwhile), calls OAuth v4, and stores the new pair before committing; so no two processes
ever present the same refresh token. The first renewal starts from DIENBOT_ZALO_REFRESH_TOKEN;
when the operator sets a different one (after authorising the app again) it replaces the
stored chain.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection, Engine

from meters.channel_store import StoredToken, lock_token, read_token, write_token

logger = logging.getLogger(__name__)

# Names of channel_tokens rows (not secrets).
ACCESS_TOKEN = "zalo.access_token"  # noqa: S105
REFRESH_TOKEN = "zalo.refresh_token"  # noqa: S105
REFRESH_SEED = "zalo.refresh_seed"  # SHA-256 of the configured refresh token the chain began with
RENEW_EARLY = timedelta(minutes=10)  # renew this long before the access token expires
REFRESH_TOKEN_LIFETIME = timedelta(days=90)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What OAuth v4 answers: a new access token, its lifetime, and the next refresh token."""

    access_token: str
    refresh_token: str
    expires_in: timedelta


Exchange = Callable[[str], Awaitable[TokenGrant]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def fingerprint(token: str) -> str:
    """A SHA-256 hex digest standing for `token` (tokens themselves are never logged)."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenKeeper:
    """Hands out a working access token, renewing it under a database lock when needed."""

    def __init__(
        self,
        engine: Engine,
        configured_refresh_token: str,
        exchange: Exchange,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._engine = engine
        self._seed = configured_refresh_token
        self._exchange = exchange
        self._clock = clock
        self._cached: StoredToken | None = None
        self._lock = asyncio.Lock()
        # One thread keeps the renewal's connection on the thread that opened it (sqlite3
        # connections refuse to be used from another thread).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zalo-tokens")

    def close(self) -> None:
        """Release the renewal thread."""
        self._executor.shutdown(wait=True)

    def _fresh(self, token: StoredToken | None) -> bool:
        return (
            token is not None
            and token.expires_at is not None
            and token.expires_at - RENEW_EARLY > self._clock()
        )

    async def current(self) -> str:
        """An access token that has not expired (renewed first when it is about to)."""
        if self._fresh(self._cached):
            assert self._cached is not None
            return self._cached.value
        stored = await asyncio.to_thread(self._read_access)
        if self._fresh(stored):
            assert stored is not None
            self._cached = stored
            return stored.value
        return await self.renew(stale=None if stored is None else stored.value)

    async def renew(self, stale: str | None) -> str:
        """A new access token, when `stale` (the one last used, if any) stopped working."""
        async with self._lock:
            cached = self._cached
            if cached is not None and cached.value != stale and self._fresh(cached):
                return cached.value  # another task of this process renewed it meanwhile
            token = await self._renew_locked(stale)
            self._cached = token
            return token.value

    def _read_access(self) -> StoredToken | None:
        with self._engine.connect() as connection:
            return read_token(connection, ACCESS_TOKEN)

    async def _in_thread(self, function: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function)

    async def _renew_locked(self, stale: str | None) -> StoredToken:
        connection = await self._in_thread(self._engine.connect)
        try:
            await self._in_thread(connection.begin)
            refresh, access = await self._in_thread(lambda: self._lock_rows(connection))
            if access is not None and access.value != stale and self._fresh(access):
                logger.debug("Zalo access token was renewed by another process")
                return access
            grant = await self._exchange(refresh)
            token = await self._in_thread(lambda: self._store(connection, grant))
            await self._in_thread(connection.commit)
            logger.info("Zalo access token renewed; valid until %s", token.expires_at)
            return token
        finally:
            await self._in_thread(connection.close)  # rolls back what was not committed

    def _lock_rows(self, connection: Connection) -> tuple[str, StoredToken | None]:
        now = self._clock()
        stored = lock_token(connection, REFRESH_TOKEN, self._seed, now)
        seed = read_token(connection, REFRESH_SEED)
        refresh = stored.value
        if seed is None or seed.value != fingerprint(self._seed):
            if seed is not None:
                logger.warning("DIENBOT_ZALO_REFRESH_TOKEN changed: starting a new token chain")
            refresh = self._seed
        return refresh, read_token(connection, ACCESS_TOKEN)

    def _store(self, connection: Connection, grant: TokenGrant) -> StoredToken:
        now = self._clock()
        access = StoredToken(grant.access_token, now + grant.expires_in)
        write_token(connection, ACCESS_TOKEN, access.value, access.expires_at, now)
        write_token(
            connection, REFRESH_TOKEN, grant.refresh_token, now + REFRESH_TOKEN_LIFETIME, now
        )
        write_token(connection, REFRESH_SEED, fingerprint(self._seed), None, now)
        return access
