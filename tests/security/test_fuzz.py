"""Generated bodies at the three HTTP entry points and generated files at every importer: never
a 500, never a traceback in the log, and nothing written for what is refused."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, DummyCookieJar, web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from bot.web.keys import ENGINE, TELEGRAM
from meters.importer import ImportRejected, import_file
from meters.importer.readings import COLUMNS as READING_COLUMNS
from meters.importer.run import RECORD_KINDS
from meters.schema import ChatUser, ConversationLogEntry, InboundEvent, ProcessedEvent
from tests.fakes.telegram_api import SECRET_HEADER, FakeTelegram
from tests.fakes.zalo_api import UNSIGNED, FakeZalo
from tests.meters.importer.conftest import CONTEXT, CUSTOMERS_HEADER, customer_line, snapshot
from tests.security.conftest import CHAT_HEADERS, Client, ClientFactory, service

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WEBHOOK_SECRET = "fuzz-secret"

huge_numbers = st.sampled_from(
    [10**400, -(10**400), 2**63, -(2**63) - 1, 1e308, -0.0, 9300000000000000000000]
)
scalars = (
    st.none() | st.booleans() | st.integers() | huge_numbers | st.floats() | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=16,
)
deep = st.integers(min_value=50, max_value=5000).map(lambda depth: "[" * depth + "]" * depth)


def encoded(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


chat_bodies = (
    st.fixed_dictionaries(
        {},
        optional={
            "text": st.text(max_size=1200) | scalars,
            "callback_data": st.text(max_size=80) | scalars,
            "location": st.fixed_dictionaries({"lat": scalars, "lon": scalars}) | json_values,
        },
    ).map(encoded)
    | json_values.map(encoded)
    | deep.map(str.encode)
    | st.binary(max_size=400)
)


def count(engine: Engine, *tables: Any) -> tuple[int, ...]:
    with engine.connect() as connection:
        return tuple(
            int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for table in tables
        )


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        caplog.handler.format(record)
        for record in caplog.records
        if record.exc_info or record.levelno >= logging.ERROR
    ]


@pytest.fixture
async def chat(aiohttp_client: ClientFactory, sqlite_url: str) -> tuple[Client, dict[str, str]]:
    """The service and the headers of one visitor (cookie, CSRF header)."""
    client = await aiohttp_client(service(sqlite_url), cookie_jar=DummyCookieJar())
    async with client.get("/") as page:
        cookie = page.cookies["dienbot_visitor"].value
    return client, {**CHAT_HEADERS, "Cookie": f"dienbot_visitor={cookie}"}


@FUZZ
@given(body=chat_bodies)
async def test_the_web_chat_api_answers_every_body_without_a_500(
    chat: tuple[Client, dict[str, str]], body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    client, headers = chat
    engine = client.app[ENGINE]
    before = count(engine, ChatUser, ConversationLogEntry)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        async with client.post(
            "/chat/api/messages",
            data=body,
            headers={**headers, "Content-Type": "application/json"},
        ) as response:
            status = response.status
            answer = await response.json()
    assert status in (200, 400, 413, 429), answer
    assert answer["replies"]
    assert tracebacks(caplog) == []
    if status != 200:
        assert count(engine, ChatUser, ConversationLogEntry) == before


telegram_updates = st.fixed_dictionaries(
    {"update_id": st.integers(min_value=-5, max_value=2**63) | scalars},
    optional={
        "message": st.fixed_dictionaries(
            {},
            optional={
                "message_id": st.integers(min_value=0, max_value=2**40) | scalars,
                "date": st.integers(min_value=0, max_value=2**40) | scalars,
                "chat": st.fixed_dictionaries(
                    {"id": st.integers(min_value=-(2**52), max_value=2**52) | scalars},
                    optional={"type": st.sampled_from(["private", "group", "x"]) | scalars},
                ),
                "from": st.fixed_dictionaries(
                    {"id": st.integers(min_value=1, max_value=2**52) | scalars},
                    optional={"is_bot": st.booleans(), "first_name": st.text(max_size=20)},
                ),
                "text": st.text(max_size=300) | scalars,
                "location": json_values,
                "contact": json_values,
            },
        )
        | json_values,
        "callback_query": json_values,
        "my_chat_member": json_values,
    },
)


@pytest.fixture
async def telegram_webhook(
    aiohttp_server: Any, telegram: FakeTelegram, sqlite_url: str, unused_tcp_port: int
) -> tuple[str, web.Application]:
    """The service in Telegram webhook mode; the webhook's URL and the store."""
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/webhook"
    app = service(
        sqlite_url,
        DIENBOT_TELEGRAM_TOKEN=telegram.token,
        DIENBOT_TELEGRAM_API_URL=telegram.base_url,
        DIENBOT_TELEGRAM_WEBHOOK_URL=url,
        DIENBOT_TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    await aiohttp_server(app, port=unused_tcp_port)
    return url, app


@FUZZ
@given(
    body=telegram_updates.map(encoded) | json_values.map(encoded) | st.binary(max_size=300),
    secret=st.sampled_from([WEBHOOK_SECRET, WEBHOOK_SECRET, "wrong", None]),
)
async def test_the_telegram_webhook_never_fails_and_stores_only_what_it_acknowledges(
    telegram_webhook: tuple[str, web.Application],
    body: bytes,
    secret: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, app = telegram_webhook
    engine = app[ENGINE]
    before = count(engine, ProcessedEvent, InboundEvent)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        async with ClientSession() as session, session.post(url, data=body, headers=headers) as r:
            status = r.status
        inbox = app[TELEGRAM].inbox
        assert inbox is not None
        await inbox.drain()  # the update is answered in the background
    assert status in ((200, 400) if secret == WEBHOOK_SECRET else (403,))
    assert tracebacks(caplog) == []
    if status != 200:
        assert count(engine, ProcessedEvent, InboundEvent) == before


@pytest.fixture
async def zalo_service(aiohttp_client: ClientFactory, zalo: FakeZalo, sqlite_url: str) -> Client:
    """The service with the Zalo channel on the stand-in."""
    return await aiohttp_client(
        service(
            sqlite_url,
            DIENBOT_ZALO_APP_ID=zalo.app_id,
            DIENBOT_ZALO_APP_SECRET=zalo.app_secret,
            DIENBOT_ZALO_OA_SECRET_KEY=zalo.oa_secret_key,
            DIENBOT_ZALO_REFRESH_TOKEN=zalo.refresh_token,
            DIENBOT_ZALO_API_URL=zalo.url,
        )
    )


@FUZZ
@given(body=json_values.map(encoded) | st.binary(max_size=300), sign=st.booleans())
async def test_a_refused_zalo_delivery_writes_nothing(
    zalo_service: Client,
    zalo: FakeZalo,
    body: bytes,
    sign: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = zalo_service
    engine = client.app[ENGINE]
    before = count(engine, ProcessedEvent, InboundEvent)
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    timestamp = parsed.get("timestamp") if isinstance(parsed, dict) else None
    signature = zalo.sign(body, str(timestamp)) if sign else UNSIGNED
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        status = await zalo.send_event(
            str(client.make_url("/zalo/webhook")), {}, raw=body, signature=signature
        )
    assert status in (200, 400, 401, 403)
    assert tracebacks(caplog) == []
    if status != 200:
        assert count(engine, ProcessedEvent, InboundEvent) == before


HOSTILE_VALUES = st.sampled_from(
    [
        "",
        "9" * 25,
        "1" + "0" * 5000,
        "-1",
        "1e400",
        "٣",
        "Ⅻ",
        "0.0001",
        "nan",
        "2026-02-30",
        "2026-11-20T25:00",
        "PE0100000001",
        "0912345678",
        "\x00",
        '"',
        "a" * 3000,
    ]
) | st.text(max_size=20)
COLUMNS_OF = {
    "readings": READING_COLUMNS.names,
    **{kind: RECORD_KINDS[kind].columns.names for kind in RECORD_KINDS},
}


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Engine:
    """A store with one customer and its meter."""
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS_HEADER + "\n" + customer_line(1) + "\n")
    with engine.begin() as connection:
        import_file(connection, "customers", path, CONTEXT)
    return engine


@FUZZ
@given(
    kind=st.sampled_from(sorted(COLUMNS_OF)),
    rows=st.lists(st.lists(HOSTILE_VALUES, min_size=1, max_size=14), min_size=1, max_size=4),
)
def test_every_importer_refuses_hostile_values_cleanly(
    store: Engine, tmp_path: Path, kind: str, rows: list[list[str]]
) -> None:
    names = COLUMNS_OF[kind]
    lines = [",".join(names)]
    for row in rows:
        cells = [json.dumps(value) if "," in value or '"' in value else value for value in row]
        lines.append(",".join((cells + [""] * len(names))[: len(names)]))
    path = tmp_path / f"{kind}.csv"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    before = snapshot(store)
    report: tuple[str, ...] = ()
    try:
        with store.begin() as connection:
            import_file(connection, kind, path, CONTEXT)
    except ImportRejected as rejected:
        report = rejected.lines
    if report:
        assert all(line.startswith(f"{path}:") for line in report)
        assert snapshot(store) == before
