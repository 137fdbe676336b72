"""The limits on linking by one-time code, counted in the store for every process of the service.

Events are kept in `rate_events` (meters.rate_store) under these keys:

* `link-lookup:<client>`: customer codes looked up by one client (a web chat's address; the
  platform user on Telegram and Zalo), and `link-lookup:*` by everyone together;
* `link-code:<customer code>` and `link-code-phone:<phone>`: one-time codes given out;
* `link-wrong:<customer code>`: wrong one-time codes typed for a customer code, in any chat.

The keys of a customer count by the customer code as typed, so an unknown code meets the same
limits as a real one and the chat cannot tell them apart. `link_warnings` marks the customers
whose next code message says that someone tried.

Every method first takes one advisory lock for all of linking (PostgreSQL; SQLite has one
writer), held until the transaction ends: the count of a limit and the event it allows are
one step across processes, and no two transactions wait for each other's keys in a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite

from meters import rate_store
from meters.rate_store import RateLimit
from meters.schema import LinkWarning

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
_LOCK = "link-guard"


# The defaults, chosen in docs/security.md "Linking".
LOOKUPS_PER_CLIENT = (RateLimit(5, MINUTE), RateLimit(20, timedelta(hours=1)))
LOOKUPS = RateLimit(60, MINUTE)
CODES = (RateLimit(1, MINUTE), RateLimit(3, timedelta(minutes=15)), RateLimit(10, DAY))
WRONG_CODES = RateLimit(10, DAY)


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkLimits:
    """How much linking one client, the whole service and one customer may do (docs/security.md).

    `codes` hold for each customer code and for each contract phone: the first, a limit of one,
    is the least time between two codes.
    """

    lookups_per_client: tuple[RateLimit, ...] = LOOKUPS_PER_CLIENT
    lookups: RateLimit = LOOKUPS  # every client together
    codes: tuple[RateLimit, ...] = CODES
    wrong_codes: RateLimit = WRONG_CODES  # per customer code, then linking pauses


@dataclass(frozen=True, slots=True)
class LookupRefusal:
    """A lookup refused: by the client's own `limit`, or by everyone's (`shared`)."""

    limit: RateLimit
    shared: bool


class SqlLinkGuard:
    """The linking limits, through the connection of the caller's transaction; never commits."""

    def __init__(self, connection: Connection, limits: LinkLimits) -> None:
        self._connection = connection
        self._limits = limits

    @property
    def limits(self) -> LinkLimits:
        """The limits this guard applies."""
        return self._limits

    def take_lookup(self, client: str, now: datetime) -> LookupRefusal | None:
        """Count one customer code lookup by `client`; the refusal when a limit is reached."""
        self._lock()
        everyone = ("link-lookup:*", self._limits.lookups)
        own = [(f"link-lookup:{client}", limit) for limit in self._limits.lookups_per_client]
        reached = rate_store.take_all(self._connection, [*own, everyone], now)
        if reached is None:
            return None
        return LookupRefusal(limit=reached[1], shared=reached == everyone)

    def take_code(self, customer_code: str, phone: str | None, now: datetime) -> bool:
        """Count one one-time code for the customer code (and its contract phone, when it has
        one) if every code limit allows it; False, nothing counted, when one is reached."""
        self._lock()
        keys = [f"link-code:{customer_code}"]
        if phone is not None:
            keys.append(f"link-code-phone:{phone}")
        taken = [(key, limit) for key in keys for limit in self._limits.codes]
        return rate_store.take_all(self._connection, taken, now) is None

    def paused(self, customer_code: str, now: datetime) -> bool:
        """Whether linking the customer code pauses: its wrong codes reached the limit."""
        self._lock()
        limit = self._limits.wrong_codes
        wrong = rate_store.recent(self._connection, _wrong_key(customer_code), now - limit.period)
        return wrong.count >= limit.limit

    def count_wrong_code(self, customer_code: str, now: datetime) -> bool:
        """Count a wrong one-time code typed for the customer code; True when this one reached
        the limit (linking it pauses from now on)."""
        self._lock()
        rate_store.record(self._connection, _wrong_key(customer_code), now)
        return self.paused(customer_code, now)

    def warn(self, customer_id: int, now: datetime) -> None:
        """Mark the customer: the next one-time code message says that someone tried."""
        insert_of = (
            postgresql.insert if self._connection.dialect.name == "postgresql" else sqlite.insert
        )
        self._connection.execute(
            insert_of(LinkWarning)
            .values(customer_id=customer_id, since=now)
            .on_conflict_do_nothing(index_elements=[LinkWarning.customer_id])
        )

    def take_warning(self, customer_id: int) -> bool:
        """Whether the customer was marked by `warn`; the mark is removed."""
        removed = self._connection.execute(
            delete(LinkWarning)
            .where(LinkWarning.customer_id == customer_id)
            .returning(LinkWarning.customer_id)
        ).first()
        return removed is not None

    def _lock(self) -> None:
        rate_store.lock_key(self._connection, _LOCK)


def _wrong_key(customer_code: str) -> str:
    return f"link-wrong:{customer_code}"
