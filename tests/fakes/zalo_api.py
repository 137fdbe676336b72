"""A local stand-in of the Zalo hosts behind one base URL (research/platforms.md §4.5).

It serves the real paths of the three hosts, which do not collide:

- `POST /v3.0/oa/message/cs` (openapi.zalo.me): consultation messages, header `access_token`;
- `POST /v2.0/oa/upload/image` (openapi.zalo.me): multipart `file`, returns an `attachment_id`;
- `POST /message/template` (business.openapi.zalo.me): ZNS template messages with a daily quota
  (-211 once `zns_daily_quota` messages were accepted; phones in `zns_unreachable` get -119);
- `POST /v4/oa/access_token` (oauth.zaloapp.com): form `refresh_token`, `app_id`, `grant_type`,
  header `secret_key`; every refresh rotates the pair and the old refresh token stops working.

Answers are HTTP 200 with Zalo's JSON shapes: `{"error": 0, "message": "Success", "data": …}`,
or `{"error": -216, "message": "Access token is invalid"}` and the like. Tests drive it through
Python methods (they share the event loop): users, faults, token expiry, signed webhook pushes,
and `wait_for_messages` instead of sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientSession, web

from tests.fakes.zalo_events import (
    SIGNATURE_HEADER,
    encode_event,
    follow_event,
    location_event,
    text_event,
    zalo_signature,
)

TEXT_LIMIT = 2000
BUTTON_LIMIT = 5
INTERACTION_WINDOW = timedelta(days=7)
ACCESS_TOKEN_LIFETIME = 90000  # seconds, as Zalo answers ("expires_in": "90000")
ZNS_PHONE = re.compile(r"^84\d{9}$")
UNSIGNED = object()  # `send_event(signature=UNSIGNED)` sends no signature header


@dataclass
class FakeUser:
    """A Zalo user as the OA sees them."""

    user_id: str
    following: bool = True
    blocked: bool = False  # blocked messages from the OA: -217
    last_interaction: datetime | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Fault:
    """Answer the next `times` calls of `path` with this Zalo error."""

    path: str
    error: int
    message: str
    times: int = 1
    http_status: int = 200


def _error(code: int, message: str, status: int = 200) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def _success(data: dict[str, Any]) -> web.Response:
    return web.json_response({"error": 0, "message": "Success", "data": data})


class FakeZalo:
    """The Zalo OA Open API, ZNS and OAuth v4 hosts, on one local port."""

    def __init__(
        self,
        *,
        app_id: str = "50554360515256678",
        app_secret: str = "app-secret",  # noqa: S107 - test credentials
        oa_secret_key: str = "oa-secret-key",  # noqa: S107
        refresh_token: str = "refresh-0",  # noqa: S107
        zns_templates: tuple[str, ...] = ("330875",),
        zns_daily_quota: int = 100,
        clock: Callable[[], datetime],
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.oa_secret_key = oa_secret_key
        self.refresh_token = refresh_token
        self.clock = clock  # tokens' expiry, interactions, events' times (tests/clock.py)
        self.access_tokens: dict[str, datetime] = {}  # token -> expiry
        self.used_refresh_tokens: set[str] = set()
        self.refresh_calls: list[str] = []  # the refresh token presented by each call
        self.users: dict[str, FakeUser] = {}
        self.uploads: dict[str, bytes] = {}
        self.zns_templates = set(zns_templates)
        self.zns_daily_quota = zns_daily_quota
        self.zns_sent: list[dict[str, Any]] = []
        self.zns_unreachable: set[str] = set()  # phones that cannot receive ZNS: -119
        self.faults: list[Fault] = []
        self.calls: list[tuple[str, int]] = []  # (path, Zalo error code answered)
        self._counter = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self.url = ""

    # -- lifecycle -------------------------------------------------------------------------

    def application(self) -> web.Application:
        """The aiohttp application of the stand-in."""
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send_consultation)
        app.router.add_post("/v2.0/oa/upload/image", self._upload_image)
        app.router.add_post("/message/template", self._send_template)
        app.router.add_post("/v4/oa/access_token", self._access_token)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on `host:port` (0: a free port); `url` is the base URL afterwards."""
        self._runner = web.AppRunner(self.application())
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.url = f"http://{host}:{self._runner.addresses[0][1]}"
        self._session = ClientSession()

    async def stop(self) -> None:
        """Stop serving and close the webhook client."""
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- control ---------------------------------------------------------------------------

    def add_user(self, user_id: str, *, following: bool = True, interacted: bool = True) -> None:
        """Register a user, who has (by default) just written to the OA."""
        self.users[user_id] = FakeUser(
            user_id, following=following, last_interaction=self.clock() if interacted else None
        )

    def issue_access_token(self, lifetime: int = ACCESS_TOKEN_LIFETIME) -> str:
        """A new valid access token (the API also issues them on refresh)."""
        token = f"access-{next(self._counter)}"
        self.access_tokens[token] = self.clock() + timedelta(seconds=lifetime)
        return token

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working (answers -220)."""
        moment = self.clock()
        for token in self.access_tokens:
            self.access_tokens[token] = moment

    def fail_next(self, path: str, error: int, message: str, *, times: int = 1) -> None:
        """Make the next `times` calls of `path` fail with Zalo error `error`."""
        self.faults.append(Fault(path, error, message, times))

    def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        """The `message` objects the OA has sent to `user_id`, oldest first."""
        user = self.users.get(user_id)
        return [] if user is None else list(user.messages)

    def zns_to(self, phone: str) -> list[dict[str, Any]]:
        """The ZNS requests accepted for `phone` (84xxxxxxxxx), oldest first."""
        return [body for body in self.zns_sent if body.get("phone") == phone]

    def texts_to(self, user_id: str) -> list[str]:
        """The texts the OA has sent to `user_id`, oldest first."""
        return [str(message.get("text", "")) for message in self.messages_to(user_id)]

    async def wait_for_messages(self, user_id: str, count: int) -> list[dict[str, Any]]:
        """Wait until `user_id` has received at least `count` messages; all of them."""
        async with asyncio.timeout(10), self._changed:  # a hang guard, not a synchronisation
            await self._changed.wait_for(lambda: len(self.messages_to(user_id)) >= count)
        return self.messages_to(user_id)

    # -- webhook pushes --------------------------------------------------------------------

    def sign(self, raw: bytes, timestamp: str) -> str:
        """The `X-ZEvent-Signature` Zalo would send with `raw`."""
        return zalo_signature(self.app_id, raw, timestamp, self.oa_secret_key)

    async def send_event(
        self,
        target_url: str,
        event: dict[str, Any],
        *,
        raw: bytes | None = None,
        signature: object = None,
    ) -> int:
        """POST `event` to our webhook the way Zalo does; the HTTP status answered.

        `signature=None` signs the body correctly, `UNSIGNED` sends no header, and a string
        is sent as it is. The sender counts as having interacted with the OA.
        """
        body = raw if raw is not None else encode_event(event)
        headers = {"Content-Type": "application/json"}
        if signature is None:
            headers[SIGNATURE_HEADER] = self.sign(body, str(event.get("timestamp", "")))
        elif isinstance(signature, str):
            headers[SIGNATURE_HEADER] = signature
        sender = event.get("sender") or event.get("follower") or {}
        user_id = sender.get("id") if isinstance(sender, dict) else None
        if isinstance(user_id, str):
            user = self.users.setdefault(user_id, FakeUser(user_id))
            user.last_interaction = self.clock()
            if event.get("event_name") == "follow":
                user.following = True
        assert self._session is not None, "start() the stand-in first"
        async with self._session.post(target_url, data=body, headers=headers) as response:
            await response.read()
            return response.status

    async def user_sends_text(
        self, target_url: str, user_id: str, text: str, *, msg_id: str | None = None
    ) -> int:
        """The user writes `text` to the OA; the webhook's HTTP status."""
        event = text_event(self.app_id, user_id, text, self.clock(), msg_id=msg_id)
        return await self.send_event(target_url, event)

    async def user_sends_location(
        self, target_url: str, user_id: str, latitude: float, longitude: float
    ) -> int:
        """The user shares a location; the webhook's HTTP status."""
        event = location_event(self.app_id, user_id, latitude, longitude, self.clock())
        return await self.send_event(target_url, event)

    async def user_follows(self, target_url: str, user_id: str) -> int:
        """The user follows the OA; the webhook's HTTP status."""
        return await self.send_event(target_url, follow_event(self.app_id, user_id, self.clock()))

    # -- the API ---------------------------------------------------------------------------

    def _fault(self, path: str) -> web.Response | None:
        for fault in self.faults:
            if fault.path == path and fault.times > 0:
                fault.times -= 1
                self.calls.append((path, fault.error))
                return _error(fault.error, fault.message, fault.http_status)
        return None

    def _token_problem(self, request: web.Request) -> web.Response | None:
        token = request.headers.get("access_token", "")
        expiry = self.access_tokens.get(token)
        if expiry is None:
            self.calls.append((request.path, -216))
            return _error(-216, "Access token is invalid")
        if expiry <= self.clock():
            self.calls.append((request.path, -220))
            return _error(-220, "Access token has expired")
        return None

    async def _json_body(self, request: web.Request) -> dict[str, Any] | None:
        try:
            body = json.loads(await request.read())
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def _send_consultation(self, request: web.Request) -> web.Response:
        problem = self._fault(request.path) or self._token_problem(request)
        if problem is not None:
            return problem
        body = await self._json_body(request)
        recipient = (body or {}).get("recipient")
        message = (body or {}).get("message")
        if not isinstance(recipient, dict) or not isinstance(message, dict):
            return self._reject(request, -201, "Parameter is invalid")
        user = self.users.get(str(recipient.get("user_id")))
        problem = self._recipient_problem(request, user) or self._check_message(request, message)
        if problem is not None:
            return problem
        assert user is not None
        async with self._changed:
            user.messages.append(message)
            self._changed.notify_all()
        self.calls.append((request.path, 0))
        return _success({"message_id": f"m{next(self._counter)}", "user_id": user.user_id})

    def _recipient_problem(
        self, request: web.Request, user: FakeUser | None
    ) -> web.Response | None:
        if user is None or not user.following:
            return self._reject(request, -213, "User has not followed the OA")
        if user.blocked:
            return self._reject(request, -217, "User has blocked messages from the OA")
        if (
            user.last_interaction is None
            or self.clock() - user.last_interaction > INTERACTION_WINDOW
        ):
            return self._reject(request, -230, "User has not interacted with the OA in 7 days")
        return None

    def _check_message(  # noqa: PLR0911 - one answer per rule of Zalo's
        self, request: web.Request, message: dict[str, Any]
    ) -> web.Response | None:
        text = message.get("text", "")
        attachment = message.get("attachment")
        if not isinstance(text, str) or (not text and attachment is None):
            return self._reject(request, -201, "Message text is empty")
        if len(text) > TEXT_LIMIT:
            return self._reject(request, -210, "Text is longer than 2000 characters")
        if attachment is None:
            return None
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        if not isinstance(payload, dict) or attachment.get("type") != "template":
            return self._reject(request, -201, "Attachment is invalid")
        buttons = payload.get("buttons", [])
        if not isinstance(buttons, list) or len(buttons) > BUTTON_LIMIT:
            return self._reject(request, -210, "At most 5 buttons")
        for element in payload.get("elements", []):
            if element.get("attachment_id") not in self.uploads:
                return self._reject(request, -201, "Attachment id is invalid")
        return None

    def _reject(self, request: web.Request, code: int, message: str) -> web.Response:
        self.calls.append((request.path, code))
        return _error(code, message)

    async def _upload_image(self, request: web.Request) -> web.Response:
        problem = self._fault(request.path) or self._token_problem(request)
        if problem is not None:
            return problem
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            return self._reject(request, -201, "File is missing")
        attachment_id = f"att{next(self._counter)}"
        self.uploads[attachment_id] = upload.file.read()
        self.calls.append((request.path, 0))
        return _success({"attachment_id": attachment_id})

    async def _send_template(self, request: web.Request) -> web.Response:
        problem = self._fault(request.path) or self._token_problem(request)
        if problem is not None:
            return problem
        body = await self._json_body(request)
        if body is None or not ZNS_PHONE.match(str(body.get("phone"))):
            return self._reject(request, -108, "Phone number is invalid")
        if body.get("template_id") not in self.zns_templates:
            return self._reject(request, -1124, "Template is not approved")
        if body.get("phone") in self.zns_unreachable:
            return self._reject(request, -119, "Account can not receive ZNS")
        if len(self.zns_sent) >= self.zns_daily_quota:
            return self._reject(request, -211, "Out of daily quota")
        self.zns_sent.append(body)
        self.calls.append((request.path, 0))
        remaining = self.zns_daily_quota - len(self.zns_sent)
        return _success(
            {
                "msg_id": f"zns{next(self._counter)}",
                "sent_time": str(int(self.clock().timestamp() * 1000)),
                "quota": {
                    "dailyQuota": str(self.zns_daily_quota),
                    "remainingQuota": str(remaining),
                },
            }
        )

    async def _access_token(self, request: web.Request) -> web.Response:
        problem = self._fault(request.path)
        if problem is not None:
            return problem
        form = await request.post()
        presented = str(form.get("refresh_token", ""))
        self.refresh_calls.append(presented)
        if request.headers.get("secret_key") != self.app_secret:
            return self._oauth_error(request, -14014, "Invalid secret key")
        if form.get("app_id") != self.app_id or form.get("grant_type") != "refresh_token":
            return self._oauth_error(request, -14003, "Invalid parameter")
        if presented != self.refresh_token or presented in self.used_refresh_tokens:
            return self._oauth_error(request, -14020, "Invalid refresh token")
        self.used_refresh_tokens.add(presented)
        self.refresh_token = f"refresh-{next(self._counter)}"
        self.calls.append((request.path, 0))
        return web.json_response(
            {
                "access_token": self.issue_access_token(),
                "refresh_token": self.refresh_token,
                "expires_in": str(ACCESS_TOKEN_LIFETIME),
            }
        )

    def _oauth_error(self, request: web.Request, code: int, name: str) -> web.Response:
        self.calls.append((request.path, code))
        return web.json_response(
            {"error": code, "error_name": name, "error_description": name, "error_reason": name}
        )
