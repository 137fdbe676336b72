"""The Telegram channel: python-telegram-bot as transport, our conversation runner as the brain.

PTB receives updates (long polling, or our aiohttp webhook route), `convert.to_update` turns
each into a channel-neutral `Update`, the runner answers, and `render.plan_messages` turns the
replies into Bot API sends. No PTB persistence and no ConversationHandler: every bit of state
lives in our tables through the runner. In webhook mode an update is committed to the inbox
(bot/inbox.py) before Telegram gets its 200, de-duplicated by `update_id`, and the inbox worker
feeds it to PTB's handlers.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import telegram as tg
from aiohttp import web
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.clock import service_clock
from bot.config import ConfigError, Settings
from bot.conversation import TurnReceipt
from bot.inbox import InboxWorker
from bot.telegram.convert import to_update, well_formed
from bot.telegram.processor import PerChatUpdateProcessor
from bot.telegram.render import Outgoing, plan_messages
from bot.web.keys import ENGINE
from handlers import texts
from handlers.types import Reply, Update
from meters.event_inbox import EventTaken, StoredEvent

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
INBOX_CHANNEL = "telegram"
UPDATE_RETENTION = timedelta(days=3)  # how long a redelivered update_id is recognised

# The menu of the Telegram client, as (command, description); the core answers each command.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", texts.TELEGRAM_COMMAND_START),
    ("menu", texts.TELEGRAM_COMMAND_MENU),
    ("lienket", texts.TELEGRAM_COMMAND_LINK),
    ("huy_lien_ket", texts.TELEGRAM_COMMAND_UNLINK),
    ("xoa_du_lieu", texts.TELEGRAM_COMMAND_FORGET),
    ("nhanvien", texts.TELEGRAM_COMMAND_AGENT),
    ("bot", texts.TELEGRAM_COMMAND_BOT),
)

PTBApplication = Application[Any, Any, Any, Any, Any, Any]


@runtime_checkable
class Conversation(Protocol):
    """The conversation core as adapters see it (`bot.conversation.ConversationRunner`)."""

    async def handle(
        self, update: Update, *, receipt: TurnReceipt | None = None
    ) -> tuple[Reply, ...]:
        """The replies to one update (`receipt` runs in the turn's transaction)."""


ConversationSource = Conversation | Callable[[], Conversation]


def file_url_for(api_url: str) -> str | None:
    """The file download base next to a Bot API base (`…/bot` -> `…/file/bot`)."""
    if api_url.rstrip("/").endswith("/bot"):
        return api_url.rstrip("/").removesuffix("/bot") + "/file/bot"
    return None


class TelegramChannel:
    """One bot token: the PTB application, its handlers, the webhook route and the lifecycle."""

    def __init__(
        self,
        token: str,
        conversation: ConversationSource,
        *,
        api_url: str = "https://api.telegram.org/bot",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        max_retries: int = 2,
        poll_timeout: int = 10,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if webhook_url is not None and not (
            webhook_secret is not None and SECRET_SHAPE.fullmatch(webhook_secret)
        ):
            raise ConfigError(
                "DIENBOT_TELEGRAM_WEBHOOK_SECRET: required with DIENBOT_TELEGRAM_WEBHOOK_URL, "
                "1-256 characters from A-Z a-z 0-9 _ -"
            )
        self._source = conversation
        self._conversation: Conversation | None = None
        self.webhook_url = webhook_url
        self._secret = webhook_secret
        self._poll_timeout = poll_timeout
        self._clock = clock or (lambda: datetime.now(UTC))
        self.inbox: InboxWorker | None = None  # webhook mode, while the application runs
        self._receipts: dict[int, TurnReceipt] = {}  # update_id -> its turn's receipt
        self._taken: set[int] = set()  # update_ids another process turned out to hold
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(api_url)
            .rate_limiter(AIORateLimiter(max_retries=max_retries))
            .concurrent_updates(PerChatUpdateProcessor())
            .job_queue(None)
        )
        file_url = file_url_for(api_url)
        if file_url is not None:
            builder = builder.base_file_url(file_url)
        if webhook_url is not None:
            builder = builder.updater(None)
        self.application: PTBApplication = builder.build()
        self.application.add_handler(TypeHandler(tg.Update, self._on_update))
        self.application.add_error_handler(self._on_error)

    @classmethod
    def from_settings(
        cls, settings: Settings, conversation: ConversationSource
    ) -> TelegramChannel:
        """The channel configured by `DIENBOT_TELEGRAM_*`."""
        if settings.telegram_token is None:
            raise ConfigError("DIENBOT_TELEGRAM_TOKEN: not set")
        secret = settings.telegram_webhook_secret
        return cls(
            settings.telegram_token.get_secret_value(),
            conversation,
            api_url=settings.telegram_api_url,
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=secret.get_secret_value() if secret is not None else None,
            clock=service_clock(settings),
        )

    @property
    def webhook_mode(self) -> bool:
        """True when Telegram pushes updates to our webhook route instead of long polling."""
        return self.webhook_url is not None

    @property
    def bot(self) -> tg.Bot:
        """The PTB bot (requests go through the rate limiter)."""
        bot: tg.Bot = self.application.bot
        return bot

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Check the token (getMe), publish the menu, start processing and receiving updates."""
        if self._conversation is None:
            self._conversation = (
                self._source if isinstance(self._source, Conversation) else self._source()
            )
        await self.application.initialize()
        try:
            await self._publish_commands()
            await self.application.start()
            if self.webhook_url is not None:
                await self.bot.set_webhook(
                    self.webhook_url, secret_token=self._secret, allowed_updates=ALLOWED_UPDATES
                )
                logger.info("Telegram: webhook mode, updates pushed to %s", WEBHOOK_PATH)
            else:
                updater = self.application.updater
                assert updater is not None  # built with an updater in polling mode
                await updater.start_polling(
                    timeout=self._poll_timeout, allowed_updates=ALLOWED_UPDATES
                )
                logger.info("Telegram: long polling as @%s", self.bot.username)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop receiving, finish the updates in hand, release the HTTP clients."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def lifespan(self, app: web.Application) -> AsyncIterator[None]:
        """The aiohttp cleanup context of the channel (webhook mode: and of its inbox)."""
        await self.start()
        try:
            if self.webhook_mode:
                self.inbox = InboxWorker(
                    app[ENGINE], INBOX_CHANNEL, self, self._clock, retention=UPDATE_RETENTION
                )
                await self.inbox.start()
            yield
        finally:
            if self.inbox is not None:
                await self.inbox.stop()
                self.inbox = None
            await self.stop()

    async def _publish_commands(self) -> None:
        try:
            await self.bot.set_my_commands(list(COMMANDS))
        except tg.error.TelegramError:
            logger.exception("Telegram: could not publish the command menu")

    # ------------------------------------------------------------------ webhook

    async def webhook(self, request: web.Request) -> web.Response:
        """POST /telegram/webhook: check the secret, store the update, then answer 200."""
        given = request.headers.get(SECRET_HEADER)
        if (
            self._secret is None
            or given is None
            or not hmac.compare_digest(given.encode(), self._secret.encode())
        ):
            logger.warning("Telegram webhook: request with a missing or wrong secret token")
            raise web.HTTPForbidden(text="wrong secret token")
        if not self.application.running or self.inbox is None:
            raise web.HTTPServiceUnavailable(text="the Telegram channel is not running")
        try:
            payload = await request.json()
            update = tg.Update.de_json(payload, self.bot) if isinstance(payload, dict) else None
        except Exception:  # any malformed body: PTB's parsers raise all sorts of errors
            update = None
        if update is None or not well_formed(update):
            logger.warning("Telegram webhook: a body that is not an update was refused")
            raise web.HTTPBadRequest(text="not a Telegram update")
        try:
            await self.inbox.accept(str(update.update_id), _chat_key(update), payload)
        except Exception:  # the store is unreachable: not acknowledged, Telegram retries
            logger.exception("Telegram webhook: update %s could not be stored", update.update_id)
            raise web.HTTPServiceUnavailable(text="try again later") from None
        return web.Response(text="ok")

    async def answer(self, stored: StoredEvent, receipt: TurnReceipt) -> bool:
        """Feed a stored update to PTB's handlers; its turn records its replies through
        `receipt` (the inbox's `Answerer`). False when another process holds it now."""
        update = tg.Update.de_json(stored.payload, self.bot)
        self._receipts[update.update_id] = receipt
        try:
            await self.application.process_update(update)
        finally:
            self._receipts.pop(update.update_id, None)
        if update.update_id in self._taken:
            self._taken.discard(update.update_id)
            return False
        return True

    async def resend(self, stored: StoredEvent, replies: tuple[Reply, ...]) -> None:
        """Send the replies of a turn whose process died before sending them."""
        update = tg.Update.de_json(stored.payload, self.bot)
        ours = to_update(update, self.bot.username, stored.received_at)
        chat = update.effective_chat
        if ours is not None and chat is not None:
            await self.send(chat.id, *self._plan(update, ours, replies))

    # ------------------------------------------------------------------ updates and replies

    async def _on_update(self, update: tg.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.my_chat_member is not None:
            member = update.my_chat_member.new_chat_member
            logger.info(
                "Telegram: chat %s changed the bot's status to %s",
                update.my_chat_member.chat.id,
                member.status,
            )
            return
        if update.callback_query is not None:
            await self._answer_press(update.callback_query)
        ours = to_update(update, self.bot.username, self._clock())
        chat = update.effective_chat
        if ours is None or chat is None:
            return
        assert self._conversation is not None  # set by start()
        receipt = self._receipts.get(update.update_id)
        replies = await self._conversation.handle(ours, receipt=receipt)
        await self.send(chat.id, *self._plan(update, ours, replies))

    @staticmethod
    def _plan(
        update: tg.Update, ours: Update, replies: Sequence[Reply]
    ) -> tuple[list[Outgoing], int | None]:
        """The sends of the replies to an update, and the forum topic they go to."""
        message = update.effective_message
        thread = message.message_thread_id if message and message.is_topic_message else None
        shared = ours.contact is not None or ours.location is not None
        return plan_messages(replies, remove_keyboard=shared), thread

    async def send_replies(
        self, chat_id: int, replies: Sequence[Reply], thread_id: int | None = None
    ) -> bool:
        """Send replies to a chat outside an update (agents, notices); False if refused (403)."""
        return await self.send(chat_id, plan_messages(replies), thread_id)

    async def send(
        self, chat_id: int, sends: Sequence[Outgoing], thread_id: int | None = None
    ) -> bool:
        """Make the sends in order; False when the chat refuses the bot (blocked, deleted)."""
        for outgoing in sends:
            try:
                if outgoing.photo is not None:
                    await self.bot.send_photo(
                        chat_id,
                        outgoing.photo,
                        caption=outgoing.text or None,
                        reply_markup=outgoing.markup,
                        message_thread_id=thread_id,
                    )
                else:
                    await self.bot.send_message(
                        chat_id,
                        outgoing.text,
                        reply_markup=outgoing.markup,
                        message_thread_id=thread_id,
                    )
            except tg.error.Forbidden as error:
                logger.info("Telegram: chat %s refuses messages (%s)", chat_id, error.message)
                return False
        return True

    async def _answer_press(self, query: tg.CallbackQuery) -> None:
        """Stop the client's spinner; a late answer ("query is too old") is harmless."""
        try:
            await query.answer()
        except tg.error.BadRequest as error:
            logger.info("Telegram: button press %s not answered (%s)", query.id, error.message)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The one error boundary: log it, and apologise in the chat when there is one."""
        error = context.error
        if isinstance(error, EventTaken) and isinstance(update, tg.Update):
            self._taken.add(update.update_id)  # another process answers it: no apology here
            return
        if isinstance(error, tg.error.Forbidden):
            logger.info("Telegram: the chat refuses messages (%s)", error.message)
            return
        update_id = update.update_id if isinstance(update, tg.Update) else None
        logger.exception("Telegram: update %s failed", update_id, exc_info=error)
        chat = update.effective_chat if isinstance(update, tg.Update) else None
        if chat is None:
            return
        try:
            await self.bot.send_message(chat.id, texts.SORRY)
        except tg.error.TelegramError:
            logger.warning("Telegram: could not apologise in chat %s", chat.id, exc_info=True)


def _chat_key(update: tg.Update) -> str:
    """The chat whose updates keep their order (the sender when there is no chat)."""
    if update.effective_chat is not None:
        return str(update.effective_chat.id)
    if update.effective_user is not None:
        return f"user:{update.effective_user.id}"
    return f"update:{update.update_id}"


def install_telegram(
    app: web.Application, settings: Settings, conversation: ConversationSource
) -> TelegramChannel:
    """Add the Telegram channel to the service: its lifecycle and, in webhook mode, its route."""
    channel = TelegramChannel.from_settings(settings, conversation)
    if channel.webhook_mode:
        app.router.add_post(WEBHOOK_PATH, channel.webhook)
    app.cleanup_ctx.append(channel.lifespan)
    return channel
