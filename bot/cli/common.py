"""What every command shares: exit codes, settings and the store's engine."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.config import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


class UsageError(ValueError):
    """Bad input or usage: the message says what to fix; the command exits with status 2."""


def settings_from(arguments: argparse.Namespace) -> Settings:
    """The settings, with `--database` (when the command has it) overriding the environment."""
    settings = load_settings()
    database = getattr(arguments, "database", None)
    if database:
        settings = settings.model_copy(update={"database_url": database})
    return settings


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """Add `--database URL` to a command that uses the store."""
    parser.add_argument(
        "--database", metavar="URL", help="SQLAlchemy URL (default: DIENBOT_DATABASE_URL)"
    )


def migrated_engine(settings: Settings) -> Engine:
    """An engine on the configured store, the schema created or migrated first."""
    from meters.database import create_store_engine, upgrade

    engine = create_store_engine(settings.database_url)
    upgrade(engine)
    return engine
