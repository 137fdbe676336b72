"""Which hotline a customer calls: by the power company unit and corporation of their code.

A customer code starts with `P`, a letter of the power corporation, then the unit: its first two
characters name the corporation (`PE` EVNHCMC, `PP` EVNCPC, …) and its first six the Điện lực
unit (`PP0100` Hải Châu). A unit may have a number of its own; otherwise the corporation's
hotline is the one to call. A chat without a known customer is told every corporation's hotline
with its name, never one company's number as if it were theirs.

The table is configuration (`DIENBOT_HOTLINES`, docs/conversation.md "Hotlines"); the default is
the five corporations' published 24/7 numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

CORPORATION_PREFIX = 2
UNIT_PREFIX = 6
_PREFIX = re.compile(r"P[A-Z](?:[A-Z0-9]{4})?")
# "EVNCPC 1900 1909", "Điện lực Hải Châu 0236 2222 000": a name, then the number from its
# first digit on.
_NAME_AND_NUMBER = re.compile(r"(?P<name>[^\d\s+](?:.*?\S)?)\s+(?P<number>\+?\d[\d .]*\d)")


@dataclass(frozen=True, slots=True)
class Hotline:
    """Who answers (the corporation's or the unit's name, as said in texts) and the number."""

    name: str
    number: str


DEFAULT_ENTRIES: Mapping[str, Hotline] = MappingProxyType(
    {
        "PE": Hotline("EVNHCMC", "1900 545454"),
        "PD": Hotline("EVNHANOI", "1900 1288"),
        "PA": Hotline("EVNNPC", "1900 6769"),
        "PH": Hotline("EVNNPC", "1900 6769"),
        "PM": Hotline("EVNNPC", "1900 6769"),
        "PN": Hotline("EVNNPC", "1900 6769"),
        "PB": Hotline("EVNSPC", "1900 1006"),
        "PK": Hotline("EVNSPC", "1900 1006"),
        "PC": Hotline("EVNCPC", "1900 1909"),
        "PP": Hotline("EVNCPC", "1900 1909"),
        "PQ": Hotline("EVNCPC", "1900 1909"),
    }
)


@dataclass(frozen=True, slots=True)
class HotlineTable:
    """Hotlines by code prefix: six characters for a unit, two for a corporation."""

    entries: Mapping[str, Hotline] = field(default_factory=lambda: DEFAULT_ENTRIES)

    def of(self, customer_code: str | None) -> Hotline | None:
        """The hotline of a customer code: its unit's, else its corporation's; None if unknown."""
        if not customer_code:
            return None
        code = customer_code.strip().upper()
        for size in (UNIT_PREFIX, CORPORATION_PREFIX):
            found = self.entries.get(code[:size]) if len(code) >= size else None
            if found is not None:
                return found
        return None

    def corporation(self, customer_code: str | None) -> str | None:
        """The name of the power corporation of a customer code (the two-letter entry)."""
        if not customer_code or len(customer_code) < CORPORATION_PREFIX:
            return None
        found = self.entries.get(customer_code.strip().upper()[:CORPORATION_PREFIX])
        return found.name if found is not None else None

    def corporations(self) -> tuple[tuple[Hotline, tuple[str, ...]], ...]:
        """Each corporation's hotline once, with its code prefixes, in the table's order."""
        grouped: dict[Hotline, list[str]] = {}
        for prefix, hotline in self.entries.items():
            if len(prefix) == CORPORATION_PREFIX:
                grouped.setdefault(hotline, []).append(prefix)
        return tuple((hotline, tuple(prefixes)) for hotline, prefixes in grouped.items())


def parse_hotlines(text: str) -> dict[str, Hotline]:
    """The entries of `DIENBOT_HOTLINES`: `PREFIX[,PREFIX…]=NAME NUMBER` separated by `;`,
    or a JSON object of the same keys and values. Raises ValueError saying what is wrong.
    """
    stripped = text.strip()
    if not stripped:
        return {}
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise ValueError(f"not valid JSON: {error}") from None
        if not isinstance(document, dict) or not all(
            isinstance(value, str) for value in document.values()
        ):
            raise ValueError('expected a JSON object of "PREFIX": "NAME NUMBER"')
        pairs = [(str(key), value) for key, value in document.items()]
    else:
        pairs = []
        for part in stripped.split(";"):
            if not part.strip():
                continue
            prefixes, equals, value = part.partition("=")
            if not equals:
                raise ValueError(f"expected PREFIX=NAME NUMBER, got {part.strip()!r}")
            pairs.append((prefixes, value))
    entries: dict[str, Hotline] = {}
    for prefixes, value in pairs:
        hotline = _hotline(value)
        for prefix in prefixes.split(","):
            key = prefix.strip().upper()
            if not _PREFIX.fullmatch(key):
                raise ValueError(
                    f"{prefix.strip()!r} is not a code prefix (P and a letter, or the "
                    "6 characters of a unit, e.g. PE or PP0100)"
                )
            entries[key] = hotline
    return entries


def hotline_table(text: str) -> HotlineTable:
    """The default table with the entries of `text` added or replacing theirs."""
    return HotlineTable(MappingProxyType({**DEFAULT_ENTRIES, **parse_hotlines(text)}))


def _hotline(value: str) -> Hotline:
    match = _NAME_AND_NUMBER.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"expected NAME NUMBER (e.g. EVNCPC 1900 1909), got {value.strip()!r}")
    return Hotline(match["name"], match["number"])
