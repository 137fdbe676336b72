"""`dienbot db upgrade`: create or migrate the schema."""

from __future__ import annotations

import argparse

from bot.cli.common import EXIT_OK, add_database_option, migrated_engine, settings_from


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `db` command."""
    parser = commands.add_parser("db", help="database schema")
    actions = parser.add_subparsers(dest="db_action", required=True)
    upgrade = actions.add_parser("upgrade", help="create or migrate the schema (Alembic)")
    add_database_option(upgrade)
    upgrade.set_defaults(handler=run_upgrade)


def run_upgrade(arguments: argparse.Namespace) -> int:
    """Migrate the configured database to the newest schema."""
    migrated_engine(settings_from(arguments)).dispose()
    print("schema is up to date")
    return EXIT_OK
