"""`dienbot tariff` (being built; see the issue tracker)."""

from __future__ import annotations

import argparse

from bot.cli.common import UsageError


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `tariff` command."""
    parser = commands.add_parser("tariff", help="not available yet")
    parser.set_defaults(handler=_unavailable)


def _unavailable(arguments: argparse.Namespace) -> int:
    raise UsageError("this command is not available yet")
