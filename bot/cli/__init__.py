"""The `dienbot` command line: one module per command, each with `register(subparsers)`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.cli import (
    agents_cmd,
    chat_cmd,
    db_cmd,
    demo_cmd,
    import_cmd,
    nlu_cmd,
    push_cmd,
    run_cmd,
    tariff_cmd,
)
from bot.cli.common import EXIT_BAD_INPUT, EXIT_FAILURE, UsageError
from bot.config import ConfigError

COMMAND_MODULES = (
    run_cmd,
    db_cmd,
    demo_cmd,
    import_cmd,
    tariff_cmd,
    nlu_cmd,
    chat_cmd,
    push_cmd,
    agents_cmd,
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit with status 2 and a clear message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every `dienbot` command."""
    parser = _Parser(prog="dienbot", description="EVN customer-care chatbot service")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `dienbot` command and return its exit status."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if arguments.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        status: int = arguments.handler(arguments)
    except (UsageError, ConfigError) as error:
        print(f"dienbot: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_FAILURE
    return status
