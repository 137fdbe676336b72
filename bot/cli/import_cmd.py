"""`dienbot import KIND FILE`: one CSV file into the store, all or nothing."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from bot.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    UsageError,
    add_database_option,
    migrated_engine,
    settings_from,
)
from bot.cli.progress import ProgressBar
from bot.clock import service_clock
from bot.config import Settings
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
    context = ImportContext(zone=settings.zone, now=service_clock(settings)())
    try:
        with engine.begin() as connection:
            cursor = _history_cursor(connection, arguments.kind)
            summary = import_file(connection, arguments.kind, path, context, progress)
            if cursor is not None:  # the customers hear of their requests' new statuses
                _notify_status_changes(connection, settings, cursor, context.now)
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
    if arguments.kind == "readings" and summary.counts.inserted + summary.counts.updated:
        _queue_after_readings(settings, context.now)
    print(json.dumps(summary.as_json(), ensure_ascii=False))
    return EXIT_OK


def _queue_after_readings(settings: Settings, now: datetime) -> None:
    """New readings complete yesterday: queue its daily messages and check thresholds now.

    Both are idempotent, so the scheduler's own runs later queue nothing twice.
    """
    from scheduler.jobs import Jobs
    from scheduler.leadership import Leadership
    from scheduler.window import DeliveryWindow

    start, end = settings.push_hours
    engine = migrated_engine(settings)
    try:
        clock = service_clock(settings)
        jobs = Jobs(
            engine,
            DeliveryWindow(start, end, settings.zone),
            Leadership(engine, "import", clock=clock),
            clock=clock,
        )
        fanout, thresholds, anomalies = jobs.after_readings_import(jobs.yesterday())
    finally:
        engine.dispose()
    print(
        f"queued {fanout.queued} daily message(s) for {fanout.day.isoformat()}, "
        f"{thresholds.queued} threshold and {anomalies.queued} anomaly alert(s)",
        file=sys.stderr,
    )


def _history_cursor(connection: Connection, kind: str) -> int | None:
    """Before a requests import: the newest status history row, to notify what comes after."""
    if kind != "requests":
        return None
    from meters.case_store import SqlCaseStore

    return SqlCaseStore(connection).last_history_id()


def _notify_status_changes(
    connection: Connection, settings: Settings, cursor: int, now: datetime
) -> None:
    from bot.case_deps import case_deps
    from handlers.cases import notify_status_changes
    from handlers.context import ConversationConfig

    config = ConversationConfig(
        zone=settings.zone, agent_hours=settings.agent_window, hotlines=settings.hotline_table
    )
    queued = notify_status_changes(case_deps(connection, config, now), cursor)
    if queued:
        print(f"{queued} status notice(s) queued for the customers' chats", file=sys.stderr)
