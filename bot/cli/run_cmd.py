"""`dienbot run`: the service."""

from __future__ import annotations

import argparse
import logging

from bot.cli.common import EXIT_OK, add_database_option, settings_from
from bot.config import describe

logger = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `run` command."""
    parser = commands.add_parser("run", help="run the service (web, scheduler, channels)")
    add_database_option(parser)
    parser.set_defaults(handler=run_service)


def run_service(arguments: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from aiohttp import web

    from bot.app import build_app

    settings = settings_from(arguments)
    shown = describe(settings)
    logger.info("configuration: %s", ", ".join(f"{key}={value}" for key, value in shown.items()))
    logger.info("web on http://%s:%d/", settings.http_host, settings.http_port)
    web.run_app(
        build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        print=None,
        access_log=None,
    )
    return EXIT_OK
