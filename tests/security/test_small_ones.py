"""Issue 20 item 9: hostile JSON, ids and files are refused cleanly; typed personal details
never reach the conversation log; the one-time code pepper is the store's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import DummyCookieJar
from sqlalchemy import Engine, func, select

from bot.cli import main
from bot.web.agent.auth import CONSOLE
from bot.web.keys import ENGINE, RUNNER
from bot.web.visitor import CODE_PEPPER_NAME, SECRET_NAME
from handlers.privacy import mask_typed_details
from meters.channel_store import read_token
from meters.schema import ConversationLogEntry, Reading
from tests.security.conftest import CHAT_HEADERS, Client, ClientFactory, service

AGENT_PASSWORD = "mat-khau-dai-dai-9"
CUSTOMERS = (
    "customer_code,name,phone,address,area,customer_type,meter_id,meter_kind,reading_day\n"
    "PE0100000001,Nguyễn Văn An,0912345678,12 Lê Lợi,Quận 1,residential,M1,single,15\n"
)


async def visitor(client: Client) -> dict[str, str]:
    async with client.get("/") as page:
        cookie = page.cookies["dienbot_visitor"].value
    return {**CHAT_HEADERS, "Cookie": f"dienbot_visitor={cookie}"}


@pytest.mark.parametrize(
    "body",
    [
        "[" * 4000 + "]" * 4000,
        '{"text": ' + "[" * 3000 + "]" * 3000 + "}",
        '{"location": {"lat": ' + "9" * 400 + ', "lon": 1}}',
        '{"location": {"lat": -' + "9" * 400 + ', "lon": 1}}',
        '{"text": ' + "9" * 5000 + "}",
    ],
)
async def test_hostile_json_gets_400_not_500(
    aiohttp_client: ClientFactory, sqlite_url: str, body: str
) -> None:
    client = await aiohttp_client(service(sqlite_url), cookie_jar=DummyCookieJar())
    headers = {**await visitor(client), "Content-Type": "application/json"}
    async with client.post("/chat/api/messages", data=body.encode(), headers=headers) as reply:
        assert reply.status == 400
        assert (await reply.json())["replies"]


@pytest.mark.parametrize("after", ["9" * 23, "²", "-1", "1e5", "9223372036854775808"])
async def test_a_transcript_line_id_that_is_not_one_gets_400(
    aiohttp_client: ClientFactory, sqlite_url: str, after: str
) -> None:
    client = await aiohttp_client(service(sqlite_url, DIENBOT_AGENT_PASSWORD=AGENT_PASSWORD))
    signed_in = await client.post(
        "/agent/login", data={"username": "admin", "password": AGENT_PASSWORD}
    )
    assert signed_in.status == 200  # followed to the queue
    async with client.get(f"/agent/api/cases/YC2026-000001/messages?after={after}") as found:
        assert found.status == 400
    assert client.app[CONSOLE] is not None


def readings(database_url: str) -> int:
    from meters.database import create_store_engine

    engine = create_store_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(Reading)).scalar_one())
    finally:
        engine.dispose()


def test_a_huge_index_exits_2_with_its_line_and_writes_nothing(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS)
    assert main(["import", "customers", str(customers), "--database", database_url]) == 0
    path = tmp_path / "readings.csv"
    path.write_text(
        "meter_id,read_at,index_kwh\nM1,2026-11-20,10\nM1,2026-11-21,9300000000000000000000\n"
    )
    capsys.readouterr()
    assert main(["import", "readings", str(path), "--database", database_url]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert (
        errors[0]
        == f"{path}:3: index_kwh: 9300000000000000000000 is too large (at most 15 digits)"
    )
    assert readings(database_url) == 0


BIG = "1" + "0" * 30
WIDE_ROWS = {
    "customers": (
        CUSTOMERS.splitlines()[0] + ",households",
        f"PE0100000002,Bình,0912345679,1 A,Q1,residential,M2,single,15,{BIG}",
        "households",
    ),
    "bills": (
        "bill_no,customer_code,period_start,period_end,kwh,amount_before_vat,vat,total,due_date",
        f"B1,PE0100000001,2026-10-01,2026-10-31,1,{BIG},0,{BIG},2026-11-20",
        "amount_before_vat",
    ),
}


@pytest.mark.parametrize("kind", sorted(WIDE_ROWS))
def test_numbers_wider_than_the_store_keeps_are_refused(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    header, row, column = WIDE_ROWS[kind]
    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS)
    assert main(["import", "customers", str(customers), "--database", database_url]) == 0
    path = tmp_path / f"{kind}.csv"
    path.write_text(f"{header}\n{row}\n")
    capsys.readouterr()
    assert main(["import", kind, str(path), "--database", database_url]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: {column}: {BIG} is too large" in err


def test_a_header_of_100_000_columns_is_refused(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "readings.csv"
    names = ",".join(f"c{number}" for number in range(100_000))
    path.write_text(f"meter_id,read_at,index_kwh,{names}\nM1,2026-11-20,1{',' * 100_000}\n")
    assert main(["import", "readings", str(path), "--database", sqlite_url]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith(f"{path}:1: header: unknown column 'c0'")
    assert errors[-2].startswith(f"{path}: and ")


async def test_typed_personal_details_are_masked_in_the_conversation_log(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    client = await aiohttp_client(service(database_url), cookie_jar=DummyCookieJar())
    headers = await visitor(client)
    typed = (
        "Tôi tên Trần Thị Bình, email binh.tran@example.vn, CCCD 079203001234, "
        "địa chỉ 45/3 Nguyễn Trãi, phường 7, quận 5"
    )
    async with client.post("/chat/api/messages", json={"text": typed}, headers=headers) as r:
        assert r.status == 200
    engine: Engine = client.app[ENGINE]
    with engine.connect() as connection:
        logged = connection.execute(
            select(ConversationLogEntry.text).where(ConversationLogEntry.direction == "in")
        ).scalar_one()
    for detail in ("Trần Thị Bình", "binh.tran", "example.vn", "079203001", "45/3", "Nguyễn Trãi"):
        assert detail not in logged
    assert logged.startswith("Tôi tên […], email ***@***, CCCD *********234, địa chỉ […]")


async def test_the_one_time_code_pepper_is_generated_and_kept_in_the_store(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    first = await aiohttp_client(service(database_url))
    pepper = first.app[RUNNER].config.code_pepper
    second = await aiohttp_client(service(database_url))
    assert second.app[RUNNER].config.code_pepper == pepper  # every process, every restart
    assert pepper != b"dienbot"
    assert len(pepper) == 32
    with first.app[ENGINE].connect() as connection:
        stored = read_token(connection, CODE_PEPPER_NAME)
        cookie_secret = read_token(connection, SECRET_NAME)
    assert stored is not None
    assert cookie_secret is not None
    assert bytes.fromhex(stored.value) == pepper
    assert stored.value != cookie_secret.value


@pytest.mark.parametrize(
    ("typed", "logged"),
    [
        ("email tôi là an.nguyen@example.com nhé", "email tôi là ***@*** nhé"),
        ("CCCD 079203001234, CMND 023456789", "CCCD *********234, CMND ******789"),
        ("tôi tên Nguyễn Văn An, cần hỏi tiền điện", "tôi tên […], cần hỏi tiền điện"),
        ("tên tôi là nguyễn thị bình", "tên tôi là […]"),
        ("Tôi là Trần Minh Khoa khách hàng cũ", "Tôi là […] khách hàng cũ"),
        ("địa chỉ: 12 Lê Lợi, phường Bến Nghé, quận 1. Cảm ơn", "địa chỉ: […]. Cảm ơn"),
        ("nhà tôi ở 45/3 đường Nguyễn Trãi quận 5", "nhà tôi ở […]"),
        ("giao tới 12 Lê Lợi giúp tôi", "giao tới […] giúp tôi"),
        # What is not personal stays readable.
        (
            "tiền điện tháng 10 là 1.234.567 đ, 350 KWh",
            "tiền điện tháng 10 là 1.234.567 đ, 350 KWh",
        ),
        ("lịch cúp điện ở quận 1 tuần này", "lịch cúp điện ở quận 1 tuần này"),
        ("tôi là khách hàng", "tôi là khách hàng"),
        ("Chào anh, em là Lan, em kiểm tra ngay ạ.", "Chào anh, em là Lan, em kiểm tra ngay ạ."),
    ],
)
def test_typed_details_are_masked_and_the_rest_is_kept(typed: str, logged: str) -> None:
    assert mask_typed_details(typed) == logged
