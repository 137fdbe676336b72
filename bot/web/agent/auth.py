"""Console sign-in: argon2 password hashes, database sessions, CSRF tokens, throttling.

A sign-in reads the user's hash and the recent failures in one short transaction, verifies the
password on a worker thread with no transaction open (argon2 takes tens of milliseconds and
64 MiB: at most `HASHES_AT_ONCE` run at a time per process, so a flood of sign-ins queues
behind itself, never in front of the web chat), then records the outcome in a second short
transaction. The throttle rules are in bot/web/agent/throttle.py.

The session token travels in an HttpOnly, SameSite=Strict cookie scoped to /agent/; the
database keeps its SHA-256 and a CSRF token that every POST must carry (the `csrf` form field
or the `X-CSRF-Token` header). Pages without a session redirect to the sign-in page, JSON
endpoints answer 401; a POST without the right CSRF token gets 403.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from bot.web.agent import db, throttle
from bot.web.keys import ENGINE
from meters.agent_store import SqlAgentStore
from meters.case_records import AgentRecord, SessionRecord

COOKIE = "dienbot_agent"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
LOGIN_PATH = "/agent/login"
SESSION_TTL = timedelta(hours=12)
HASHES_AT_ONCE = 2  # argon2 verifications running at once in one process

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SignedInHandler = Callable[[web.Request, SessionRecord], Awaitable[web.StreamResponse]]


@dataclass
class Console:
    """The console's own state: the password hasher and the clock."""

    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Verified against for unknown user names, so that they take as long as known ones.
    dummy_hash: str = ""
    hashing: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(HASHES_AT_ONCE))

    def __post_init__(self) -> None:
        if not self.dummy_hash:
            self.dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))


CONSOLE = web.AppKey("agent_console", Console)


def hash_password(password: str) -> str:
    """An argon2id hash of a password (for `dienbot agents`)."""
    return PasswordHasher().hash(password)


class Throttled(Exception):
    """Too many failed sign-ins from this address, or for this user name lately."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"try again in {wait}")
        self.wait = wait


@dataclass(frozen=True, slots=True)
class _Candidate:
    """What a sign-in needs from the store before the password is checked."""

    failures: throttle.Failures
    stored_hash: str | None
    agent: AgentRecord | None


def _candidate(connection: Connection, address: str, username: str, now: datetime) -> _Candidate:
    agents = SqlAgentStore(connection)
    return _Candidate(
        throttle.failures(connection, address, username, now),
        agents.password_hash(username),
        agents.by_username(username),
    )


def _password_matches(console: Console, stored: str | None, password: str) -> bool:
    try:
        console.hasher.verify(stored or console.dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


async def sign_in(
    request: web.Request, console: Console, address: str, username: str, password: str
) -> str | None:
    """A new session token when the password is right, else None (the failure is counted);
    Throttled when this address must wait before trying this user name."""
    engine = request.app[ENGINE]
    async with console.hashing:
        now = console.now()
        found = await db.read(
            engine, lambda connection: _candidate(connection, address, username, now)
        )
        wait = throttle.wait_before_trying(found.failures, now)
        if wait is not None:
            raise Throttled(wait)
        matches = await asyncio.to_thread(_password_matches, console, found.stored_hash, password)
    agent = found.agent
    if not matches or agent is None or not agent.active:
        await db.write(
            engine,
            lambda connection: throttle.record_failure(connection, address, username, now),
        )
        return None
    token = secrets.token_urlsafe(32)

    def start(connection: Connection) -> None:
        throttle.forget_user_failures(connection, username)
        SqlAgentStore(connection).start_session(
            agent.id, token, secrets.token_urlsafe(32), now + SESSION_TTL, now
        )

    await db.write(engine, start)
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
