"""The dispatcher's HTTP/1.1 client: answers read whole, connections kept and bounded, failures
reported as HttpError, TimeoutError or OSError and never as anything else."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from bot.push.http1 import MAX_BODY, Answer, Http1Client, HttpError, ResponseReader

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[tuple[str, set[object]]]:
    """An aiohttp server answering every path with `handler`; its origin and the peers seen."""
    peers: set[object] = set()

    async def counted(request: web.Request) -> web.StreamResponse:
        peers.add(request.transport.get_extra_info("peername") if request.transport else None)
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", counted)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", peers
    finally:
        await runner.cleanup()


@asynccontextmanager
async def raw_server(answer: bytes, *, close: bool = True) -> AsyncIterator[str]:
    """A TCP server that reads a request and writes `answer` as it is (then closes)."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        if close:
            writer.close()
        else:
            await asyncio.sleep(5)

    listening = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listening.close()


async def echo(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response({"ok": True, "path": request.path, "got": body})


async def test_a_post_gets_the_servers_status_and_body() -> None:
    async with server(echo) as (origin, _):
        client = Http1Client(origin)
        body = json.dumps({"text": "Tiến điện"}, ensure_ascii=False).encode()
        answer = await client.post_json("/bot1:T/sendMessage", body)
        await client.close()
    assert answer.status == 200
    assert json.loads(answer.body) == {
        "ok": True,
        "path": "/bot1:T/sendMessage",
        "got": {"text": "Tiến điện"},
    }


async def test_one_connection_serves_requests_one_after_the_other() -> None:
    async with server(echo) as (origin, peers):
        client = Http1Client(origin)
        for number in range(5):
            await client.post_json("/x", json.dumps({"n": number}).encode())
        assert client.open_connections == 1
        await client.close()
    assert len(peers) == 1


async def test_a_chunked_answer_is_read_whole() -> None:
    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for piece in (b'{"ok":', b"true,", b'"n":42}'):
            await response.write(piece)
        await response.write_eof()
        return response

    async with server(chunked) as (origin, _):
        client = Http1Client(origin)
        answer = await client.post_json("/x", b"{}")
        again = await client.post_json("/x", b"{}")
        await client.close()
    assert json.loads(answer.body) == json.loads(again.body) == {"ok": True, "n": 42}


async def test_connection_close_is_honoured() -> None:
    async def closing(request: web.Request) -> web.Response:
        return web.json_response({"ok": True}, headers={"Connection": "close"})

    async with server(closing) as (origin, peers):
        client = Http1Client(origin)
        for _ in range(3):
            assert (await client.post_json("/x", b"{}")).status == 200
        assert client.open_connections == 0
        await client.close()
    assert len(peers) == 3


async def test_no_more_connections_than_allowed_at_once() -> None:
    busy = 0
    most = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal busy, most
        busy += 1
        most = max(most, busy)
        await asyncio.sleep(0.02)
        busy -= 1
        return web.json_response({"ok": True})

    async with server(slow) as (origin, peers):
        client = Http1Client(origin, max_connections=3)
        answers = await asyncio.gather(*(client.post_json("/x", b"{}") for _ in range(20)))
        await client.close()
    assert all(answer.status == 200 for answer in answers)
    assert most == len(peers) == 3


async def test_an_answer_framed_by_the_end_of_the_connection() -> None:
    answer_bytes = b"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\nupstream down"
    async with raw_server(answer_bytes) as origin:
        client = Http1Client(origin)
        answer = await client.post_json("/x", b"{}")
        await client.close()
    assert answer == Answer(502, b"upstream down")


@pytest.mark.parametrize(
    "garbage",
    [
        b"SMTP ready\r\n\r\n",
        b"HTTP/1.1 2xx OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nContent-Length: nine\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"",
    ],
)
async def test_an_unreadable_answer_is_an_http_error(garbage: bytes) -> None:
    async with raw_server(garbage) as origin:
        client = Http1Client(origin)
        with pytest.raises(HttpError):
            await client.post_json("/x", b"{}")
        assert client.open_connections == 0
        await client.close()


async def test_a_server_that_does_not_answer_in_time_is_a_timeout() -> None:
    async with raw_server(b"HTTP/1.1 200 OK\r\n", close=False) as origin:
        client = Http1Client(origin, timeout=0.2)
        with pytest.raises(TimeoutError):
            await client.post_json("/x", b"{}")
        assert client.open_connections == 0
        await client.close()


async def test_nobody_listening_is_an_os_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Http1Client(f"http://127.0.0.1:{port}")
    with pytest.raises(ConnectionRefusedError):
        await client.post_json("/x", b"{}")
    await client.close()


def test_only_http_origins_are_accepted() -> None:
    with pytest.raises(ValueError, match="origin"):
        Http1Client("ftp://example.org")


def framed(status: int, body: bytes, *, chunked: bool, pieces: int) -> bytes:
    """`body` as an HTTP/1.1 answer, with Content-Length or in `pieces` chunks."""
    if not chunked:
        return b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n%s" % (status, len(body), body)
    size = max(1, -(-len(body) // max(pieces, 1)))
    chunks = [body[index : index + size] for index in range(0, len(body), size)]
    encoded = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
    return b"HTTP/1.1 %d X\r\nTransfer-Encoding: chunked\r\n\r\n%s0\r\n\r\n" % (status, encoded)


@given(
    status=st.integers(200, 599).filter(lambda status: status not in (204, 304)),
    body=st.binary(max_size=3000),
    chunked=st.booleans(),
    pieces=st.integers(1, 7),
    cuts=st.lists(st.integers(0, 4000), max_size=8),
)
def test_an_answer_read_in_any_pieces_is_the_same_answer(
    status: int, body: bytes, chunked: bool, pieces: int, cuts: list[int]
) -> None:
    data = framed(status, body, chunked=chunked, pieces=pieces)
    reader = ResponseReader()
    answers = []
    start = 0
    for cut in [*sorted(min(cut, len(data)) for cut in cuts), len(data)]:
        answer = reader.feed(data[start:cut])
        start = max(start, cut)
        if answer is not None:
            answers.append(answer)
    assert answers[-1:] == [Answer(status, body)]


@given(st.lists(st.binary(max_size=200), max_size=6))
def test_any_bytes_are_an_answer_a_wait_or_an_http_error(pieces: list[bytes]) -> None:
    reader = ResponseReader()
    try:
        for piece in pieces:
            reader.feed(piece)
        reader.end_of_stream()
    except HttpError:
        pass


def test_an_oversized_answer_is_refused_before_it_is_read() -> None:
    reader = ResponseReader()
    with pytest.raises(HttpError, match="larger"):
        reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY + 1))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and its key (openssl is on every Debian)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = str(directory / "cert.pem"), str(directory / "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_https_origins_are_spoken_to_over_tls(certificate: tuple[str, str]) -> None:
    cert, key = certificate
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_side)
    await site.start()
    port = runner.addresses[0][1]
    trusting = ssl.create_default_context(cafile=cert)
    try:
        client = Http1Client(f"https://127.0.0.1:{port}", ssl_context=trusting)
        answer = await client.post_json("/secure", b'{"a":1}')
        await client.close()
        untrusting = Http1Client(f"https://127.0.0.1:{port}")
        with pytest.raises(ssl.SSLError):
            await untrusting.post_json("/secure", b"{}")
        await untrusting.close()
    finally:
        await runner.cleanup()
    assert json.loads(answer.body)["got"] == {"a": 1}
