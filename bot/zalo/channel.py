"""The Zalo Official Account channel: webhook events in, OA consultation messages out.

`install_zalo` adds the webhook route and a cleanup context that owns the channel's
resources: the one `ClientSession`, the token keeper, and the background tasks that handle
events after the webhook has already answered 200 (cancelled and awaited on shutdown).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from aiohttp import web
from sqlalchemy import Engine

from bot.clock import service_clock
from bot.config import Settings
from bot.web.keys import ENGINE
from bot.zalo.api import OaClient, ZaloHosts, ZaloHttp
from bot.zalo.errors import ErrorKind, ZaloError, log_failure
from bot.zalo.events import ZaloEvent
from bot.zalo.messages import ImageMessage, TextMessage, image_message, render_reply
from bot.zalo.tokens import TokenKeeper
from bot.zalo.webhook import ZALO, receive_event
from bot.zalo.zns import OTP_TEMPLATE, ZnsCodeSender
from handlers import texts
from handlers.types import Channel, Reply, Update
from meters.channel_store import forget_events, record_event

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/zalo/webhook"
CHANNEL = "zalo"
EVENT_RETENTION = timedelta(days=3)  # Zalo stops retrying after about 2 hours
PRUNE_EVERY = 1000  # events between two clean-ups of processed_events


@runtime_checkable
class Conversation(Protocol):
    """The conversation core as this channel uses it (`bot.conversation.ConversationRunner`)."""

    async def handle(self, update: Update) -> tuple[Reply, ...]:
        """The replies to one update."""


ConversationSource = Conversation | Callable[[], Conversation]


@dataclass
class _ChatQueue:
    """Keeps one chat's events in arrival order; dropped when no event of the chat waits."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ZaloChannel:
    """Handles verified webhook events in the background and sends the replies."""

    def __init__(
        self,
        settings: Settings,
        conversation: ConversationSource,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        assert settings.zalo_enabled, "install_zalo needs every DIENBOT_ZALO_* credential"
        assert settings.zalo_app_id is not None
        assert settings.zalo_app_secret is not None
        assert settings.zalo_oa_secret_key is not None
        assert settings.zalo_refresh_token is not None
        self.app_id = settings.zalo_app_id
        self.oa_secret_key = settings.zalo_oa_secret_key.get_secret_value()
        self._refresh_seed = settings.zalo_refresh_token.get_secret_value()
        self._conversation = conversation
        self._resolved: Conversation | None = None
        self.code_sender: ZnsCodeSender | None = None
        self._clock = clock or service_clock(settings)
        self.http = ZaloHttp(
            ZaloHosts.from_base(settings.zalo_api_url),
            settings.zalo_app_id,
            settings.zalo_app_secret.get_secret_value(),
        )
        self._client: OaClient | None = None
        self._tokens: TokenKeeper | None = None
        self._engine: Engine | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._chats: dict[str, _ChatQueue] = {}
        self._events_since_prune = 0

    def now(self) -> datetime:
        """The channel's clock."""
        return self._clock()

    @property
    def client(self) -> OaClient:
        """The OA API client (available while the application runs)."""
        if self._client is None:
            raise RuntimeError("the Zalo channel is not running")
        return self._client

    def conversation(self) -> Conversation:
        """The conversation core; on first use it learns the ZNS code sender, if any."""
        if self._resolved is None:
            source = self._conversation
            resolved = source if isinstance(source, Conversation) else source()
            register = getattr(resolved, "set_code_sender", None)
            if self.code_sender is not None and register is not None:
                register(Channel.ZALO, self.code_sender)
            self._resolved = resolved
        return self._resolved

    async def refresh_tokens(self) -> None:
        """Keep the access token fresh (renewed ahead of expiry); the scheduler calls this."""
        if self._tokens is not None:
            await self._tokens.current()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, engine: Engine) -> None:
        """Open the HTTP session and the token keeper on `engine`."""
        self._engine = engine
        await self.http.open()
        self._tokens = TokenKeeper(
            engine, self._refresh_seed, self.http.exchange, clock=self._clock
        )
        self._client = OaClient(self.http, self._tokens)
        await asyncio.to_thread(self._prune)

    async def stop(self) -> None:
        """Cancel and await the background tasks, then close the session."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.http.close()
        if self._tokens is not None:
            await asyncio.to_thread(self._tokens.close)
        self._client = None

    async def lifespan(self, app: web.Application) -> AsyncIterator[None]:
        """The channel's cleanup context (after the store's, which creates the engine)."""
        await self.start(app[ENGINE])
        try:
            yield
        finally:
            await self.stop()

    async def drain(self) -> None:
        """Wait until every event accepted so far has been handled (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- events ----------------------------------------------------------------------------

    def accept(self, event: ZaloEvent) -> None:
        """Handle `event` in the background; the webhook answers at once."""
        task = asyncio.create_task(self._handle(event), name=f"zalo-event-{event.event_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, event: ZaloEvent) -> None:
        user_id = event.update.user.external_id
        # Tasks start in the order their events arrived and asyncio locks are fair, so taking
        # the chat's lock first thing keeps a chat's events (and replies) in order.
        queue = self._chats.setdefault(user_id, _ChatQueue())
        queue.users += 1
        try:
            async with queue.lock:
                await self._handle_in_order(event)
        finally:
            queue.users -= 1
            if queue.users == 0:
                del self._chats[user_id]

    async def _handle_in_order(self, event: ZaloEvent) -> None:
        user_id = event.update.user.external_id
        try:
            if not await asyncio.to_thread(self._first_delivery, event.event_id):
                logger.debug("Zalo event %s was delivered again; ignored", event.event_id)
                return
            replies = await self.conversation().handle(event.update)
        except Exception:  # the channel's error boundary: log, apologise, carry on
            logger.exception("Zalo event %s could not be handled", event.event_id)
            replies = (Reply(texts.SORRY),)
        await self.send_replies(user_id, replies)

    def _first_delivery(self, event_id: str) -> bool:
        assert self._engine is not None
        with self._engine.begin() as connection:
            fresh = record_event(connection, CHANNEL, event_id, self._clock())
        self._events_since_prune += 1
        if self._events_since_prune >= PRUNE_EVERY:
            self._prune()
        return fresh

    def _prune(self) -> None:
        assert self._engine is not None
        self._events_since_prune = 0
        with self._engine.begin() as connection:
            forget_events(connection, CHANNEL, self._clock() - EVENT_RETENTION)

    # -- replies ---------------------------------------------------------------------------

    async def send_replies(self, user_id: str, replies: tuple[Reply, ...]) -> None:
        """Send `replies` to an OA follower; stops at the first message Zalo refuses."""
        for reply in replies:
            try:
                await self.send(user_id, reply)
            except ZaloError as error:
                log_failure(error, f"Zalo reply to {user_id}")
                return
            except Exception:
                logger.exception("Zalo reply to %s failed", user_id)
                return

    async def send(self, user_id: str, reply: Reply) -> None:
        """Send one reply (its parts in order); raises `ZaloError`."""
        for part in render_reply(reply):
            if isinstance(part, TextMessage):
                await self.client.send_message(user_id, part.message)
            else:
                await self._send_image(user_id, part)

    async def _send_image(self, user_id: str, part: ImageMessage) -> None:
        try:
            attachment_id = await self.client.upload_image(part.png)
        except ZaloError as error:
            if error.kind is not ErrorKind.REJECTED:
                raise
            log_failure(error, "Zalo picture upload")  # too big or refused: the caption alone
            await self.client.send_message(user_id, {"text": part.caption[:2000]})
            return
        await self.client.send_message(user_id, image_message(attachment_id, part.caption))


def install_zalo(
    app: web.Application,
    settings: Settings,
    runner: ConversationSource,
    *,
    clock: Callable[[], datetime] | None = None,
) -> ZaloChannel:
    """Add the Zalo OA channel to the service: the webhook route, its lifecycle and, when a
    ZNS `otp` template is configured, the ZNS sender of Zalo chats' one-time codes."""
    channel = ZaloChannel(settings, runner, clock=clock)
    app[ZALO] = channel
    app.router.add_post(WEBHOOK_PATH, receive_event)
    app.cleanup_ctx.append(channel.lifespan)
    template_id = settings.zns_templates.get(OTP_TEMPLATE)
    if template_id:
        channel.code_sender = ZnsCodeSender(lambda: channel.client, template_id)
        if isinstance(runner, Conversation):
            channel.conversation()  # registers the sender now
    return channel
