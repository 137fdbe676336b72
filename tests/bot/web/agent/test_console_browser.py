"""The agent console and the web chat side by side in headless Chromium (Debian's chromium).

A linked visitor asks for a person; the agent An signs in, claims the case, answers (the answer
reaches the visitor's page), sees the visitor's next message arrive live, hands the case to
Binh, who closes it; the survey arrives in the web chat and the visitor answers it.
"""

from __future__ import annotations

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.clock import service_clock
from bot.web.keys import ENGINE, SETTINGS
from handlers import texts
from meters.account_store import SqlAccountStore
from meters.chat_store import SqlChatStore
from meters.demo.model import DemoData
from meters.schema import Survey
from tests.bot.web.agent.conftest import PASSWORD, add_agent, customer_of
from tests.bot.web.test_chat_page import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_chromium

pytestmark = pytest.mark.browser
REPLY = "Dạ em là An, em đang kiểm tra hóa đơn của anh/chị."


def link_visitor(app: web.Application, visitor: str, customer_code: str) -> None:
    """Link the visitor's chat to a customer, as a verified one-time code does."""
    now = service_clock(app[SETTINGS])()
    with app[ENGINE].begin() as connection:
        chats = SqlChatStore(connection)
        chat_id = chats.enter_chat("web", visitor, None, now)
        found = SqlAccountStore(connection).customer_by_code(customer_code)
        assert found is not None
        chats.link(chat_id, found.id, "otp", now)
        chats.grant_consents(chat_id, ("lookups", "surveys"), now)


async def test_sign_in_claim_reply_transfer_close_and_the_survey_arrives(
    served: tuple[str, web.Application], web_demo: DemoData
) -> None:
    require_chromium()
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=15_000)  # the pages poll every 3 s
    url, app = served
    customer = customer_of(web_demo)
    add_agent(app[ENGINE], "an", "agent", customer.power_company)
    add_agent(app[ENGINE], "binh", "agent", customer.power_company)
    ARTIFACTS.mkdir(exist_ok=True)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            visitor_context = await browser.new_context(locale="vi-VN")
            chat = await visitor_context.new_page()
            await chat.goto(url + "/")
            bot = chat.locator(".message.bot")
            await expect(bot.first).to_contain_text(texts.GREETING.split("{")[0])
            cookie = next(
                c for c in await visitor_context.cookies() if c["name"] == "dienbot_visitor"
            )
            link_visitor(app, cookie["value"].partition(".")[0], customer.customer_code)
            field = chat.get_by_label(texts.WEB_INPUT_LABEL)
            await field.fill("cho tôi gặp nhân viên")
            await field.press("Enter")
            await expect(chat.locator("#log")).to_contain_text("mã hồ sơ YC")

            an_context = await browser.new_context(locale="vi-VN")
            console = await an_context.new_page()
            await console.goto(url + "/agent/")
            await expect(console).to_have_url(url + "/agent/login")
            await console.get_by_label("Tên đăng nhập").fill("an")
            await console.get_by_label("Mật khẩu").fill(PASSWORD)
            await console.get_by_role("button", name="Đăng nhập").click()
            await expect(console.locator("#queue-rows")).to_contain_text(customer.customer_code)
            await console.locator("#queue-rows a").first.click()
            await expect(console.locator("#transcript")).to_contain_text("cho tôi gặp nhân viên")
            await console.get_by_role("button", name="Nhận hồ sơ").click()
            await expect(console.locator(".facts")).to_contain_text("Nhân viên: An")
            await console.get_by_label("Trả lời khách hàng").fill(REPLY)
            await console.get_by_role("button", name="Gửi cho khách hàng").click()

            await expect(bot.last).to_contain_text(REPLY)  # pulled from the web chat inbox
            await field.fill("vâng, tôi chờ ạ")
            await field.press("Enter")
            await expect(console.locator("#transcript")).to_contain_text("vâng, tôi chờ ạ")
            await console.screenshot(path=str(ARTIFACTS / "agent-console.png"), full_page=True)

            await console.locator("#transfer-to").select_option(
                label=f"Nhân viên Binh ({customer.power_company})"
            )
            await console.get_by_role("button", name="Chuyển", exact=True).click()
            await expect(console.locator(".facts")).to_contain_text("Nhân viên: Binh")

            binh_context = await browser.new_context(locale="vi-VN")
            binh = await binh_context.new_page()
            await binh.goto(url + "/agent/login")
            await binh.get_by_label("Tên đăng nhập").fill("binh")
            await binh.get_by_label("Mật khẩu").fill(PASSWORD)
            await binh.get_by_role("button", name="Đăng nhập").click()
            await binh.locator("#queue-rows a").first.click()
            await binh.locator("#resolution").select_option("resolved")
            await binh.get_by_role("button", name="Đóng hồ sơ").click()
            await expect(binh.locator("#queue-rows")).to_contain_text("Không có hồ sơ nào.")

            survey_button = chat.get_by_role("button", name="4", exact=True)
            await expect(survey_button).to_be_visible()
            await survey_button.click()
            await expect(bot.last).to_contain_text(texts.SURVEY_THANKS.format(score=4))
            await chat.screenshot(path=str(ARTIFACTS / "agent-survey-web-chat.png"))
        finally:
            await browser.close()
    with app[ENGINE].connect() as connection:
        assert connection.execute(select(Survey.score)).scalar_one() == 4
