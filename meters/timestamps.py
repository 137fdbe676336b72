"""A DateTime column type that is timezone-aware on every database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def to_utc(value: datetime) -> datetime:
    """The moment in UTC; a naive datetime is refused (its zone is unknown)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a timezone-aware column")
    return value.astimezone(UTC)


def sqlite_text(value: datetime) -> str:
    """The moment as SQLite stores it: UTC, no offset, always six digits of microseconds.

    The same text SQLAlchemy's SQLite DATETIME writes, so that raw and Core writes compare.
    """
    return to_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def from_stored(value: str | datetime) -> datetime:
    """An aware UTC datetime from what the database returned (text on SQLite)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes and convert aware ones to UTC."""
        if value is None:
            return None
        value = to_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return the stored moment as an aware UTC datetime."""
        return None if value is None else from_stored(value)
