"""`dienbot chat`: talk to the bot in the terminal as a local channel user.

Each line of standard input is a message; the bot's replies are printed with their buttons
numbered, and typing a button's number presses it. One-time linking codes go to the log
(standard error) on the embedded default, as `dienbot run` does.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import TYPE_CHECKING, TextIO

from bot.cli.common import EXIT_OK, add_database_option, migrated_engine, settings_from
from bot.clock import Clock, service_clock

if TYPE_CHECKING:
    from bot.conversation import ConversationRunner
    from handlers.types import Button, Reply, Update

_LOCATION = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `chat` command."""
    parser = commands.add_parser(
        "chat",
        help="chat with the bot in the terminal (a local channel user)",
        description="Chat with the bot as a Channel.LOCAL user: type a message per line, or a "
        "button's number to press it; end with Ctrl+D.",
    )
    parser.add_argument(
        "--user", default="local", metavar="ID", help="the local user's id (default: local)"
    )
    add_database_option(parser)
    parser.set_defaults(handler=run_chat)


def run_chat(arguments: argparse.Namespace) -> int:
    """Greet, then answer every line of standard input until it ends."""
    from bot.conversation import ConversationRunner
    from bot.web.visitor import CODE_PEPPER_NAME, stored_secret
    from handlers.context import ConversationConfig

    settings = settings_from(arguments)
    engine = migrated_engine(settings)
    pepper = stored_secret(engine, CODE_PEPPER_NAME)
    runner = ConversationRunner(
        engine,
        ConversationConfig(
            zone=settings.zone,
            hotlines=settings.hotline_table,
            code_pepper=pepper,
            link_limits=settings.link_limits,
        ),
    )
    try:
        with asyncio.Runner() as loop:
            chat = TerminalChat(
                runner, arguments.user, sys.stdin, sys.stdout, service_clock(settings)
            )
            chat.run(loop)
    finally:
        engine.dispose()
    return EXIT_OK


class TerminalChat:
    """One local user's conversation: lines in, numbered replies out."""

    def __init__(
        self, runner: ConversationRunner, user_id: str, lines: TextIO, out: TextIO, clock: Clock
    ) -> None:
        from handlers.types import Channel, UserRef

        self._runner = runner
        self._clock = clock  # when each line is received
        self._user = UserRef(Channel.LOCAL, user_id)
        self._lines = lines
        self._out = out
        self._buttons: list[Button] = []

    def run(self, loop: asyncio.Runner) -> None:
        """The whole conversation, greeting first."""
        self._show(loop.run(self._answer(self._update(text="/start"))))
        for line in iter(self._lines.readline, ""):
            update = self._update_of(line.strip())
            if update is not None:
                self._show(loop.run(self._answer(update)))

    async def _answer(self, update: Update) -> tuple[Reply, ...]:
        """The replies, once a one-time code the turn sends is in the log."""
        replies = await self._runner.handle(update)
        await self._runner.settle()
        return replies

    def _update_of(self, line: str) -> Update | None:
        from handlers import texts
        from handlers.types import ButtonKind

        if not line:
            return None
        if not (line.isdigit() and 0 < int(line) <= len(self._buttons)):
            return self._update(text=line)
        button = self._buttons[int(line) - 1]
        if button.kind is ButtonKind.CALLBACK:
            return self._update(callback_data=button.data)
        if button.kind is ButtonKind.SHARE_LOCATION:
            return self._ask_location()
        if button.kind is ButtonKind.URL:
            self._print(texts.LOCAL_OPEN_URL.format(url=button.data))
        else:
            self._print(texts.LOCAL_NOT_AVAILABLE)
        return None

    def _ask_location(self) -> Update | None:
        from handlers import texts
        from handlers.types import Location

        self._print(texts.LOCAL_ASK_LOCATION)
        match = _LOCATION.match(self._lines.readline())
        if match is None:
            self._print(texts.LOCAL_BAD_LOCATION)
            return None
        latitude, longitude = float(match.group(1)), float(match.group(2))
        if abs(latitude) > 90 or abs(longitude) > 180:
            self._print(texts.LOCAL_BAD_LOCATION)
            return None
        return self._update(location=Location(latitude, longitude))

    def _update(self, **fields: object) -> Update:
        from handlers.types import Update

        return Update(user=self._user, received_at=self._clock(), **fields)  # type: ignore[arg-type]

    def _show(self, replies: tuple[Reply, ...]) -> None:
        from handlers import texts

        self._buttons = [button for reply in replies for button in reply.buttons]
        number = 0
        for reply in replies:
            self._print(f"bot> {reply.text}")
            if reply.image is not None:
                self._print("     " + texts.LOCAL_IMAGE.format(caption=reply.image.caption))
            for button in reply.buttons:
                number += 1
                self._print(f"     [{number}] {button.label}")
        if self._buttons:
            self._print("     " + texts.LOCAL_BUTTON_HINT)
        self._out.flush()

    def _print(self, text: str) -> None:
        self._out.write(text + "\n")
