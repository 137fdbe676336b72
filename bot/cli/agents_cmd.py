"""`dienbot agents add|list|password`: the people who sign in to the agent console.

The password is read from standard input (typed twice at a terminal); without input, from
DIENBOT_AGENT_PASSWORD. `dienbot run` with DIENBOT_AGENT_PASSWORD and no agent yet creates the
supervisor "admin" by itself.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.cli.agents_telegram import register_telegram
from bot.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    UsageError,
    add_database_option,
    migrated_engine,
    settings_from,
)
from bot.clock import service_clock
from bot.config import Settings
from meters.agent_store import ROLES, SqlAgentStore

MIN_PASSWORD = 10


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `agents` command."""
    parser = commands.add_parser("agents", help="manage the agent console's users")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an agent (password from stdin)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="agent")
    add.add_argument("--unit", help="the unit (Điện lực) whose queue the agent works")
    add.add_argument("--name", help="the name customers and colleagues see")
    add_database_option(add)
    add.set_defaults(handler=run_add)
    listing = actions.add_parser("list", help="list the agents")
    add_database_option(listing)
    listing.set_defaults(handler=run_list)
    password = actions.add_parser("password", help="set a new password (from stdin)")
    password.add_argument("username")
    add_database_option(password)
    password.set_defaults(handler=run_password)
    register_telegram(actions)  # agents telegram USERNAME ID (bot/cli/agents_telegram.py)


def hash_password(password: str) -> str:
    """The argon2id hash the console checks (argon2 is imported only when needed)."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def read_password(settings: Settings) -> str:
    """The password: typed twice at a terminal, the first line of piped input, or the env."""
    if sys.stdin.isatty():
        first = getpass.getpass("Mật khẩu: ")
        if first != getpass.getpass("Nhập lại mật khẩu: "):
            raise UsageError("the two passwords differ")
        password = first
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password and settings.agent_password is not None:
        password = settings.agent_password.get_secret_value()
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password needs at least {MIN_PASSWORD} characters")
    return password


def run_add(arguments: argparse.Namespace) -> int:
    """Create one agent."""
    settings = settings_from(arguments)
    if arguments.role == "agent" and not arguments.unit:
        raise UsageError("an agent needs --unit (supervisors see every unit)")
    password_hash = hash_password(read_password(settings))
    engine = migrated_engine(settings)
    try:
        with engine.begin() as connection:
            SqlAgentStore(connection).add_agent(
                username=arguments.username,
                display_name=arguments.name or arguments.username,
                role=arguments.role,
                unit=arguments.unit,
                password_hash=password_hash,
                now=service_clock(settings)(),
            )
    except ValueError as error:
        print(f"dienbot: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        engine.dispose()
    print(f"agent {arguments.username} ({arguments.role}) created")
    return EXIT_OK


def run_list(arguments: argparse.Namespace) -> int:
    """Print the active agents."""
    engine = migrated_engine(settings_from(arguments))
    try:
        with engine.connect() as connection:
            agents = SqlAgentStore(connection).agents()
    finally:
        engine.dispose()
    for agent in agents:
        print(f"{agent.username}\t{agent.role}\t{agent.unit or '-'}\t{agent.display_name}")
    return EXIT_OK


def run_password(arguments: argparse.Namespace) -> int:
    """Replace an agent's password (their sessions end)."""
    settings = settings_from(arguments)
    password_hash = hash_password(read_password(settings))
    engine = migrated_engine(settings)
    try:
        with engine.begin() as connection:
            changed = SqlAgentStore(connection).set_password(arguments.username, password_hash)
    finally:
        engine.dispose()
    if not changed:
        print(f"dienbot: no agent {arguments.username!r}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"password of {arguments.username} changed")
    return EXIT_OK
