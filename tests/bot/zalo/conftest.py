"""The Zalo channel against the local stand-in of Zalo's hosts, on a real aiohttp server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.config import Settings, load_settings
from bot.web.keys import ENGINE
from bot.zalo import ZaloChannel, install_zalo
from bot.zalo.channel import WEBHOOK_PATH
from handlers.types import Button, Channel, Reply, SendOneTimeCode, Update
from meters.database import create_store_engine, upgrade
from tests.clock import offset_to, running_from
from tests.fakes.zalo_api import FakeZalo

# The stand-in's clock reads MOMENT when a test starts it; the service's clock agrees with it.
MOMENT = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


@dataclass
class RecordingConversation:
    """A conversation core that answers `echo: <text>` and remembers what it was given."""

    updates: list[Update] = field(default_factory=list)
    code_senders: dict[Channel, object] = field(default_factory=dict)
    replies: tuple[Reply, ...] | None = None
    fail: bool = False

    async def handle(self, update: Update, *, receipt: object = None) -> tuple[Reply, ...]:
        """Echo the text, the pressed button or the place."""
        self.updates.append(update)
        if self.fail:
            raise RuntimeError("the core broke")
        if self.replies is not None:
            return self.replies
        if update.callback_data is not None:
            return (Reply(f"pressed: {update.callback_data}"),)
        if update.location is not None:
            where = update.location
            return (Reply(f"at: {where.latitude},{where.longitude}"),)
        return (Reply(f"echo: {update.text}", (Button("Menu", "i:help"),)),)

    def set_code_sender(self, channel: Channel, sender: object) -> None:
        """Remember the sender registered for `channel`."""
        self.code_senders[channel] = sender


def zalo_settings(fake: FakeZalo, database_url: str, **extra: str) -> Settings:
    """Settings of a service whose Zalo hosts are the stand-in, on the stand-in's clock."""
    environ = {
        "DIENBOT_DATABASE_URL": database_url,
        "DIENBOT_CLOCK_OFFSET": offset_to(fake.clock()),
        "DIENBOT_ZALO_APP_ID": fake.app_id,
        "DIENBOT_ZALO_APP_SECRET": fake.app_secret,
        "DIENBOT_ZALO_OA_SECRET_KEY": fake.oa_secret_key,
        "DIENBOT_ZALO_REFRESH_TOKEN": fake.refresh_token,
        "DIENBOT_ZALO_API_URL": fake.url,
        **extra,
    }
    return load_settings(environ, env_file=None)


@dataclass
class ZaloService:
    """The running service with only the Zalo channel, its client, and the stand-in."""

    client: TestClient[web.Request, web.Application]
    channel: ZaloChannel
    fake: FakeZalo
    conversation: RecordingConversation

    @property
    def webhook_url(self) -> str:
        """Where the stand-in delivers events."""
        return str(self.client.make_url(WEBHOOK_PATH))

    async def say(self, user_id: str, text: str, *, msg_id: str | None = None) -> int:
        """The user writes to the OA; returns once the bot has handled it."""
        status = await self.fake.user_sends_text(self.webhook_url, user_id, text, msg_id=msg_id)
        await self.channel.drain()
        return status


async def _store(app: web.Application) -> AsyncIterator[None]:
    engine = create_store_engine(app[SETTINGS_KEY].database_url)
    upgrade(engine)
    app[ENGINE] = engine
    yield
    engine.dispose()


SETTINGS_KEY = web.AppKey("test_settings", Settings)


def zalo_app(settings: Settings, conversation: object) -> tuple[web.Application, ZaloChannel]:
    """A web application with the store and the Zalo channel only."""
    app = web.Application()
    app[SETTINGS_KEY] = settings
    app.cleanup_ctx.append(_store)
    channel = install_zalo(app, settings, conversation)  # type: ignore[arg-type]
    return app, channel


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    """The stand-in of Zalo's hosts on a free local port."""
    fake = FakeZalo(clock=running_from(MOMENT))
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def conversation() -> RecordingConversation:
    """The recording conversation core."""
    return RecordingConversation()


@pytest.fixture
async def service(
    aiohttp_client: ClientFactory,
    fake_zalo: FakeZalo,
    sqlite_url: str,
    conversation: RecordingConversation,
) -> ZaloService:
    """The service on SQLite with a ZNS `otp` template configured."""
    settings = zalo_settings(fake_zalo, sqlite_url, DIENBOT_ZNS_TEMPLATES='{"otp": "330875"}')
    app, channel = zalo_app(settings, conversation)
    client = await aiohttp_client(app)
    return ZaloService(client, channel, fake_zalo, conversation)


def code_effect(phone: str = "0912345678") -> SendOneTimeCode:
    """A one-time code for a Zalo chat."""
    return SendOneTimeCode(phone, "424242", "PE0100012345", Channel.ZALO)
