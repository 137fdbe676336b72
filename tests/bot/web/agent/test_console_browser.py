"""The agent console and the web chat side by side in headless Chromium (Debian's chromium).

A linked visitor asks for a person; the agent An signs in, claims the case, answers (the answer
reaches the visitor's page), sees the visitor's next message arrive live, hands the case to
Binh, who closes it; the survey arrives in the web chat and the visitor answers it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import web
from sqlalchemy import select, update

from bot.web.agent.views import moment_text
from bot.web.keys import ENGINE
from handlers import texts
from meters.demo.model import DemoData
from meters.schema import ConversationLogEntry, Survey
from tests.bot.web.agent.conftest import PASSWORD, add_agent, customer_of
from tests.bot.web.conftest import ZONE, link_visitor
from tests.bot.web.test_chat_page import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    background_of,
    require_chromium,
)

pytestmark = pytest.mark.browser
REPLY = "Dạ em là An, em đang kiểm tra hóa đơn của anh/chị."


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

            agent = chat.locator(".message.agent")  # pulled from the web chat inbox
            await expect(agent.last).to_contain_text(REPLY)
            label = agent.last.locator(".who")
            await expect(label).to_have_text(texts.AGENT_AUTHOR.format(agent="An"))
            await expect(label).to_be_visible()
            assert await label.bounding_box() is not None
            assert await background_of(agent.last) != await background_of(bot.last)
            await chat.screenshot(path=str(ARTIFACTS / "agent-reply-web-chat.png"))
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


async def test_the_case_shows_earlier_lines_when_said_readable_and_the_guess_in_words(
    served: tuple[str, web.Application], web_demo: DemoData
) -> None:
    require_chromium()
    from playwright.async_api import async_playwright, expect

    url, app = served
    customer = customer_of(web_demo)
    add_agent(app[ENGINE], "an", "agent", customer.power_company)
    typed = "mã 424242, tôi gọi 1900 545454 rồi, hồ sơ YC2026-000123 sao rồi?"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            visitor = await browser.new_context(locale="vi-VN")
            chat = await visitor.new_page()
            await chat.goto(url + "/")
            bot = chat.locator(".message.bot")
            await expect(bot.first).to_contain_text(texts.GREETING.split("{")[0])
            cookie = next(c for c in await visitor.cookies() if c["name"] == "dienbot_visitor")
            link_visitor(app, cookie["value"].partition(".")[0], customer.customer_code)
            field = chat.get_by_label(texts.WEB_INPUT_LABEL)
            for message in ("tiền điện tháng trước bao nhiêu", typed):
                before = await bot.count()
                await field.fill(message)
                await field.press("Enter")
                await expect(bot).not_to_have_count(before)
            with app[ENGINE].begin() as connection:  # two hours pass before the handoff
                said = connection.execute(
                    select(ConversationLogEntry.id, ConversationLogEntry.created_at)
                ).all()
                for row_id, at in said:
                    connection.execute(
                        update(ConversationLogEntry)
                        .where(ConversationLogEntry.id == row_id)
                        .values(created_at=at - timedelta(hours=2))
                    )
            said_at = max(at for _, at in said) - timedelta(hours=2)
            await field.fill("cho tôi gặp nhân viên")
            await field.press("Enter")
            await expect(chat.locator("#log")).to_contain_text("mã hồ sơ YC")

            console = await (await browser.new_context(locale="vi-VN")).new_page()
            await console.goto(url + "/agent/login")
            await console.get_by_label("Tên đăng nhập").fill("an")
            await console.get_by_label("Mật khẩu").fill(PASSWORD)
            await console.get_by_role("button", name="Đăng nhập").click()
            await console.locator("#queue-rows a").first.click()
            transcript = console.locator("#transcript")
            facts = console.locator(".facts")
            await expect(facts).to_contain_text(
                "Bot đoán: " + texts.INTENT_LABELS["request_status"]
            )
            await expect(facts).not_to_contain_text("request_status")
            line = transcript.locator(".msg.customer", has_text="1900 545454")
            await expect(line).to_contain_text("mã ******, tôi gọi 1900 545454 rồi")
            await expect(line).to_contain_text("hồ sơ YC2026-000123 sao rồi?")
            await expect(line.locator("time")).to_have_text(moment_text(said_at, ZONE))
            asked = transcript.locator(".msg.customer", has_text="cho tôi gặp nhân viên")
            assert await asked.locator("time").inner_text() != moment_text(said_at, ZONE)
            await expect(transcript.locator(".msg.bot", has_text="Hóa đơn tháng")).to_contain_text(
                customer.customer_code  # the linked customer's code, as the bot said it
            )
            await console.screenshot(path=str(ARTIFACTS / "agent-console-transcript.png"))
        finally:
            await browser.close()
