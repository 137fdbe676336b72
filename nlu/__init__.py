"""Vietnamese understanding of customer messages: intent, confidence and entities.

Pure and synchronous: no I/O beyond reading the package's own data once, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from nlu.intents import Intent
from nlu.matcher import Matcher
from nlu.result import ParseResult

__all__ = ["Intent", "Matcher", "ParseResult", "default_matcher", "parse"]


@lru_cache(maxsize=1)
def default_matcher() -> Matcher:
    """The matcher built from the package data, built once on first use."""
    return Matcher.from_package_data()


def parse(text: str, today: date, areas: Sequence[str] = ()) -> ParseResult:
    """Understand one customer message, `today` resolving relative dates, `areas` the gazetteer."""
    return default_matcher().parse(text, today, areas)
