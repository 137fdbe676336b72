"""`dienbot demo`: fill an empty store with the deterministic demo data set."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from datetime import date

from bot.cli.common import (
    EXIT_OK,
    UsageError,
    add_database_option,
    migrated_engine,
    settings_from,
)
from bot.clock import service_clock
from meters.demo.limits import DEFAULT_SEED


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `demo` command."""
    from meters.demo.limits import (
        DEFAULT_CUSTOMERS,
        DEFAULT_DAYS,
        MAX_CUSTOMERS,
        MAX_DAYS,
        MIN_DAYS,
    )

    parser = commands.add_parser(
        "demo",
        help="fill an empty database with a deterministic demo data set",
        description="Fill an EMPTY database with demo customers, a year of daily readings "
        "ending yesterday, bills, outages, payment points and service requests. "
        "The same seed and the same --today give the same data.",
    )
    parser.add_argument(
        "--customers",
        type=_count(1, MAX_CUSTOMERS),
        default=DEFAULT_CUSTOMERS,
        metavar="N",
        help=f"number of customers (default {DEFAULT_CUSTOMERS})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="S",
        help=f"random seed (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the day the data ends on (readings until its first minutes; "
        "default: today in DIENBOT_TIMEZONE)",
    )
    parser.add_argument(
        "--days",
        type=_count(MIN_DAYS, MAX_DAYS),
        default=DEFAULT_DAYS,
        metavar="N",
        help=f"days of readings (default {DEFAULT_DAYS})",
    )
    parser.add_argument(
        "--if-empty",
        action="store_true",
        help="when the database already has customers, say so and exit 0 instead of failing",
    )
    add_database_option(parser)
    parser.set_defaults(handler=run_demo)


def _count(low: int, high: int) -> argparse._ActionType:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def run_demo(arguments: argparse.Namespace) -> int:
    """Generate the demo data set and write it in one transaction; refuse a non-empty store."""
    from meters.demo.generate import generate_demo
    from meters.demo.load import load_demo
    from meters.overview import store_is_empty

    settings = settings_from(arguments)
    zone = settings.zone
    today: date = arguments.today or service_clock(settings)().astimezone(zone).date()
    engine = migrated_engine(settings)
    try:
        with engine.begin() as connection:
            if not store_is_empty(connection):
                if arguments.if_empty:
                    print("the database already has customers; demo data not loaded")
                    return EXIT_OK
                raise UsageError(
                    "the database already has customers; `dienbot demo` only fills an empty "
                    "database (use --if-empty to skip quietly, or point --database elsewhere)"
                )
            started = time.perf_counter()
            demo = generate_demo(
                seed=arguments.seed,
                customers=arguments.customers,
                today=today,
                zone=zone,
                days=arguments.days,
            )
            summary = load_demo(connection, demo, zone)
    finally:
        engine.dispose()
    report = {
        "seed": arguments.seed,
        "today": today.isoformat(),
        **asdict(summary),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, ensure_ascii=False))
    return EXIT_OK
