"""Anonymous web chat visitors: a random id in a signed, HttpOnly, SameSite=Strict cookie.

The signing secret is generated once and kept in the database (`channel_tokens`, beside the
Zalo tokens), so that every process of the service and every restart accept the same cookies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import Engine

from meters.channel_store import lock_token

COOKIE_NAME = "dienbot_visitor"
COOKIE_MAX_AGE = 365 * 24 * 3600  # a year: the chat keeps its links until the visitor forgets it
SECRET_NAME = "web_chat_cookie_secret"  # noqa: S105 - the name of the row, not a secret
CODE_PEPPER_NAME = "one_time_code_pepper"  # the key of the one-time codes' stored hashes
_ID_BYTES = 16
_SIGNATURE_BYTES = 16


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class VisitorCookies:
    """Issues visitor ids and checks the cookies that carry them."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the cookie secret must have at least 16 bytes")
        self._secret = secret

    def new_visitor(self) -> tuple[str, str]:
        """A fresh visitor id and the cookie value that carries it."""
        visitor = _b64(secrets.token_bytes(_ID_BYTES))
        return visitor, f"{visitor}.{self._sign(visitor)}"

    def visitor_of(self, cookie: str | None) -> str | None:
        """The visitor id of a well-signed cookie value, else None."""
        if not cookie or len(cookie) > 128:
            return None
        visitor, dot, signature = cookie.partition(".")
        if not dot or not visitor.isascii() or not signature.isascii():
            return None
        if not hmac.compare_digest(signature, self._sign(visitor)):
            return None
        return visitor

    def _sign(self, visitor: str) -> str:
        digest = hmac.new(self._secret, b"visitor:" + visitor.encode(), hashlib.sha256).digest()
        return _b64(digest[:_SIGNATURE_BYTES])


def stored_secret(engine: Engine, name: str = SECRET_NAME) -> bytes:
    """A secret kept in the database (the cookie secret by default), generated on first use
    (race-safe): every process and every restart of the service uses the same."""
    with engine.begin() as connection:
        stored = lock_token(connection, name, secrets.token_hex(32), datetime.now(UTC))
    return bytes.fromhex(stored.value)
