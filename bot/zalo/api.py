"""A thin aiohttp client of the Zalo OA Open API v3, ZNS and OAuth v4.

`ZaloHttp` owns the process's one `ClientSession` and speaks the wire format; `OaClient` adds
the access token and the "refresh once, retry once" rule for token errors. Every failure comes
out as a `ZaloError` whose `kind` says what to do (bot/zalo/errors.py).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import ClientError, ClientResponse, ClientSession, ClientTimeout, FormData

from bot.zalo.errors import ErrorKind, ZaloAuthError, ZaloError
from bot.zalo.tokens import TokenGrant, TokenKeeper

DEFAULT_ACCESS_TOKEN_LIFETIME = timedelta(seconds=90000)


@dataclass(frozen=True, slots=True)
class ZaloHosts:
    """The base URLs of the three Zalo hosts."""

    openapi: str = "https://openapi.zalo.me"
    business: str = "https://business.openapi.zalo.me"
    oauth: str = "https://oauth.zaloapp.com"

    @classmethod
    def from_base(cls, base_url: str | None) -> ZaloHosts:
        """The real hosts, or all three replaced by `base_url` (a local stand-in)."""
        if not base_url:
            return cls()
        base = base_url.rstrip("/")
        return cls(openapi=base, business=base, oauth=base)


def _zalo_result(body: Any, call: str) -> dict[str, Any]:
    """The answer of an OA or ZNS call, or the `ZaloError` it stands for."""
    if not isinstance(body, dict):
        raise ZaloError(
            0, "the answer is not a JSON object", call=call, kind=ErrorKind.UNAVAILABLE
        )
    code = body.get("error", 0)
    if not isinstance(code, int) or isinstance(code, bool):
        raise ZaloError(
            0, f"unexpected error field {code!r}", call=call, kind=ErrorKind.UNAVAILABLE
        )
    if code != 0:
        raise ZaloError(code, str(body.get("message", "")), call=call)
    return body


class ZaloHttp:
    """The wire format of Zalo's hosts, over one shared `ClientSession`."""

    def __init__(self, hosts: ZaloHosts, app_id: str, app_secret: str, *, timeout: float = 10):
        self.hosts = hosts
        self._app_id = app_id
        self._app_secret = app_secret
        self._timeout = ClientTimeout(total=timeout)
        self._session: ClientSession | None = None

    async def open(self) -> None:
        """Create the session (in the application's cleanup context)."""
        self._session = ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        """Close the session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _json(self, call: str, send: Callable[[ClientSession], Any]) -> Any:
        if self._session is None:
            raise RuntimeError("the Zalo client is not open (install_zalo's cleanup context)")
        try:
            async with send(self._session) as response:
                return await self._decode(response, call)
        except (ClientError, TimeoutError) as error:
            raise ZaloError(
                0, type(error).__name__, call=call, kind=ErrorKind.UNAVAILABLE
            ) from error

    @staticmethod
    async def _decode(response: ClientResponse, call: str) -> Any:
        if response.status == 401:
            raise ZaloError(-401, "HTTP 401", call=call, kind=ErrorKind.TOKEN)
        if response.status == 429:
            raise ZaloError(-429, "HTTP 429", call=call, kind=ErrorKind.QUOTA)
        if response.status >= 300:
            raise ZaloError(
                -response.status, f"HTTP {response.status}", call=call, kind=ErrorKind.UNAVAILABLE
            )
        try:
            return json.loads(await response.read())
        except ValueError as error:
            raise ZaloError(0, "not JSON", call=call, kind=ErrorKind.UNAVAILABLE) from error

    async def post_json(self, url: str, body: dict[str, Any], access_token: str) -> dict[str, Any]:
        """POST `body` as JSON with the access token; Zalo's answer when it is a success."""
        headers = {"access_token": access_token}
        answer = await self._json(
            url, lambda session: session.post(url, json=body, headers=headers)
        )
        return _zalo_result(answer, url)

    async def post_image(self, url: str, png: bytes, access_token: str) -> dict[str, Any]:
        """Upload `png` as the multipart field `file`; Zalo's answer when it is a success."""
        headers = {"access_token": access_token}

        def send(session: ClientSession) -> Any:
            form = FormData()
            form.add_field("file", png, filename="image.png", content_type="image/png")
            return session.post(url, data=form, headers=headers)

        return _zalo_result(await self._json(url, send), url)

    async def exchange(self, refresh_token: str) -> TokenGrant:
        """Trade the (single-use) refresh token for a new token pair through OAuth v4."""
        url = f"{self.hosts.oauth}/v4/oa/access_token"
        form = {
            "refresh_token": refresh_token,
            "app_id": self._app_id,
            "grant_type": "refresh_token",
        }
        headers = {"secret_key": self._app_secret}
        body = await self._json(url, lambda session: session.post(url, data=form, headers=headers))
        if not isinstance(body, dict):
            raise ZaloError(
                0, "the answer is not a JSON object", call=url, kind=ErrorKind.UNAVAILABLE
            )
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
            code = body.get("error")
            name = body.get("error_name") or body.get("error_description") or "no token"
            raise ZaloAuthError(
                code if isinstance(code, int) else 0, str(name), call=url, kind=ErrorKind.TOKEN
            )
        try:
            lifetime = timedelta(seconds=int(body.get("expires_in", 0)))
        except (TypeError, ValueError):
            lifetime = DEFAULT_ACCESS_TOKEN_LIFETIME
        if lifetime <= timedelta(0):
            lifetime = DEFAULT_ACCESS_TOKEN_LIFETIME
        return TokenGrant(access, refresh, lifetime)


class OaClient:
    """Sends as the Official Account: consultation messages, images and ZNS templates."""

    def __init__(self, http: ZaloHttp, tokens: TokenKeeper) -> None:
        self._http = http
        self._tokens = tokens

    async def _with_token(self, attempt: Callable[[str], Awaitable[dict[str, Any]]]) -> Any:
        token = await self._tokens.current()
        try:
            return await attempt(token)
        except ZaloAuthError:
            raise
        except ZaloError as error:
            if error.kind is not ErrorKind.TOKEN:
                raise
        token = await self._tokens.renew(stale=token)  # refresh once, retry once
        return await attempt(token)

    async def send_message(self, user_id: str, message: dict[str, Any]) -> str:
        """Send a consultation message to an OA follower; Zalo's message id."""
        url = f"{self._http.hosts.openapi}/v3.0/oa/message/cs"
        body = {"recipient": {"user_id": user_id}, "message": message}
        answer = await self._with_token(lambda token: self._http.post_json(url, body, token))
        return str((answer.get("data") or {}).get("message_id", ""))

    async def upload_image(self, png: bytes) -> str:
        """Upload a PNG picture; the `attachment_id` to send it with."""
        url = f"{self._http.hosts.openapi}/v2.0/oa/upload/image"
        answer = await self._with_token(lambda token: self._http.post_image(url, png, token))
        attachment_id = (answer.get("data") or {}).get("attachment_id")
        if not isinstance(attachment_id, str) or not attachment_id:
            raise ZaloError(0, "no attachment_id", call=url, kind=ErrorKind.UNAVAILABLE)
        return attachment_id

    async def send_template(
        self, phone: str, template_id: str, data: dict[str, str], tracking_id: str
    ) -> str:
        """Send a ZNS template message to a phone (84xxxxxxxxx); Zalo's message id."""
        url = f"{self._http.hosts.business}/message/template"
        body = {
            "phone": phone,
            "template_id": template_id,
            "template_data": data,
            "tracking_id": tracking_id,
        }
        answer = await self._with_token(lambda token: self._http.post_json(url, body, token))
        return str((answer.get("data") or {}).get("msg_id", ""))
