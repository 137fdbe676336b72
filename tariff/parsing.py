"""Typed reading of the JSON data files; every error names the file and the field."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from tariff.errors import ScheduleDataError


class Fields:
    """A JSON object read field by field, with the file and path that errors should name."""

    __slots__ = ("_data", "_seen", "where")

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ScheduleDataError(f"{where}: expected an object, got {type(data).__name__}")
        self._data: Mapping[str, object] = data
        self._seen: set[str] = set()
        self.where = where

    def has(self, key: str) -> bool:
        """Return whether the object has the key."""
        return key in self._data

    def raw(self, key: str) -> object:
        """Return the value of a required key."""
        self._seen.add(key)
        if key not in self._data:
            raise ScheduleDataError(f"{self.where}: missing field {key!r}")
        return self._data[key]

    def text(self, key: str) -> str:
        """Return a required non-empty string."""
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise ScheduleDataError(f"{self.where}.{key}: expected a non-empty string")
        return value

    def optional_text(self, key: str) -> str | None:
        """Return an optional string."""
        if key not in self._data:
            self._seen.add(key)
            return None
        return self.text(key)

    def day(self, key: str) -> date:
        """Return a required ISO date."""
        value = self.text(key)
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise ScheduleDataError(f"{self.where}.{key}: not an ISO date: {value!r}") from error

    def positive_int(self, key: str) -> int:
        """Return a required integer greater than zero."""
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ScheduleDataError(f"{self.where}.{key}: expected a positive integer")
        return value

    def optional_positive_int(self, key: str) -> int | None:
        """Return an optional positive integer (null or absent gives None)."""
        if self._data.get(key) is None:
            self._seen.add(key)
            return None
        return self.positive_int(key)

    def decimal(self, key: str) -> Decimal:
        """Return a required non-negative decimal written as a string (never a float)."""
        value = self.raw(key)
        if not isinstance(value, str):
            raise ScheduleDataError(f'{self.where}.{key}: write decimals as strings, e.g. "0.08"')
        try:
            number = Decimal(value)
        except InvalidOperation as error:
            raise ScheduleDataError(f"{self.where}.{key}: not a decimal: {value!r}") from error
        if not number.is_finite() or number < 0:
            raise ScheduleDataError(f"{self.where}.{key}: expected a non-negative decimal")
        return number

    def items(self, key: str) -> list[Fields]:
        """Return a required non-empty array of objects."""
        value = self.raw(key)
        if not isinstance(value, Sequence) or isinstance(value, str) or not value:
            raise ScheduleDataError(f"{self.where}.{key}: expected a non-empty array")
        return [Fields(item, f"{self.where}.{key}[{index}]") for index, item in enumerate(value)]

    def child(self, key: str) -> Fields:
        """Return a required nested object."""
        return Fields(self.raw(key), f"{self.where}.{key}")

    def finish(self) -> None:
        """Refuse keys that nothing read (typos must not be ignored silently)."""
        unknown = sorted(set(self._data) - self._seen)
        if unknown:
            raise ScheduleDataError(f"{self.where}: unknown field(s) {', '.join(unknown)}")


def read_json(text: str, origin: str) -> object:
    """Return the parsed JSON document; a syntax error names the file, line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ScheduleDataError(
            f"{origin}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}"
        ) from error
