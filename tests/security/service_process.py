"""A real `dienbot run` with both webhooks on the local stand-ins, to kill and start again.

Shared by the kill test (tests/security/test_webhooks_under_kill.py) and bench/bench_abuse.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import ClientError, ClientSession
from sqlalchemy import Engine, func, select

from meters.schema import ChatUser, ConversationLogEntry
from tests.clock import offset_to
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.security.conftest import MOMENT

DIENBOT = Path(sys.executable).with_name("dienbot")
WEBHOOK_SECRET = "kill-test-secret"
START_TIMEOUT = 60.0  # a safety net for the real process, not a synchronisation


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServiceProcess:
    """`dienbot run` on one store and port, its output in `directory/run-<n>.log`."""

    database_url: str
    telegram: FakeTelegram
    zalo: FakeZalo
    directory: Path
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        """The service's root."""
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """Both channels in webhook mode on the stand-ins."""
        return {
            **os.environ,
            "DIENBOT_DATABASE_URL": self.database_url,
            "DIENBOT_HTTP_PORT": str(self.port),
            "DIENBOT_TELEGRAM_TOKEN": self.telegram.token,
            "DIENBOT_TELEGRAM_API_URL": self.telegram.base_url,
            "DIENBOT_TELEGRAM_WEBHOOK_URL": f"{self.url}/telegram/webhook",
            "DIENBOT_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "DIENBOT_ZALO_APP_ID": self.zalo.app_id,
            "DIENBOT_ZALO_APP_SECRET": self.zalo.app_secret,
            "DIENBOT_ZALO_OA_SECRET_KEY": self.zalo.oa_secret_key,
            "DIENBOT_ZALO_REFRESH_TOKEN": self.zalo.refresh_token,
            "DIENBOT_ZALO_API_URL": self.zalo.url,
            "DIENBOT_CLOCK_OFFSET": offset_to(MOMENT),  # the stand-ins' clock
        }

    async def start(self) -> None:
        """Start the process and return once it serves (its Telegram webhook is set)."""
        self.starts += 1
        log = (self.directory / f"run-{self.starts}.log").open("wb")
        self.process = await asyncio.create_subprocess_exec(
            str(DIENBOT),
            "run",
            cwd=self.directory,  # no .env of the working tree
            env=self.environment(),
            stdout=log,
            stderr=log,
        )
        async with ClientSession() as session, asyncio.timeout(START_TIMEOUT):
            for _ in range(int(START_TIMEOUT * 20)):
                if self.process.returncode is not None:
                    raise RuntimeError(f"dienbot run exited:\n{self.output()}")
                try:
                    async with session.get(f"{self.url}/healthz") as response:
                        if response.status == 200:  # served once start-up (setWebhook) is done
                            return
                except ClientError:
                    pass
                await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """SIGKILL the process and wait until it is gone."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.process = None

    async def stop(self) -> None:
        """End the process cleanly (SIGINT), if it runs."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            await self.process.wait()
        self.process = None

    def output(self) -> str:
        """Everything the processes printed."""
        return "\n".join(path.read_text() for path in sorted(self.directory.glob("run-*.log")))


def turns_by_user(engine: Engine, channel: str) -> Counter[str]:
    """How many messages of each user of `channel` the conversation core took in."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(ChatUser.external_id, func.count())
            .join(ConversationLogEntry, ConversationLogEntry.chat_user_id == ChatUser.id)
            .where(ChatUser.channel == channel, ConversationLogEntry.direction == "in")
            .group_by(ChatUser.external_id)
        )
        return Counter({str(user): int(count) for user, count in rows})
