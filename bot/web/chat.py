"""The web chat: the page at `/` and its JSON API at `/chat/api/messages`.

A visitor is anonymous: a random id in a signed, HttpOnly, SameSite=Strict cookie, given by the
page. The API only answers same-origin JSON requests that carry the `X-Dienbot-Chat` header
(a cross-site form cannot set it, and a cross-site script would need a CORS preflight that is
never granted), limits the body, the text and the pace of each visitor, and hands every message
to the conversation core as a `Channel.WEB` update.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import Engine

from bot.clock import service_clock
from bot.web.client import client_address, is_https
from bot.web.keys import ENGINE, RUNNER, SETTINGS
from bot.web.ratelimit import RateLimiter
from bot.web.visitor import COOKIE_MAX_AGE, COOKIE_NAME, VisitorCookies, stored_secret
from handlers import texts
from handlers.cases import reply_of_payload
from handlers.types import (
    CALLBACK_DATA_LIMIT,
    ButtonKind,
    Channel,
    Location,
    Reply,
    Update,
    UserRef,
)
from meters.chat_store import SqlChatStore
from meters.database import write_transaction
from meters.inbox_store import has_due, take_inbox

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
PAGE_TEMPLATE = HERE / "templates" / "chat.html"

API_PATH = "/chat/api/messages"
INBOX_PATH = "/chat/api/inbox"  # messages queued for the visitor (agent replies, surveys)
CSRF_HEADER = "X-Dienbot-Chat"
MAX_BODY_BYTES = 8192  # 1 000 characters as \uXXXX escapes, with room to spare
MAX_TEXT_CHARS = 1000
MESSAGES_PER_MINUTE = 20
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_SIZE_END = 24  # the signature, the IHDR chunk's length and type, then width and height

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

# Texts the page's script shows by itself (the replies come from the conversation core).
SCRIPT_TEXTS = {
    "you": texts.WEB_YOU,
    "bot": texts.WEB_BOT,
    "sending": texts.WEB_SENDING,
    "locationSent": texts.WEB_LOCATION_SENT,
    "locationUnavailable": texts.WEB_LOCATION_UNAVAILABLE,
    "networkError": texts.WEB_NETWORK_ERROR,
    "buttons": texts.WEB_BUTTONS_LABEL,
}


@dataclass
class WebChat:
    """The web chat's own state: cookie signing, the pace limit and the rendered page."""

    cookies: VisitorCookies
    limiter: RateLimiter
    page: str
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


WEB_CHAT = web.AppKey("web_chat", WebChat)


class Refused(ValueError):
    """A request the API does not answer: its status, why (for developers), a reply to show."""

    def __init__(self, status: int, problem: str, reply: str = texts.WEB_BAD_REQUEST) -> None:
        super().__init__(problem)
        self.status = status
        self.reply = reply


class BadMessage(Refused):
    """The body is not a message the API accepts (400)."""

    def __init__(self, problem: str, reply: str = texts.WEB_BAD_REQUEST) -> None:
        super().__init__(400, problem, reply)


def add_web_chat(app: web.Application, *, limiter: RateLimiter | None = None) -> None:
    """Serve the chat at `/` (after the store and the runner are set up at start-up)."""

    async def setup(app: web.Application) -> AsyncIterator[None]:
        secret = await asyncio.to_thread(stored_secret, app[ENGINE])
        app[WEB_CHAT] = WebChat(
            cookies=VisitorCookies(secret),
            limiter=limiter or RateLimiter(MESSAGES_PER_MINUTE, 60.0),
            page=render_page(dev_mode=app[SETTINGS].sms_url is None),
            now=service_clock(app[SETTINGS]),
        )
        yield

    app.cleanup_ctx.append(setup)
    app.router.add_get("/", chat_page)
    app.router.add_post(API_PATH, post_message)
    app.router.add_get(INBOX_PATH, get_inbox)
    app.router.add_static("/chat/static/", STATIC_DIR)


def render_page(*, dev_mode: bool) -> str:
    """The chat page with its texts filled in (HTML-escaped)."""
    notice = f'<p class="dev-notice" role="note">{escape(texts.WEB_DEV_NOTICE)}</p>'
    values = {
        "title": texts.WEB_TITLE,
        "heading": texts.WEB_HEADING,
        "subheading": texts.WEB_SUBHEADING,
        "log_label": texts.WEB_LOG_LABEL,
        "input_label": texts.WEB_INPUT_LABEL,
        "placeholder": texts.WEB_INPUT_PLACEHOLDER,
        "send": texts.WEB_SEND,
        "no_script": texts.WEB_NO_SCRIPT,
        "max_text": str(MAX_TEXT_CHARS),
        "api_path": API_PATH,
        "inbox_path": INBOX_PATH,
    }
    escaped = {key: escape(value) for key, value in values.items()}
    # `<` is escaped inside the JSON so that no text can close the <script> data block.
    script_texts = json.dumps(SCRIPT_TEXTS, ensure_ascii=False).replace("<", "\\u003c")
    template = Template(PAGE_TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(
        escaped, dev_notice=notice if dev_mode else "", script_texts=script_texts
    )


async def chat_page(request: web.Request) -> web.Response:
    """The page; a visitor without a valid cookie gets a new anonymous id."""
    chat = request.app[WEB_CHAT]
    response = web.Response(text=chat.page, content_type="text/html", charset="utf-8")
    response.headers.update(SECURITY_HEADERS)
    if chat.cookies.visitor_of(request.cookies.get(COOKIE_NAME)) is None:
        _, value = chat.cookies.new_visitor()
        response.set_cookie(
            COOKIE_NAME,
            value,
            max_age=COOKIE_MAX_AGE,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=is_https(request),
        )
    return response


async def post_message(request: web.Request) -> web.Response:
    """One message of the visitor in, the bot's replies out."""
    try:
        update = await _checked_update(request)
    except Refused as refusal:
        return _error(refusal.status, str(refusal), refusal.reply)
    try:
        replies = await request.app[RUNNER].handle(update)
    except Exception:
        logger.exception("the web chat could not answer a message")
        return _error(500, "the conversation core failed", texts.SORRY)
    response = web.json_response({"replies": [reply_json(reply) for reply in replies]})
    response.headers["Cache-Control"] = "no-store"
    return response


async def get_inbox(request: web.Request) -> web.Response:
    """What was queued for the visitor since the last look (an agent's reply, a survey)."""
    chat = request.app[WEB_CHAT]
    if request.headers.get(CSRF_HEADER) != "1":
        return _error(403, f"the {CSRF_HEADER}: 1 header is required", texts.WEB_BAD_REQUEST)
    visitor = chat.cookies.visitor_of(request.cookies.get(COOKIE_NAME))
    if visitor is None:
        return _error(401, "no valid visitor cookie", texts.WEB_SESSION_MISSING)
    payloads = await asyncio.to_thread(_take_inbox, request.app[ENGINE], visitor, chat.now())
    replies = [reply_json(reply_of_payload(payload)) for payload in payloads]
    return web.json_response({"replies": replies}, headers={"Cache-Control": "no-store"})


def _take_inbox(engine: Engine, visitor: str, now: datetime) -> tuple[dict[str, Any], ...]:
    with engine.connect() as connection:  # a read: most polls find nothing, and write nothing
        chat_user_id = SqlChatStore(connection).chat_user_id(Channel.WEB.value, visitor)
        if chat_user_id is None or not has_due(connection, chat_user_id, Channel.WEB.value, now):
            return ()
    with write_transaction(engine) as connection:
        return take_inbox(connection, chat_user_id, Channel.WEB.value, now)


async def _checked_update(request: web.Request) -> Update:
    """The update of a same-origin request of a known visitor within its pace, else Refused."""
    chat = request.app[WEB_CHAT]
    if request.headers.get(CSRF_HEADER) != "1":
        raise Refused(403, f"the {CSRF_HEADER}: 1 header is required")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise Refused(403, "cross-origin requests are refused")
    if request.content_type != "application/json":
        raise Refused(415, "the body must be application/json")
    visitor = chat.cookies.visitor_of(request.cookies.get(COOKIE_NAME))
    if visitor is None:
        raise Refused(
            401, "no valid visitor cookie: load the chat page first", texts.WEB_SESSION_MISSING
        )
    if not chat.limiter.allow(visitor):
        raise Refused(
            429, f"at most {MESSAGES_PER_MINUTE} messages a minute", texts.WEB_RATE_LIMITED
        )
    body = await _read_limited(request)
    return update_of(_json_of(body), visitor, chat.now(), client_address(request))


async def _read_limited(request: web.Request) -> bytes:
    """The body; Refused (413) as soon as it exceeds MAX_BODY_BYTES (it is not read further)."""
    too_large = Refused(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(MAX_BODY_BYTES + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
    return b"".join(chunks)


def _json_of(body: bytes) -> dict[str, Any]:
    try:
        message = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadMessage("the body is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise BadMessage(
            f"the body is not valid JSON ({error.msg} at character {error.pos})"
        ) from None
    except RecursionError:
        raise BadMessage("the body nests too deeply") from None
    except ValueError:  # an integer of more digits than Python converts (sys.int_info)
        raise BadMessage("the body holds a number too long to read") from None
    if not isinstance(message, dict):
        raise BadMessage('the body must be a JSON object such as {"text": "..."}')
    return message


def update_of(
    message: dict[str, Any], visitor: str, now: datetime, client: str | None = None
) -> Update:
    """The update of one API message: exactly one of `text`, `callback_data`, `location`;
    `client` is the request's client address."""
    given = [key for key in ("text", "callback_data", "location") if key in message]
    unknown = sorted(set(message) - {"text", "callback_data", "location"})
    if unknown:
        raise BadMessage(f"unknown field(s): {', '.join(unknown)}")
    if len(given) != 1:
        raise BadMessage("give exactly one of text, callback_data or location")
    user = UserRef(Channel.WEB, visitor)
    value = message[given[0]]
    if given[0] == "text":
        if not isinstance(value, str) or not value.strip():
            raise BadMessage("text must be a non-empty string")
        if len(value) > MAX_TEXT_CHARS:
            raise BadMessage(
                f"text is longer than {MAX_TEXT_CHARS} characters",
                texts.WEB_TEXT_TOO_LONG.format(limit=MAX_TEXT_CHARS),
            )
        return Update(user=user, received_at=now, text=value, client_address=client)
    if given[0] == "callback_data":
        if (
            not isinstance(value, str)
            or not value.isascii()
            or not 0 < len(value) <= CALLBACK_DATA_LIMIT
        ):
            raise BadMessage(f"callback_data must be 1-{CALLBACK_DATA_LIMIT} ASCII characters")
        return Update(user=user, received_at=now, callback_data=value, client_address=client)
    return Update(user=user, received_at=now, location=_location_of(value), client_address=client)


def _location_of(value: object) -> Location:
    if not isinstance(value, dict) or set(value) != {"lat", "lon"}:
        raise BadMessage('location must be {"lat": degrees, "lon": degrees}')
    lat, lon = value["lat"], value["lon"]
    for name, number, limit in (("lat", lat, 90), ("lon", lon, 180)):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise BadMessage(f"location.{name} must be a number")
        # The bound first: a huge integer cannot be converted to a float by isfinite.
        if abs(number) > limit or not math.isfinite(number):
            raise BadMessage(f"location.{name} must be between -{limit} and {limit}")
    return Location(float(lat), float(lon))


def reply_json(reply: Reply) -> dict[str, Any]:
    """A reply as the page renders it; images as base64 PNG with their caption and size (the
    page reserves the picture's place before it is decoded); an agent's reply names them."""
    width, height = png_size(reply.image.png) if reply.image else (None, None)
    return {
        "text": reply.text,
        "buttons": [
            {"label": button.label, "data": button.data, "kind": button.kind.value}
            for button in reply.buttons
            if button.kind is not ButtonKind.SHARE_CONTACT  # a web page cannot share a phone card
        ],
        "image": base64.b64encode(reply.image.png).decode("ascii") if reply.image else None,
        "caption": reply.image.caption if reply.image else None,
        "width": width,
        "height": height,
        "author": texts.AGENT_AUTHOR.format(agent=reply.author) if reply.author else None,
    }


def png_size(png: bytes) -> tuple[int | None, int | None]:
    """A PNG's width and height from its IHDR chunk; (None, None) when it is not a PNG."""
    if len(png) < PNG_SIZE_END or not png.startswith(PNG_SIGNATURE) or png[12:16] != b"IHDR":
        return None, None
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _error(status: int, problem: str, reply: str) -> web.Response:
    """An error as JSON: what went wrong (for developers) and a reply the page can show."""
    body = {
        "error": problem,
        "replies": [
            {"text": reply, "buttons": [], "image": None, "caption": None, "author": None}
        ],
    }
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})
