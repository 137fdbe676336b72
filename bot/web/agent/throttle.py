"""How often console sign-ins may fail: by client address, and by user name with a growing pause.

Both are counted in the store (`meters.rate_store`), so every process of the service sees the
same failures. An address that failed `ADDRESS_FAILURES.limit` times within its period is
refused for a while, whatever user name it tries. A user name that failed more than
`USER_FREE_FAILURES` times within `USER_WINDOW` pauses, after its latest failure, for a time
that doubles with each further failure (1 s, 2 s, 4 s … at most `USER_LONGEST_PAUSE`). The pause
only holds back addresses that have failed themselves: the agent at a desk that has not failed
still signs in while someone elsewhere guesses the supervisor's password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from meters import rate_store
from meters.rate_store import RateLimit

ADDRESS_FAILURES = RateLimit(10, timedelta(minutes=15))
USER_WINDOW = timedelta(hours=1)
USER_FREE_FAILURES = 3
USER_FIRST_PAUSE = timedelta(seconds=1)
USER_LONGEST_PAUSE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Failures:
    """The recent failed sign-ins of one client address and of one user name."""

    address: rate_store.Recent
    user: rate_store.Recent


def address_key(address: str) -> str:
    """The limit key of a client address."""
    return f"signin-address:{address}"


def user_key(username: str) -> str:
    """The limit key of a user name (as typed, case-folded)."""
    return f"signin-user:{username.casefold()}"


def failures(connection: Connection, address: str, username: str, now: datetime) -> Failures:
    """The failures that decide whether this sign-in may be tried now."""
    return Failures(
        address=rate_store.recent(connection, address_key(address), now - ADDRESS_FAILURES.period),
        user=rate_store.recent(connection, user_key(username), now - USER_WINDOW),
    )


def user_pause(count: int) -> timedelta:
    """How long a user name pauses after its latest failure, with `count` recent failures."""
    if count <= USER_FREE_FAILURES:
        return timedelta(0)
    doublings = min(count - USER_FREE_FAILURES - 1, 30)
    return min(USER_FIRST_PAUSE * (1 << doublings), USER_LONGEST_PAUSE)


def wait_before_trying(seen: Failures, now: datetime) -> timedelta | None:
    """How long this address must wait before trying this user name, or None: try now."""
    if seen.address.count >= ADDRESS_FAILURES.limit:
        return ADDRESS_FAILURES.period
    if seen.address.count == 0 or seen.user.latest is None:
        return None
    until = seen.user.latest + user_pause(seen.user.count)
    return until - now if until > now else None


def record_failure(connection: Connection, address: str, username: str, now: datetime) -> None:
    """A wrong user name or password from `address`."""
    rate_store.record(connection, address_key(address), now)
    rate_store.record(connection, user_key(username), now)


def forget_user_failures(connection: Connection, username: str) -> None:
    """A right password ends the user's pause (the addresses keep their count)."""
    rate_store.forget(connection, user_key(username))
