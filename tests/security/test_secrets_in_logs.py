"""Issue 20 item 3: no credential of a URL setting reaches the log, `describe` or `repr`."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from bot.config import describe, load_settings

DIENBOT = Path(sys.executable).with_name("dienbot")
SECRETS = (
    "s3cr3t-pass",
    "s3cr3t-user",
    "s3cr3t-token",
    "s3cr3t-key",
    "s3cr3t-apikey",
    "s3cr3t-secret",
    "s3cr3t-signature",
    "s3cr3t-sig",
    "s3cr3t-password",
)
SECRET_QUERY = (
    "token=s3cr3t-token&key=s3cr3t-key&api_key=s3cr3t-apikey&secret=s3cr3t-secret"
    "&signature=s3cr3t-signature&sig=s3cr3t-sig&password=s3cr3t-password&to=kept-value"
)
URL_SETTINGS = {
    "DIENBOT_SMS_URL": f"https://s3cr3t-user:s3cr3t-pass@sms.example.vn/send?{SECRET_QUERY}",
    "DIENBOT_TELEGRAM_API_URL": f"http://s3cr3t-user@127.0.0.1:9/bot?{SECRET_QUERY}",
    "DIENBOT_ZALO_API_URL": f"http://s3cr3t-user:s3cr3t-pass@127.0.0.1:9?{SECRET_QUERY}",
    "DIENBOT_PUBLIC_URL": f"https://cskh.example.vn/?{SECRET_QUERY}",
}


def with_password(database_url: str) -> str:
    """The URL with a user name and password (PostgreSQL; the test cluster trusts anyone)."""
    if not database_url.startswith("postgresql"):
        return f"{database_url}?key=s3cr3t-key"
    scheme, _, rest = database_url.partition("://")
    user, _, host = rest.partition("@")
    return f"{scheme}://{user}:s3cr3t-pass@{host}&password=s3cr3t-password"


def test_describe_and_repr_hide_every_credential_of_every_url_setting() -> None:
    settings = load_settings(
        {
            **URL_SETTINGS,
            "DIENBOT_DATABASE_URL": f"postgresql+psycopg://dienbot:s3cr3t-pass@db/x?{SECRET_QUERY}",
            "DIENBOT_TELEGRAM_WEBHOOK_URL": f"https://bot.example.vn/telegram/webhook?{SECRET_QUERY}",
        },
        env_file=None,
    )
    shown = describe(settings)
    for text in (repr(settings), str(settings), ", ".join(shown.values())):
        assert not [secret for secret in SECRETS if secret in text], text
        assert "kept-value" in text
    assert shown["sms_url"].startswith("https://***@sms.example.vn/send?token=***&")
    assert shown["database_url"].startswith("postgresql+psycopg://***@db/x?")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_start_up_log_of_dienbot_run_shows_no_credential(
    database_url: str, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        **URL_SETTINGS,
        "DIENBOT_DATABASE_URL": with_password(database_url),
        "DIENBOT_HTTP_PORT": str(free_port()),
    }
    process = await asyncio.create_subprocess_exec(
        str(DIENBOT),
        "run",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(60):  # a safety net, not a synchronisation
            while line := (await process.stdout.readline()).decode():
                lines.append(line)
                if "web on http" in line:
                    break
    finally:
        process.send_signal(signal.SIGINT)
        lines.append((await process.stdout.read()).decode())
        await process.wait()
    text = "".join(lines)
    assert "configuration: database_url=" in text
    assert "sms_url=https://***@sms.example.vn/send?token=***" in text
    assert "kept-value" in text
    assert not [secret for secret in SECRETS if secret in text], text
