"""Vietnamese understanding of customer messages: intent, confidence and entities.

Pure and synchronous: no I/O beyond reading the package's own data once, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from nlu.intents import Intent
from nlu.matcher import Matcher
from nlu.parser import Parser
from nlu.result import ParseResult

__all__ = [
    "Intent",
    "Matcher",
    "ParseResult",
    "Parser",
    "default_matcher",
    "default_parser",
    "parse",
]


@lru_cache(maxsize=1)
def default_parser() -> Parser:
    """The parser with the classifier of the package's data, loaded (or trained) on first use."""
    from nlu.model import package_classifier

    return Parser(package_classifier())


@lru_cache(maxsize=1)
def default_matcher() -> Matcher:
    """The previous hand-tuned matcher, kept as the baseline `bench nlu` and tests compare to."""
    return Matcher.from_package_data()


def parse(text: str, today: date, areas: Sequence[str] = ()) -> ParseResult:
    """Understand one customer message, `today` resolving relative dates, `areas` the gazetteer."""
    return default_parser().parse(text, today, areas)
