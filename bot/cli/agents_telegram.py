"""`dienbot agents telegram USERNAME TELEGRAM_USER_ID`: an agent's account in the agent group.

Only messages of registered accounts act in the Telegram agent group's topics (the bot
ignores every other member). The Telegram user id is the number that bots such as
@userinfobot show; `--remove` forgets the agent's account.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    add_database_option,
    migrated_engine,
    settings_from,
)
from bot.clock import service_clock
from meters.agent_store import SqlAgentStore
from meters.telegram_topic_store import SqlTelegramTopicStore


def register_telegram(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `agents telegram`."""
    telegram = actions.add_parser(
        "telegram", help="let a Telegram account act as an agent in the agent group"
    )
    telegram.add_argument("username")
    telegram.add_argument("telegram_user_id", type=int, nargs="?")
    telegram.add_argument("--remove", action="store_true", help="forget the agent's account")
    add_database_option(telegram)
    telegram.set_defaults(handler=run_telegram)


def run_telegram(arguments: argparse.Namespace) -> int:
    """Link (or with --remove unlink) an agent's Telegram account."""
    if arguments.remove == (arguments.telegram_user_id is not None):
        print("dienbot: give a Telegram user id, or --remove", file=sys.stderr)
        return EXIT_BAD_INPUT
    settings = settings_from(arguments)
    engine = migrated_engine(settings)
    try:
        with engine.begin() as connection:
            agent = SqlAgentStore(connection).by_username(arguments.username)
            if agent is None:
                print(f"dienbot: no agent {arguments.username!r}", file=sys.stderr)
                return EXIT_BAD_INPUT
            topics = SqlTelegramTopicStore(connection)
            if arguments.remove:
                topics.unlink_agent(agent.id)
            else:
                topics.link_agent(agent.id, arguments.telegram_user_id, service_clock(settings)())
    finally:
        engine.dispose()
    if arguments.remove:
        print(f"{arguments.username} no longer acts from Telegram")
    else:
        print(f"{arguments.username} acts as Telegram user {arguments.telegram_user_id}")
    return EXIT_OK
