"""POST /zalo/webhook: Zalo OA events, checked, stored, then answered in the background.

Answers: 401 without `X-ZEvent-Signature`, 400 when the body is not a JSON object with a
`timestamp`, 403 when the signature does not match, 503 when the store cannot take the event
(Zalo retries it), otherwise 200 once the event is committed to the inbox (Zalo wants 200
within 2 s and retries otherwise). Events we do not answer, deliveries of an event already
stored, and events whose timestamp is outside `DIENBOT_ZALO_EVENT_WINDOW_MINUTES` of now (a
replay, or a retry too late to answer: a non-200 would only bring it back, staler) also get
200, and the last are logged. Nothing a request contains makes this handler raise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.zalo.events import translate_event
from bot.zalo.signature import SIGNATURE_HEADER, signature_matches

if TYPE_CHECKING:
    from bot.zalo.channel import ZaloChannel

logger = logging.getLogger(__name__)

ZALO: web.AppKey[ZaloChannel] = web.AppKey("zalo")


def parse_body(raw: bytes) -> Mapping[str, Any] | None:
    """The event object in `raw`, or None when it is not a JSON object."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return body if isinstance(body, dict) else None


def event_timestamp(body: Mapping[str, Any]) -> str | None:
    """The event's `timestamp` as it is signed, or None when it is missing or malformed."""
    value = body.get("timestamp")
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _signing_ids(app_id: str, body: Mapping[str, Any]) -> tuple[str, ...]:
    """The app id, then the OA id some integrations sign with (platforms.md §6)."""
    recipient = body.get("recipient")
    candidates = [recipient.get("id") if isinstance(recipient, dict) else None, body.get("oa_id")]
    oa_ids = [c for c in candidates if isinstance(c, str) and c and c != app_id]
    return (app_id, *dict.fromkeys(oa_ids))


async def _signed_body(
    request: web.Request, channel: ZaloChannel
) -> tuple[Mapping[str, Any], str] | web.Response:
    """The event and its timestamp when the delivery is signed right, else the refusal."""
    raw = await request.read()
    supplied = request.headers.get(SIGNATURE_HEADER, "")
    if not supplied.strip():
        logger.warning("Zalo webhook: request without %s refused", SIGNATURE_HEADER)
        return web.Response(status=401, text="missing signature")
    body = parse_body(raw)
    timestamp = None if body is None else event_timestamp(body)
    if body is None or timestamp is None:
        return web.Response(status=400, text="expected a JSON event with a timestamp")
    ids = _signing_ids(channel.app_id, body)
    if not signature_matches(supplied, raw, timestamp, channel.oa_secret_key, ids=ids):
        logger.warning("Zalo webhook: wrong signature for a %r event", body.get("event_name"))
        return web.Response(status=403, text="wrong signature")
    return body, timestamp


async def receive_event(request: web.Request) -> web.Response:
    """Check one webhook delivery and store its event; the status Zalo gets."""
    channel = request.app[ZALO]
    checked = await _signed_body(request, channel)
    if isinstance(checked, web.Response):
        return checked
    body, timestamp = checked
    if not channel.timely(timestamp):
        logger.warning(
            "Zalo webhook: a %r event refused: its timestamp %r is more than %s from now",
            body.get("event_name"),
            timestamp[:20],
            channel.event_window,
        )
        return web.Response(status=200)
    try:
        event = translate_event(body, channel.now())
    except Exception:  # an event of a shape nobody foresaw: keep it out of Zalo's retries
        logger.exception("Zalo webhook: could not read a %r event", body.get("event_name"))
        return web.Response(status=200)
    if event is None:
        logger.debug("Zalo webhook: %r event ignored", body.get("event_name"))
        return web.Response(status=200)
    try:
        await channel.accept(event, dict(body))
    except Exception:  # the store is unreachable: not acknowledged, Zalo delivers it again
        logger.exception("Zalo webhook: the event %s could not be stored", event.event_id)
        return web.Response(status=503, text="try again later")
    return web.Response(status=200)
