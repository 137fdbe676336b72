"""Real `dienbot push send` processes for the kill test and the delivery benchmark."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select

from meters.schema import OutboxMessage

DIENBOT = Path(sys.executable).with_name("dienbot")


@dataclass
class Fleet:
    """Dispatcher processes of one bucket, each printing into `directory/<worker>.out|err`."""

    database_url: str
    api_url: str
    token: str
    directory: Path
    rate: float
    lease_seconds: float
    preexec: Callable[[], None] | None = None  # run in the child before it starts
    clock_offset: str = "0"  # DIENBOT_CLOCK_OFFSET, the same for every process (tests/clock.py)
    running: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)

    async def start(self, worker: str) -> None:
        """Start one `dienbot push send --until-empty` process named `worker`."""
        environment = {
            **os.environ,
            "DIENBOT_DATABASE_URL": self.database_url,
            "DIENBOT_TELEGRAM_TOKEN": self.token,
            "DIENBOT_TELEGRAM_API_URL": self.api_url,
            "DIENBOT_CLOCK_OFFSET": self.clock_offset,
        }
        self.running[worker] = await asyncio.create_subprocess_exec(
            str(DIENBOT),
            "push",
            "send",
            "--until-empty",
            f"--rate={self.rate:g}",
            f"--lease-seconds={self.lease_seconds:g}",
            f"--worker={worker}",
            cwd=self.directory,  # no .env of the working tree
            env=environment,
            preexec_fn=self.preexec,
            stdout=(self.directory / f"{worker}.out").open("wb"),
            stderr=(self.directory / f"{worker}.err").open("wb"),
        )

    async def kill(self, worker: str) -> None:
        """SIGKILL `worker` and wait until it is gone."""
        process = self.running.pop(worker)
        process.send_signal(signal.SIGKILL)
        await process.wait()

    async def finish(self, timeout: float) -> dict[str, int]:  # noqa: ASYNC109
        """Wait for every running process to end; their exit statuses."""
        async with asyncio.timeout(timeout):
            return {worker: await process.wait() for worker, process in list(self.running.items())}

    def printed(self, worker: str) -> str:
        """What `worker` printed on stdout (its JSON summary)."""
        return (self.directory / f"{worker}.out").read_text()

    def output(self, worker: str) -> str:
        """What `worker` printed on stderr."""
        return (self.directory / f"{worker}.err").read_text()


def leased_to(engine: Engine, worker: str) -> int:
    """How many messages `worker` held (sending) when it died."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).where(
                    OutboxMessage.status == "sending", OutboxMessage.claimed_by == worker
                )
            ).scalar_one()
        )
