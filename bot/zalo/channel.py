"""The Zalo Official Account channel: webhook events in, OA consultation messages out.

`install_zalo` adds the webhook route and a cleanup context that owns the channel's
resources: the one `ClientSession`, the token keeper, and the inbox worker (bot/inbox.py) that
answers each event after the webhook has stored it and answered 200.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from aiohttp import web
from sqlalchemy import Engine

from bot.clock import service_clock
from bot.config import Settings
from bot.conversation import TurnReceipt
from bot.inbox import InboxWorker
from bot.web.keys import ENGINE
from bot.zalo.api import OaClient, ZaloHosts, ZaloHttp
from bot.zalo.errors import ErrorKind, ZaloError, log_failure
from bot.zalo.events import ZaloEvent, translate_event
from bot.zalo.messages import ImageMessage, TextMessage, image_message, render_reply
from bot.zalo.tokens import TokenKeeper
from bot.zalo.webhook import ZALO, receive_event
from bot.zalo.zns import OTP_TEMPLATE, OTP_WARNING_TEMPLATE, ZnsCodeSender
from handlers import texts
from handlers.types import Channel, Reply, Update
from meters.event_inbox import EventTaken, StoredEvent

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/zalo/webhook"
CHANNEL = "zalo"
EVENT_RETENTION = timedelta(days=3)  # Zalo stops retrying after about 2 hours


@runtime_checkable
class Conversation(Protocol):
    """The conversation core as this channel uses it (`bot.conversation.ConversationRunner`)."""

    async def handle(
        self, update: Update, *, receipt: TurnReceipt | None = None
    ) -> tuple[Reply, ...]:
        """The replies to one update (`receipt` runs in the turn's transaction)."""


ConversationSource = Conversation | Callable[[], Conversation]


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
        self.event_window = timedelta(minutes=settings.zalo_event_window_minutes)
        # A replay is refused by its timestamp once it is out of the window; until then it is
        # known by its msg_id (an event accepted at t may carry a timestamp up to t + window).
        self.event_retention = max(EVENT_RETENTION, 2 * self.event_window + timedelta(hours=1))
        self._inbox: InboxWorker | None = None

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

    @property
    def inbox(self) -> InboxWorker:
        """The worker that stores and answers the webhook's events (while the app runs)."""
        if self._inbox is None:
            raise RuntimeError("the Zalo channel is not running")
        return self._inbox

    async def start(self, engine: Engine) -> None:
        """Open the HTTP session and the token keeper on `engine`, then answer the events an
        earlier process left in the inbox."""
        await self.http.open()
        self._tokens = TokenKeeper(
            engine, self._refresh_seed, self.http.exchange, clock=self._clock
        )
        self._client = OaClient(self.http, self._tokens)
        self._inbox = InboxWorker(
            engine, CHANNEL, self, self._clock, retention=self.event_retention
        )
        await self._inbox.start()

    async def stop(self) -> None:
        """Finish or give back the events in hand, then close the session."""
        if self._inbox is not None:
            await self._inbox.stop()
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
        if self._inbox is not None:
            await self._inbox.drain()

    # -- events ----------------------------------------------------------------------------

    def timely(self, timestamp: str) -> bool:
        """Whether an event's `timestamp` (epoch ms) is within the window around now."""
        try:
            moment = datetime.fromtimestamp(int(timestamp) / 1000, UTC)
        except (ValueError, OverflowError, OSError):
            return False
        return abs(moment - self.now()) <= self.event_window

    async def accept(self, event: ZaloEvent, body: dict[str, Any]) -> None:
        """Store the event (a redelivery of a stored one is dropped) to be answered in the
        background; returns once it is committed, raises when the store could not take it."""
        await self.inbox.accept(event.event_id, event.update.user.external_id, body)

    async def answer(self, stored: StoredEvent, receipt: TurnReceipt) -> bool:
        """Run a stored event's turn and send its replies (the inbox's `Answerer`)."""
        event = translate_event(stored.payload, stored.received_at)
        if event is None:
            return True
        try:
            replies = await self.conversation().handle(event.update, receipt=receipt)
        except EventTaken:
            return False
        except Exception:  # the channel's error boundary: log, apologise, carry on
            logger.exception("Zalo event %s could not be handled", event.event_id)
            replies = (Reply(texts.SORRY),)
        await self.send_replies(event.update.user.external_id, replies)
        return True

    async def resend(self, stored: StoredEvent, replies: tuple[Reply, ...]) -> None:
        """Send the replies of a turn whose process died before sending them."""
        event = translate_event(stored.payload, stored.received_at)
        if event is not None:
            await self.send_replies(event.update.user.external_id, replies)

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
        warning_id = settings.zns_templates.get(OTP_WARNING_TEMPLATE)
        channel.code_sender = ZnsCodeSender(lambda: channel.client, template_id, warning_id)
        if isinstance(runner, Conversation):
            channel.conversation()  # registers the sender now
    return channel
