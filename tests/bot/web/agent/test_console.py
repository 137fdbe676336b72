"""The agent console through HTTP: sign-in, sessions, CSRF, permissions and the case flow.

Every test runs on SQLite and on PostgreSQL (the demo store of tests/bot/web/conftest.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from bot.clock import service_clock
from bot.web.agent.auth import CONSOLE
from bot.web.keys import ENGINE, SETTINGS
from handlers import texts
from meters.case_records import CaseFile
from meters.case_store import SqlCaseStore
from meters.demo.model import DemoData
from meters.schema import ConversationLogEntry, HandoffCase, OutboxMessage, Survey
from tests.bot.web.agent.conftest import (
    PASSWORD,
    Client,
    Staff,
    csrf_of,
    customer_of,
    inbox,
    say,
    sign_in,
    visitor_linked,
)
from tests.bot.web.conftest import HEADERS

CODE = re.compile(r"YC\d{4}-\d{6}")


async def handed_off(client: Client, web_demo: DemoData) -> str:
    """A linked visitor asks for a person; the case code."""
    await visitor_linked(client, customer_of(web_demo))
    replies = await say(client, "cho tôi gặp nhân viên")
    found = CODE.search(" ".join(replies))
    assert found is not None, replies
    return found.group(0)


async def test_no_page_without_sign_in(client: Client, staff: Staff) -> None:
    for path in ("/agent/", "/agent/closed", "/agent/surveys", "/agent/cases/YC2026-000001"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"] == "/agent/login"
    response = await client.post("/agent/cases/YC2026-000001/claim", allow_redirects=False)
    assert response.status == 303
    for path in ("/agent/api/queue", "/agent/api/cases/YC2026-000001/messages"):
        response = await client.get(path)
        assert response.status == 401, path
    login = await client.get("/agent/login")
    assert login.status == 200
    assert "Đăng nhập" in await login.text()
    assert "'self'" in login.headers["Content-Security-Policy"]


async def test_sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it(
    client: Client, staff: Staff
) -> None:
    response = await client.post(
        "/agent/login", data={"username": "an", "password": PASSWORD}, allow_redirects=False
    )
    assert response.status == 303
    cookie = response.cookies["dienbot_agent"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/agent/"
    page = await client.get("/agent/")
    assert page.status == 200
    csrf = csrf_of(await page.text())
    out = await client.post("/agent/logout", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 303
    client.session.cookie_jar.update_cookies({"dienbot_agent": cookie.value})
    again = await client.get("/agent/", allow_redirects=False)
    assert again.status == 303  # the session is gone from the database, not just the cookie


async def test_wrong_passwords_are_refused_and_then_throttled(
    client: Client, staff: Staff
) -> None:
    moment = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    client.app[CONSOLE].now = lambda: moment  # the pause after the fourth failure has not passed
    for _ in range(4):
        response = await client.post(
            "/agent/login", data={"username": "an", "password": "sai-mat-khau"}
        )
        assert response.status == 401
        assert "Sai tên đăng nhập hoặc mật khẩu" in await response.text()
    response = await client.post("/agent/login", data={"username": "an", "password": PASSWORD})
    assert response.status == 429
    unknown = await client.post("/agent/login", data={"username": "ai", "password": PASSWORD})
    assert unknown.status == 401
    foreign = await client.post(
        "/agent/login",
        data={"username": "binh", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status == 403


async def test_csrf_is_required_on_every_post(
    client: Client, staff: Staff, web_demo: DemoData
) -> None:
    code = await handed_off(client, web_demo)
    await sign_in(client, "an")
    for data in ({}, {"csrf": "wrong"}):
        response = await client.post(f"/agent/cases/{code}/claim", data=data)
        assert response.status == 403
    response = await client.post(f"/agent/cases/{code}/reply", data={"text": "chào"})
    assert response.status == 403
    assert (await client.post("/agent/logout", data={})).status == 403
    with client.app[ENGINE].connect() as connection:
        assert connection.execute(select(HandoffCase.assignee_id)).scalar_one() is None


async def test_an_agent_sees_only_their_units_queue(
    client: Client, staff: Staff, web_demo: DemoData
) -> None:
    code = await handed_off(client, web_demo)
    await sign_in(client, "cuong")  # another unit
    queue = await (await client.get("/agent/api/queue")).json()
    assert queue["cases"] == []
    assert (await client.get(f"/agent/cases/{code}")).status == 404
    assert (await client.get(f"/agent/api/cases/{code}/messages")).status == 404
    csrf = csrf_of(await (await client.get("/agent/")).text())
    refused = await client.post(f"/agent/cases/{code}/claim", data={"csrf": csrf})
    assert refused.status == 404
    await sign_in(client, "an")
    rows = (await (await client.get("/agent/api/queue")).json())["cases"]
    assert [row["code"] for row in rows] == [code]
    assert rows[0]["unit"] == staff.unit
    await sign_in(client, "sup")
    rows = (await (await client.get("/agent/api/queue")).json())["cases"]
    assert [row["code"] for row in rows] == [code]


async def test_claim_reply_note_transfer_close_and_the_survey(
    client: Client, staff: Staff, web_demo: DemoData
) -> None:
    customer = customer_of(web_demo)
    code = await handed_off(client, web_demo)
    # The customer writes while waiting: only acknowledged, the message is in the case.
    [acknowledged] = await say(client, "nhà tôi tháng này tiền điện tăng gấp đôi")
    assert acknowledged.startswith(texts.WAITING_POSITION.split(" (")[0] + f" (hồ sơ {code}")
    csrf = await sign_in(client, "an")
    page = await (await client.get(f"/agent/cases/{code}")).text()
    assert "nhà tôi tháng này tiền điện tăng gấp đôi" in page
    assert "cho tôi gặp nhân viên" in page
    assert customer.customer_code in page  # the data panel
    lines = (await (await client.get(f"/agent/api/cases/{code}/messages")).json())["messages"]
    assert lines[-1]["author"] == "customer"
    last_id = lines[-1]["id"]

    claimed = await client.post(f"/agent/cases/{code}/claim", data={"csrf": csrf})
    assert claimed.status == 200
    assert str(claimed.url).endswith(f"/agent/cases/{code}")
    reply = "Dạ em đang kiểm tra chỉ số công tơ của anh/chị."
    sent = await client.post(f"/agent/cases/{code}/reply", data={"csrf": csrf, "text": reply})
    assert sent.status == 200
    await client.post(f"/agent/cases/{code}/note", data={"csrf": csrf, "text": "gọi lại sau"})
    lines = (await (await client.get(f"/agent/api/cases/{code}/messages?after={last_id}")).json())[
        "messages"
    ]
    assert [line["author"] for line in lines] == ["note", "bot", "agent", "note"]

    with client.app[ENGINE].connect() as connection:
        outbox = connection.execute(
            select(OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.priority).where(
                OutboxMessage.kind == "agent_reply"
            )
        ).all()
        logged = (
            connection.execute(
                select(ConversationLogEntry.text).where(ConversationLogEntry.direction == "out")
            )
            .scalars()
            .all()
        )
    assert outbox == [("agent_reply", "web", 0)]
    assert reply in logged
    pulled_replies = await inbox(client)
    pulled = [item["text"] for item in pulled_replies]
    assert reply in pulled
    assert any(texts.CASE_CLAIMED.format(agent="An") in text for text in pulled)
    authors = {item["text"]: item["author"] for item in pulled_replies}
    assert authors[reply] == texts.AGENT_AUTHOR.format(agent="An")  # the page names who writes
    assert {authors[text] for text in pulled if text != reply} == {None}  # the bot's notices
    assert await inbox(client) == []  # taken once

    # Transfer to the other unit: An no longer sees it, Cuong does.
    moved = await client.post(
        f"/agent/cases/{code}/transfer", data={"csrf": csrf, "to": f"unit:{staff.other_unit}"}
    )
    assert moved.status == 404  # back to a case An may no longer open
    assert (await (await client.get("/agent/api/queue")).json())["cases"] == []
    pulled = [item["text"] for item in await inbox(client)]
    assert any(staff.other_unit in text for text in pulled)  # "forwarded" is a status change

    csrf = await sign_in(client, "cuong")
    closed = await client.post(
        f"/agent/cases/{code}/close", data={"csrf": csrf, "resolution": "resolved"}
    )
    assert closed.status == 200
    assert str(closed.url).endswith("/agent/")
    pulled = await inbox(client)
    survey = next(item for item in pulled if item["buttons"])
    assert [b["data"] for b in survey["buttons"]] == [f"survey:{code}:{n}" for n in range(1, 6)]
    # Back with the bot: it answers again, and the survey's answer is kept.
    answer = await client.post(
        "/chat/api/messages", json={"callback_data": f"survey:{code}:4"}, headers=HEADERS
    )
    assert texts.SURVEY_THANKS.format(score=4) in str(await answer.json())
    assert await say(client, "nhân viên hỗ trợ nhanh") == [texts.SURVEY_COMMENT_THANKS]
    with client.app[ENGINE].connect() as connection:
        row = connection.execute(select(Survey.score, Survey.comment, Survey.unit)).one()
    assert tuple(row) == (4, "nhân viên hỗ trợ nhanh", staff.other_unit)
    results = await (await client.get("/agent/surveys")).text()
    assert "Cuong" in results
    assert "<svg" in results


async def test_a_closed_case_refuses_more_replies_and_a_claimed_one_other_agents(
    client: Client, staff: Staff, web_demo: DemoData
) -> None:
    code = await handed_off(client, web_demo)
    csrf = await sign_in(client, "an")
    await client.post(f"/agent/cases/{code}/claim", data={"csrf": csrf})
    csrf = await sign_in(client, "binh")
    taken = await client.post(f"/agent/cases/{code}/claim", data={"csrf": csrf})
    assert taken.status == 409
    assert "An" in await taken.text()
    csrf = await sign_in(client, "sup")
    await client.post(f"/agent/cases/{code}/close", data={"csrf": csrf, "resolution": "duplicate"})
    late = await client.post(f"/agent/cases/{code}/reply", data={"csrf": csrf, "text": "alo"})
    assert late.status == 409
    assert await say(client, "alo") != []  # the bot answers again


async def test_a_file_on_zalo_s_servers_opens_from_the_transcript(
    client: Client, staff: Staff, web_demo: DemoData
) -> None:
    code = await handed_off(client, web_demo)
    url = "https://photo-stal-9.zdn.vn/user/cong-to.jpg"
    with client.app[ENGINE].begin() as connection:
        store = SqlCaseStore(connection)
        case = store.case(code)
        assert case is not None
        now = service_clock(client.app[SETTINGS])()  # the customer sends it now
        store.add_message(case.id, "customer", "[ảnh] công tơ", now, file=CaseFile("photo", url))
        telegram = CaseFile("photo", "telegram:111:42")  # copied into the Telegram group instead
        store.add_message(case.id, "customer", "[ảnh]", now, file=telegram)
    await sign_in(client, "an")
    page = await (await client.get(f"/agent/cases/{code}")).text()
    assert f'<a href="{url}" target="_blank" rel="noopener noreferrer">' in page
    assert page.count("noopener noreferrer") == 1
    lines = (await (await client.get(f"/agent/api/cases/{code}/messages")).json())["messages"]
    assert [line["file_url"] for line in lines[-2:]] == [url, None]
