"""`dienbot import KIND FILE`: one CSV file into the store, all or nothing."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    UsageError,
    add_database_option,
    migrated_engine,
    settings_from,
)
from bot.cli.progress import ProgressBar
from meters.importer import KINDS, ImportContext, ImportRejected, import_file


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `import` command."""
    parser = commands.add_parser(
        "import",
        help="import a CSV file (all or nothing)",
        description="Import a CSV file. A file with any bad row changes nothing.",
    )
    parser.add_argument("kind", choices=KINDS, help="what the file holds")
    parser.add_argument("file", type=Path, help="the CSV file (UTF-8, header row)")
    add_database_option(parser)
    parser.set_defaults(handler=run_import)


def run_import(arguments: argparse.Namespace) -> int:
    """Import the file; print the JSON summary, or the bad rows and exit with status 2."""
    path: Path = arguments.file
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    settings = settings_from(arguments)
    engine = migrated_engine(settings)
    progress = ProgressBar(path.stat().st_size)
    context = ImportContext(zone=settings.zone, now=datetime.now(UTC))
    try:
        with engine.begin() as connection:
            summary = import_file(connection, arguments.kind, path, context, progress)
    except ImportRejected as rejected:
        progress.close()
        for line in rejected.lines:
            print(line, file=sys.stderr)
        print(f"dienbot: {path}: nothing was imported", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        engine.dispose()
    progress.close()
    for line in summary.warnings:
        print(line, file=sys.stderr)
    print(json.dumps(summary.as_json(), ensure_ascii=False))
    return EXIT_OK
