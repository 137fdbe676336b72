"""Console sign-in: argon2 password hashes, database sessions, CSRF tokens, throttling.

The session token travels in an HttpOnly, SameSite=Strict cookie scoped to /agent/; the
database keeps its SHA-256 and a CSRF token that every POST must carry (the `csrf` form field
or the `X-CSRF-Token` header). Pages without a session redirect to the sign-in page, JSON
endpoints answer 401; a POST without the right CSRF token gets 403.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from bot.web.agent import db
from bot.web.keys import ENGINE
from meters.agent_store import SqlAgentStore
from meters.case_records import SessionRecord

COOKIE = "dienbot_agent"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
LOGIN_PATH = "/agent/login"
SESSION_TTL = timedelta(hours=12)
FAILURES_ALLOWED = 5  # per user name within FAILURE_WINDOW, then sign-in pauses
FAILURE_WINDOW = timedelta(minutes=15)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SignedInHandler = Callable[[web.Request, SessionRecord], Awaitable[web.StreamResponse]]


@dataclass
class Console:
    """The console's own state: the password hasher and the clock."""

    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Verified against for unknown user names, so that they take as long as known ones.
    dummy_hash: str = ""

    def __post_init__(self) -> None:
        if not self.dummy_hash:
            self.dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))


CONSOLE = web.AppKey("agent_console", Console)


def hash_password(password: str) -> str:
    """An argon2id hash of a password (for `dienbot agents`)."""
    return PasswordHasher().hash(password)


class Throttled(Exception):
    """Too many failed sign-ins for this user name lately."""


def check_password(
    connection: Connection, console: Console, username: str, password: str, now: datetime
) -> str | None:
    """Sign in: a new session token when the password is right, else None (failure counted)."""
    agents = SqlAgentStore(connection)
    if agents.failures_since(username, now - FAILURE_WINDOW) >= FAILURES_ALLOWED:
        raise Throttled(username)
    stored = agents.password_hash(username)
    agent = agents.by_username(username)
    try:
        console.hasher.verify(stored or console.dummy_hash, password)
        valid = stored is not None and agent is not None and agent.active
    except (VerificationError, InvalidHashError):
        valid = False
    if not valid or agent is None:
        agents.record_failure(username, now)
        return None
    agents.clear_failures(username)
    token = secrets.token_urlsafe(32)
    agents.start_session(agent.id, token, secrets.token_urlsafe(32), now + SESSION_TTL, now)
    return token


async def session_of(request: web.Request) -> SessionRecord | None:
    """The live session of the request's cookie, if any."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 128:
        return None
    now = request.app[CONSOLE].now()
    return await db.read(
        request.app[ENGINE], lambda connection: SqlAgentStore(connection).session(token, now)
    )


def set_session_cookie(response: web.StreamResponse, token: str, *, secure: bool) -> None:
    """Give the browser the session cookie."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        path="/agent/",
        httponly=True,
        samesite="Strict",
        secure=secure,
    )


async def csrf_ok(request: web.Request, session: SessionRecord) -> bool:
    """Whether a POST carries the session's CSRF token."""
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.post()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return given is not None and hmac.compare_digest(given, session.csrf_token)


def page(handler: SignedInHandler) -> Handler:
    """A page for signed-in agents: others are sent to the sign-in page; POSTs need CSRF."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        session = await session_of(request)
        if session is None:
            raise web.HTTPSeeOther(LOGIN_PATH)
        if request.method == "POST" and not await csrf_ok(request, session):
            raise web.HTTPForbidden(text="CSRF token missing or wrong")
        return await handler(request, session)

    return wrapped


def api(handler: SignedInHandler) -> Handler:
    """A JSON endpoint for signed-in agents: 401 without a session, 403 without CSRF."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        session = await session_of(request)
        if session is None:
            return web.json_response({"error": "not signed in"}, status=401)
        if request.method == "POST" and not await csrf_ok(request, session):
            return web.json_response({"error": "CSRF token missing or wrong"}, status=403)
        return await handler(request, session)

    return wrapped
