"""Issue 20 item 6: a signed Zalo event whose timestamp is far from now is refused, a replay
within the window is a redelivery, and the turn's clock is ours, never the payload's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from bot.zalo import ZaloChannel, install_zalo
from bot.zalo.channel import WEBHOOK_PATH
from tests.bot.zalo.conftest import SETTINGS_KEY, RecordingConversation, _store, zalo_settings
from tests.fakes.zalo_api import FakeZalo
from tests.fakes.zalo_events import epoch_ms, text_event
from tests.security.conftest import Client, ClientFactory

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
CHANNEL = web.AppKey("zalo_channel_under_test", ZaloChannel)


@dataclass
class Clock:
    """The service's clock, moved by the test."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Service:
    """The Zalo channel on a fixed clock, its client and its recording core."""

    client: Client
    fake: FakeZalo
    conversation: RecordingConversation
    clock: Clock

    async def send(self, event: dict[str, object]) -> int:
        status = await self.fake.send_event(str(self.client.make_url(WEBHOOK_PATH)), event)
        await self.client.app[CHANNEL].drain()
        return status


async def started(
    aiohttp_client: ClientFactory, zalo: FakeZalo, sqlite_url: str, **environ: str
) -> Service:
    clock = Clock()
    conversation = RecordingConversation()
    settings = zalo_settings(zalo, sqlite_url, **environ)
    app = web.Application()
    app[SETTINGS_KEY] = settings
    app.cleanup_ctx.append(_store)
    channel = install_zalo(app, settings, conversation, clock=clock)
    app[CHANNEL] = channel
    zalo.add_user("u1")
    return Service(await aiohttp_client(app), zalo, conversation, clock)


def event_at(fake: FakeZalo, moment: datetime, text: str = "xin chào") -> dict[str, object]:
    return text_event(fake.app_id, "u1", text, moment)


@pytest.mark.parametrize(
    "timestamp",
    [
        "7",  # 1970
        epoch_ms(NOW - timedelta(minutes=11)),
        epoch_ms(NOW + timedelta(minutes=11)),
        "not-a-number",
        "9" * 40,
    ],
)
async def test_an_event_far_from_now_is_acknowledged_but_never_handled(
    aiohttp_client: ClientFactory, zalo: FakeZalo, sqlite_url: str, timestamp: str
) -> None:
    service = await started(aiohttp_client, zalo, sqlite_url)
    event = {**event_at(zalo, NOW), "timestamp": timestamp}
    assert await service.send(event) == 200  # a non-200 would only bring it back, staler
    assert service.conversation.updates == []


async def test_an_event_within_the_window_is_handled_on_our_clock(
    aiohttp_client: ClientFactory, zalo: FakeZalo, sqlite_url: str
) -> None:
    service = await started(aiohttp_client, zalo, sqlite_url)
    assert await service.send(event_at(zalo, NOW - timedelta(minutes=9))) == 200
    [update] = service.conversation.updates
    assert update.received_at == NOW


async def test_a_replay_is_a_redelivery_inside_the_window_and_refused_after_it(
    aiohttp_client: ClientFactory, zalo: FakeZalo, sqlite_url: str
) -> None:
    service = await started(aiohttp_client, zalo, sqlite_url)
    event = event_at(zalo, NOW)
    assert await service.send(event) == 200
    service.clock.now = NOW + timedelta(minutes=9)
    assert await service.send(event) == 200
    service.clock.now = NOW + timedelta(days=4)  # past the de-duplication's retention
    assert await service.send(event) == 200
    assert len(service.conversation.updates) == 1
    channel = service.client.app[CHANNEL]
    assert channel.event_retention >= 2 * channel.event_window


async def test_the_window_is_configurable(
    aiohttp_client: ClientFactory, zalo: FakeZalo, sqlite_url: str
) -> None:
    service = await started(
        aiohttp_client, zalo, sqlite_url, DIENBOT_ZALO_EVENT_WINDOW_MINUTES="30"
    )
    assert await service.send(event_at(zalo, NOW - timedelta(minutes=25))) == 200
    assert len(service.conversation.updates) == 1
