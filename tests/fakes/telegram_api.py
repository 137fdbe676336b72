"""A local stand-in of the Telegram Bot API (aiohttp), for end-to-end tests without internet.

The real python-telegram-bot client talks HTTP to it through
`ApplicationBuilder().base_url(fake.base_url).base_file_url(fake.base_file_url)`. Tests drive the
simulated people with Python methods on the same event loop (`add_user`, `user_message`,
`press_button`, `block`) and wait for what the bot sent with `wait_bot_messages` — no sleeps.

Wire contract as in docs/telegram.md and platforms.md §3.2: routes `/bot{token}/{method}` and
`/file/bot{token}/{path}`; JSON, form-urlencoded, multipart and query-string parameters; success
`{"ok": true, "result": ...}`; errors with HTTP status = `error_code`, Telegram's descriptions,
and `parameters.retry_after` on 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from tests.fakes.telegram_state import (
    BLOCKED,
    BUTTON_DATA_INVALID,
    CALLBACK_DATA_LIMIT,
    CANT_INITIATE,
    CAPTION_LIMIT,
    CAPTION_TOO_LONG,
    CHAT_NOT_FOUND,
    MESSAGE_TO_EDIT_NOT_FOUND,
    NOT_ENOUGH_RIGHTS,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    SENDING_METHODS,
    TEXT_EMPTY,
    TEXT_LIMIT,
    THREAD_NOT_FOUND,
    TOO_LONG,
    WEBHOOK_CONFLICT,
    ApiError,
    Call,
    Chat,
    JsonObject,
    Topic,
    utf16_length,
)
from tests.fakes.telegram_world import DEFAULT_TOKEN, TelegramWorld

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "commands",
        "scope",
        "media",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "icon_color",
        "max_connections",
    }
)
BOOL_FIELDS = frozenset(
    {
        "drop_pending_updates",
        "show_alert",
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "allow_paid_broadcast",
    }
)

# What a message may carry as a file; copyMessage and forwardMessage carry it over.
FILE_KEYS = ("photo", "document", "voice", "audio", "video", "video_note", "sticker", "animation")

Method = Callable[[JsonObject, dict[str, bytes]], Awaitable[Any]]


class FakeTelegram(TelegramWorld):
    """The Bot API of one bot, with simulated people and groups behind it."""

    def __init__(
        self, token: str = DEFAULT_TOKEN, *, clock: Callable[[], datetime], **options: Any
    ) -> None:
        super().__init__(token, clock=clock, **options)
        self._pusher: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Method] = {
            name.lower(): getattr(self, f"_m_{name}")
            for name in [
                "getMe",
                "getUpdates",
                "setWebhook",
                "deleteWebhook",
                "getWebhookInfo",
                "sendMessage",
                "sendPhoto",
                "answerCallbackQuery",
                "editMessageText",
                "editMessageReplyMarkup",
                "deleteMessage",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
                "sendChatAction",
                "getChat",
                "getFile",
                "copyMessage",
                "forwardMessage",
                "createForumTopic",
                "editForumTopic",
                "closeForumTopic",
                "reopenForumTopic",
                "deleteForumTopic",
            ]
        }

    # ------------------------------------------------------------------ server lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `host:port` (0: any free port); `self.url` is then the server's root."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        bound = sockets[0].getsockname()
        self.url = f"http://{host}:{bound[1]}"

    async def stop(self) -> None:
        """Wake every long poll, stop the webhook pusher and the server."""
        self._closing = True
        self._bump()
        await self._stop_pusher()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """What `ApplicationBuilder.base_url` takes (the token is appended by PTB)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What `ApplicationBuilder.base_file_url` takes."""
        return f"{self.url}/file/bot"

    # ------------------------------------------------------------------ HTTP

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        name = request.match_info["method"]
        method = self._methods.get(name.lower())
        if method is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        params, files = await _parameters(request)
        call = Call(len(self.calls) + 1, time.monotonic(), name, params)
        self.calls.append(call)
        try:
            self._inject_fault(name, params)
            if self.limits is not None and name in SENDING_METHODS:
                chat_id = params.get("chat_id")
                if isinstance(chat_id, int):
                    self.limits.check(name, chat_id)
            result = await method(params, files)
        except ApiError as error:
            call.status, call.response = error.code, error.body()
            self._bump()
            return web.json_response(error.body(), status=error.code)
        call.response = result
        self._bump()
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized
        for path, content in self.files.values():
            if path == request.match_info["path"]:
                return web.Response(body=content)
        raise web.HTTPNotFound

    def _inject_fault(self, method: str, params: JsonObject) -> None:
        for fault in self.faults:
            if fault.matches(method, params):
                fault.times -= 1
                raise ApiError(fault.code, fault.description, fault.retry_after)

    # ------------------------------------------------------------------ Bot API: updates

    async def _m_getMe(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        return self.bot

    async def _m_getUpdates(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"] or [])
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = min(float(params.get("timeout", 0)), self.long_poll_cap)
        with contextlib.suppress(AssertionError):
            await self.wait_until(lambda: self._closing or bool(self._pending()), timeout)
        return self._pending()[:limit]

    def _pending(self) -> list[JsonObject]:
        allowed = self.allowed_updates
        return [u for u in self.updates if not allowed or any(k in u for k in allowed)]

    async def _m_setWebhook(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        url = params.get("url", "")
        if not url:
            return await self._m_deleteWebhook(params, files)
        if params.get("drop_pending_updates"):
            self.updates.clear()
        await self._stop_pusher()
        self.webhook = {
            "url": url,
            "secret_token": params.get("secret_token"),
            "allowed_updates": params.get("allowed_updates") or [],
            "max_connections": params.get("max_connections", 40),
            "last_error_date": None,
            "last_error_message": None,
        }
        self._pusher = asyncio.create_task(self._push(self.webhook))
        return True

    async def _m_deleteWebhook(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        await self._stop_pusher()
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def _m_getWebhookInfo(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        if self.webhook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self.updates),
            }
        info: JsonObject = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
            "max_connections": self.webhook["max_connections"],
        }
        if self.webhook["allowed_updates"]:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        if self.webhook["last_error_date"] is not None:
            info["last_error_date"] = self.webhook["last_error_date"]
            info["last_error_message"] = self.webhook["last_error_message"]
        return info

    async def _push(self, webhook: JsonObject) -> None:
        """POST each pending update to the webhook, in order; drop it after a few failures."""
        headers = {"Content-Type": "application/json"}
        if webhook["secret_token"]:
            headers[SECRET_HEADER] = webhook["secret_token"]
        allowed = webhook["allowed_updates"]
        async with ClientSession(timeout=ClientTimeout(total=10)) as session:
            while True:
                await self._changed_after(lambda: bool(self.updates))
                update = self.updates[0]
                if allowed and not any(kind in update for kind in allowed):
                    self.updates.pop(0)
                    continue
                outcome: int | str
                for attempt in range(1, self.webhook_attempts + 1):
                    try:
                        async with session.post(
                            webhook["url"], data=json.dumps(update), headers=headers
                        ) as response:
                            outcome = response.status
                    except (ClientError, TimeoutError) as error:
                        outcome = f"{type(error).__name__}: {error}"
                    self.webhook_deliveries.append((update["update_id"], outcome))
                    if isinstance(outcome, int) and 200 <= outcome < 300:
                        break
                    webhook["last_error_date"] = self.unix_time()
                    webhook["last_error_message"] = (
                        f"Wrong response from the webhook: {outcome}"
                        if isinstance(outcome, int)
                        else f"Connection failed: {outcome}"
                    )
                    if attempt < self.webhook_attempts:
                        await asyncio.sleep(0.05 * attempt)  # Telegram backs off between tries
                if self.updates and self.updates[0] is update:
                    self.updates.pop(0)
                self._bump()

    async def _changed_after(self, condition: Callable[[], bool]) -> None:
        while not condition():
            await self._changed.wait()

    async def _stop_pusher(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
            self._pusher = None

    # ------------------------------------------------------------------ Bot API: messages

    async def _m_sendMessage(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        chat = self._target(params)
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, TEXT_EMPTY)
        if utf16_length(text) > TEXT_LIMIT:
            raise ApiError(400, TOO_LONG)
        markup = _checked_markup(params.get("reply_markup"))
        message = self._new_message(chat, self.bot, params.get("message_thread_id"))
        message["text"] = text
        return self._bot_sent(chat, message, markup)

    async def _m_sendPhoto(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        chat = self._target(params)
        caption = str(params.get("caption", ""))
        if utf16_length(caption) > CAPTION_LIMIT:
            raise ApiError(400, CAPTION_TOO_LONG)
        markup = _checked_markup(params.get("reply_markup"))
        photo = params.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            photo = files.get(photo.removeprefix("attach://"))
        elif "photo" in files:
            photo = files["photo"]
        if isinstance(photo, bytes):
            number = next(self._file_ids)
            file_id = f"photo-{number}"
            self.files[file_id] = (f"photos/file_{number}.png", photo)
            width, height = _png_size(photo)
            size = len(photo)
        elif isinstance(photo, str) and photo in self.files:
            file_id, (width, height), size = photo, _png_size(self.files[photo][1]), 0
        elif isinstance(photo, str) and photo.startswith("https://"):  # Telegram fetches it
            file_id, width, height, size = f"url-photo-{next(self._file_ids)}", 0, 0, 0
        else:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        message = self._new_message(chat, self.bot, params.get("message_thread_id"))
        message["photo"] = [
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "width": width,
                "height": height,
                "file_size": size,
            }
        ]
        if caption:
            message["caption"] = caption
        return self._bot_sent(chat, message, markup)

    async def _m_answerCallbackQuery(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.callback_answers or self.callback_answers[query_id] is not None:
            raise ApiError(400, QUERY_TOO_OLD)
        self.callback_answers[query_id] = {
            "text": params.get("text"),
            "show_alert": bool(params.get("show_alert", False)),
        }
        return True

    async def _m_editMessageText(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        message = self._bot_message(params)
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, TEXT_EMPTY)
        if utf16_length(text) > TEXT_LIMIT:
            raise ApiError(400, TOO_LONG)
        markup = _checked_markup(params.get("reply_markup"))
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = text
        return self._edited(message, markup)

    async def _m_editMessageReplyMarkup(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        message = self._bot_message(params)
        markup = _checked_markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._edited(message, markup)

    async def _m_deleteMessage(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        chat = self._chat(params)
        kept = [
            m
            for m in self.messages.get(chat.id, [])
            if m["message_id"] != params.get("message_id")
        ]
        if len(kept) == len(self.messages.get(chat.id, [])):
            raise ApiError(400, "Bad Request: message to delete not found")
        self.messages[chat.id] = kept
        return True

    async def _m_copyMessage(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        original = self._find(int(params.get("from_chat_id", 0)), params.get("message_id"))
        chat = self._target(params)
        message = self._new_message(chat, self.bot, params.get("message_thread_id"))
        for key in ("text", "caption", *FILE_KEYS, "contact", "location"):
            if key in original:
                message[key] = original[key]
        if "caption" in params and "text" not in original:  # a new caption replaces the old
            message["caption"] = params["caption"]
        if params.get("protect_content"):
            message["has_protected_content"] = True
        self._bot_sent(chat, message, _checked_markup(params.get("reply_markup")))
        return {"message_id": message["message_id"]}

    async def _m_forwardMessage(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        original = self._find(int(params.get("from_chat_id", 0)), params.get("message_id"))
        chat = self._target(params)
        message = self._new_message(chat, self.bot, params.get("message_thread_id"))
        message["forward_origin"] = {
            "type": "user",
            "date": original["date"],
            "sender_user": original["from"],
        }
        for key in ("text", "caption", *FILE_KEYS, "contact", "location"):
            if key in original:
                message[key] = original[key]
        return self._bot_sent(chat, message, None)

    async def _m_sendChatAction(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        chat = self._target(params)
        self.chat_actions.append((chat.id, str(params.get("action"))))
        return True

    async def _m_getChat(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        chat = self._chat(params).as_chat()
        chat["accent_color_id"] = 0
        chat["max_reaction_count"] = 11
        return chat

    async def _m_getFile(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(content),
            "file_path": path,
        }

    # ------------------------------------------------------------------ Bot API: commands

    async def _m_setMyCommands(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        commands = params.get("commands") or []
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            if not (
                1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_" for c in name)
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        self.commands[_scope(params)] = list(commands)
        return True

    async def _m_getMyCommands(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        return self.commands.get(_scope(params), [])

    async def _m_deleteMyCommands(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        self.commands.pop(_scope(params), None)
        return True

    # ------------------------------------------------------------------ Bot API: forum topics

    async def _m_createForumTopic(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        chat = self._forum(params)
        name = str(params.get("name", ""))
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: TOPIC_TITLE_EMPTY")
        message = self._new_message(chat, self.bot, None)
        thread_id = message["message_id"]
        topic = Topic(chat.id, thread_id, name, int(params.get("icon_color", 7322096)))
        self.topics[(chat.id, thread_id)] = topic
        message.update(
            message_thread_id=thread_id,
            is_topic_message=True,
            forum_topic_created={"name": name, "icon_color": topic.icon_color},
        )
        self._store(chat.id, message)
        return {"message_thread_id": thread_id, "name": name, "icon_color": topic.icon_color}

    async def _m_editForumTopic(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        topic = self._topic(params)
        if "name" in params:
            topic.name = str(params["name"])
        return True

    async def _m_closeForumTopic(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        topic = self._topic(params)
        if topic.closed:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic.closed = True
        return True

    async def _m_reopenForumTopic(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        topic = self._topic(params)
        if not topic.closed:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic.closed = False
        return True

    async def _m_deleteForumTopic(self, params: JsonObject, files: dict[str, bytes]) -> Any:
        topic = self._topic(params)
        del self.topics[(topic.chat_id, topic.thread_id)]
        return True

    def _chat(self, params: JsonObject) -> Chat:
        chat_id = params.get("chat_id")
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, CHAT_NOT_FOUND)
        return chat

    def _target(self, params: JsonObject) -> Chat:
        """The chat a message goes to, refusing people who blocked or never started the bot."""
        chat = self._chat(params)
        person = self.people.get(chat.id) if chat.type == "private" else None
        if person is not None and person.blocked:
            raise ApiError(403, BLOCKED)
        if person is not None and not person.started:
            raise ApiError(403, CANT_INITIATE)
        return chat

    def _find(self, chat_id: int, message_id: Any) -> JsonObject:
        for message in self.messages.get(chat_id, []):
            if message["message_id"] == message_id:
                return message
        raise ApiError(400, "Bad Request: message to copy not found")

    def _bot_message(self, params: JsonObject) -> JsonObject:
        chat = self._chat(params)
        for message in self.messages.get(chat.id, []):
            if message["message_id"] == params.get("message_id") and message["from"] is self.bot:
                return message
        raise ApiError(400, MESSAGE_TO_EDIT_NOT_FOUND)

    def _forum(self, params: JsonObject) -> Chat:
        chat = self._chat(params)
        if not chat.is_forum:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        if not (chat.bot_is_admin and chat.can_manage_topics):
            raise ApiError(400, NOT_ENOUGH_RIGHTS)
        return chat

    def _topic(self, params: JsonObject) -> Topic:
        chat = self._forum(params)
        topic = self.topics.get((chat.id, params.get("message_thread_id", -1)))
        if topic is None:
            raise ApiError(400, THREAD_NOT_FOUND)
        return topic


async def _parameters(request: web.Request) -> tuple[JsonObject, dict[str, bytes]]:
    """Parameters from the query string and a JSON, form or multipart body; uploaded files."""
    params: JsonObject = {}
    files: dict[str, bytes] = {}
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str | bytes):
                    raw[key] = value if isinstance(value, str) else value.decode()
                else:
                    files[key] = value.file.read()
    for key, value in raw.items():
        params[key] = _cast(key, value)
    return params, files


def _cast(key: str, value: str) -> Any:
    """A form value as its JSON type (PTB sends non-string values json-encoded)."""
    if key in JSON_FIELDS:
        return json.loads(value)
    if key in INT_FIELDS and value.lstrip("-").isdigit():
        return int(value)
    if key in BOOL_FIELDS:
        return value.lower() == "true"
    return value


def _checked_markup(markup: Any) -> JsonObject | None:
    """Validate a reply_markup the way Telegram does (callback data 1-64 bytes)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if not 1 <= size <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, BUTTON_DATA_INVALID)
    for row in markup.get("keyboard", []):
        for button in row:
            text = button if isinstance(button, str) else button.get("text")
            if not text:
                raise ApiError(400, "Bad Request: keyboard button text is empty")
    return markup


def _scope(params: JsonObject) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{scope.get('type')}:{params.get('language_code', '')}"


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG header (1x1 for anything else)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 1, 1
