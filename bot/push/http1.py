"""A small HTTP/1.1 client for the dispatcher's one kind of request: POST JSON, read the answer.

aiohttp's client costs about 390 µs of CPU per request on the 2-core benchmark machine; at the
paid-broadcast rate of 1 000/s that alone is 40 % of a core, and the dispatcher's sends then
wake up too late for their slots. This client keeps a pool of keep-alive connections (plain or
TLS), writes one prepared request on a connection at a time and reads the answer framed by
Content-Length, chunked encoding or the end of the connection: about 120 µs per request.
It is deliberately narrow: no redirects, proxies, cookies or compression, and no retry (a
failed send is retried later by the outbox, with backoff).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024  # a Bot API answer to sendMessage is well under a kilobyte
# Idle connections older than this are not reused: servers close theirs after a while (nginx
# and aiohttp after 75 s), and a request written on a connection the server just closed fails.
IDLE_SECONDS = 30.0


class HttpError(Exception):
    """The connection failed, or the server's answer was not HTTP/1.1 this client can read."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A server's answer: its status and its body."""

    status: int
    body: bytes


class ResponseReader:
    """Reads one HTTP/1.1 response from the bytes it is fed, in pieces of any size."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._status: int | None = None
        self._length: int | None = None
        self._chunked = False
        self._body = bytearray()
        self.keep_alive = True

    def feed(self, data: bytes) -> Answer | None:
        """The answer once it is complete (None until then); HttpError when it cannot be read."""
        self._buffer += data
        if self._status is None and not self._read_head():
            return None
        if self._chunked:
            return self._read_chunks()
        if self._length is not None:
            if len(self._buffer) < self._length:
                return None
            if len(self._buffer) > self._length:
                raise HttpError("bytes after the end of the answer")
            return Answer(self._status_code(), bytes(self._buffer))
        if len(self._buffer) > MAX_BODY:
            raise HttpError(f"answer larger than {MAX_BODY} bytes")
        return None  # framed by the end of the connection

    def end_of_stream(self) -> Answer:
        """The answer when the server closed the connection; HttpError when it was incomplete."""
        if self._status is not None and self._length is None and not self._chunked:
            return Answer(self._status, bytes(self._buffer))
        raise HttpError("the server closed the connection before the end of its answer")

    def _status_code(self) -> int:
        assert self._status is not None
        return self._status

    def _read_head(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD:
                raise HttpError(f"answer head larger than {MAX_HEAD} bytes")
            return False
        lines = bytes(self._buffer[:end]).split(b"\r\n")
        del self._buffer[: end + 4]
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or parts[0] not in (b"HTTP/1.1", b"HTTP/1.0") or not parts[1].isdigit():
            raise HttpError(f"not an HTTP/1.1 status line: {lines[0][:80]!r}")
        status = int(parts[1])
        if not 100 <= status <= 599:
            raise HttpError(f"status {status} out of range")
        self.keep_alive = parts[0] == b"HTTP/1.1"
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon:
                raise HttpError(f"not a header line: {line[:80]!r}")
            self._header(name.strip().lower(), value.strip().lower())
        if self._chunked and self._length is not None:
            raise HttpError("both Content-Length and chunked encoding")
        if status in (204, 304) and not self._chunked:  # never a body
            self._length = 0
        if self._length is not None and self._length > MAX_BODY:
            raise HttpError(f"answer larger than {MAX_BODY} bytes")
        self._status = status
        return True

    def _header(self, name: bytes, value: bytes) -> None:
        if name == b"content-length":
            if not value.isdigit() or (self._length is not None and int(value) != self._length):
                raise HttpError(f"bad Content-Length: {value[:40]!r}")
            self._length = int(value)
        elif name == b"transfer-encoding":
            if value != b"chunked":
                raise HttpError(f"unsupported Transfer-Encoding: {value[:40]!r}")
            self._chunked = True
        elif name == b"connection" and value in (b"close", b"keep-alive"):
            self.keep_alive = value == b"keep-alive"

    def _read_chunks(self) -> Answer | None:
        while True:
            end = self._buffer.find(b"\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEAD:
                    raise HttpError("chunk size line too long")
                return None
            size_text = bytes(self._buffer[:end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise HttpError(f"bad chunk size: {size_text[:20]!r}") from None
            if size < 0 or len(self._body) + size > MAX_BODY:
                raise HttpError(f"answer larger than {MAX_BODY} bytes")
            if size == 0:  # the last chunk, then trailers up to an empty line
                trailers_end = self._buffer.find(b"\r\n\r\n", end)
                if trailers_end < 0:
                    return None
                if trailers_end + 4 != len(self._buffer):
                    raise HttpError("bytes after the end of the answer")
                return Answer(self._status_code(), bytes(self._body))
            if len(self._buffer) < end + 2 + size + 2:
                return None
            start = end + 2
            if self._buffer[start + size : start + size + 2] != b"\r\n":
                raise HttpError("a chunk does not end with CRLF")
            self._body += self._buffer[start : start + size]
            del self._buffer[: start + size + 2]


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, its answer in `answer`."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future[Answer] | None = None
        self.reader = ResponseReader()
        self.closed = False
        self.idle_since = time.monotonic()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.answer is None or self.answer.done():
            self.close()  # bytes nobody asked for: the connection cannot be trusted
            return
        try:
            answer = self.reader.feed(data)
        except HttpError as error:
            self.answer.set_exception(error)
            self.close()
            return
        if answer is not None:
            self.answer.set_result(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.answer is None or self.answer.done():
            return
        try:
            self.answer.set_result(self.reader.end_of_stream())
        except HttpError as error:
            if exc is not None:
                error = HttpError(f"{error}: {exc!r}")
            self.answer.set_exception(error)

    def start(self, request: bytes) -> asyncio.Future[Answer]:
        """Write `request` and return the future of its answer."""
        assert self.transport is not None
        self.reader = ResponseReader()
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.answer

    def reusable(self) -> bool:
        """Still open, its last answer read whole and kept alive, and not idle for long."""
        return (
            not self.closed
            and self.transport is not None
            and not self.transport.is_closing()
            and self.reader.keep_alive
            and time.monotonic() - self.idle_since < IDLE_SECONDS
        )

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Http1Client:
    """POSTs JSON bodies to one origin over at most `max_connections` keep-alive connections."""

    def __init__(
        self,
        origin: str,
        *,
        max_connections: int = 500,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) origin: {origin!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        default_port = self._port == (443 if self._https else 80)
        self._host_header = parts.netloc.rsplit("@", 1)[-1] if not default_port else self._host
        self._ssl = (ssl_context or ssl.create_default_context()) if self._https else None
        self._timeout = timeout
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()

    async def post_json(self, path: str, body: bytes) -> Answer:
        """POST `body` (UTF-8 JSON) to `path`: the answer; HttpError, TimeoutError or OSError."""
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self._host_header}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode("ascii") + body
        async with self._slots:
            connection = self._idle_connection()
            try:
                async with asyncio.timeout(self._timeout):
                    if connection is None:
                        connection = await self._connect()
                    answer = await connection.start(request)
            except BaseException:
                if connection is not None:
                    self._discard(connection)
                raise
            if connection.reusable():
                connection.idle_since = time.monotonic()
                self._idle.append(connection)
            else:
                self._discard(connection)
            return answer

    async def close(self) -> None:
        """Close every connection."""
        for connection in list(self._open):
            self._discard(connection)
        await asyncio.sleep(0)  # let the transports finish closing

    def _idle_connection(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable():
                return connection
            self._discard(connection)
        return None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            _Connection,
            self._host,
            self._port,
            ssl=self._ssl,
            server_hostname=self._host if self._ssl is not None else None,
        )
        self._open.add(connection)
        return connection

    def _discard(self, connection: _Connection) -> None:
        connection.close()
        self._open.discard(connection)
        with contextlib.suppress(ValueError):
            self._idle.remove(connection)

    @property
    def open_connections(self) -> int:
        """How many connections are open (for tests and the status line)."""
        return len(self._open)
