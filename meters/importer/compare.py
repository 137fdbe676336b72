"""Whether a stored row already holds the values of a record (for the unchanged count)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from meters.importer.fields import to_decimal


def same_value(stored: object, value: object) -> bool:
    """Whether a stored value equals a new one (numbers compared as decimals)."""
    if isinstance(value, Decimal):
        return stored is not None and to_decimal(stored) == value
    return stored == value


def differs(stored: Mapping[Any, Any], values: Mapping[str, Any]) -> bool:
    """Whether any of `values` differs from the stored row."""
    return any(not same_value(stored[column], value) for column, value in values.items())
