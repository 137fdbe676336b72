"""The chat page in headless Chromium against the real service on a TCP port, demo store behind.

Debian's /usr/bin/chromium is driven by Playwright (never `playwright install`: `make test`
installs the Debian package when it is missing). Without it the test is skipped, except under
CI=true where a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aiohttp import web

from bot.web.keys import ENGINE, RUNNER
from bot.web.visitor import COOKIE_NAME
from handlers import texts
from handlers.format import format_money
from handlers.routes import INTENT_HANDLERS
from handlers.types import Channel
from meters.account_store import SqlAccountStore
from meters.demo.model import DemoData
from nlu import Intent
from tests.bot.web.conftest import CapturedCodes, link_visitor

if TYPE_CHECKING:
    from playwright.async_api import Locator

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing under CI=true (make test installs Debian's chromium)")
    pytest.skip(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")


async def test_a_visitor_greets_asks_presses_links_and_sees_a_bill(
    served: tuple[str, web.Application], web_demo: DemoData
) -> None:
    require_chromium()
    from playwright.async_api import async_playwright, expect

    url, app = served
    codes = CapturedCodes()
    app[RUNNER].set_code_sender(Channel.WEB, codes)
    phones = [customer.phone for customer in web_demo.customers]
    customer = next(c for c in web_demo.customers if phones.count(c.phone) == 1)
    ARTIFACTS.mkdir(exist_ok=True)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
            await page.goto(url + "/")
            bot = page.locator(".message.bot")
            greeting = texts.GREETING.format(name=texts.GREETING_ANONYMOUS_NAME)
            await expect(bot.first).to_contain_text(greeting)
            await expect(page.get_by_role("note")).to_contain_text(texts.WEB_DEV_NOTICE)
            await expect(page.get_by_role("log")).to_have_attribute("aria-live", "polite")

            field = page.get_by_label(texts.WEB_INPUT_LABEL)
            before = await bot.count()
            await field.fill("hôm qua nhà tôi dùng bao nhiêu số")
            await field.press("Enter")
            await expect(page.locator(".message.you").last).to_have_text(
                texts.WEB_YOU + ": hôm qua nhà tôi dùng bao nhiêu số"
            )
            await expect(bot).not_to_have_count(before)
            assert customer.name not in await page.locator("#log").inner_text()

            await page.get_by_role("button", name=texts.MENU_LINK).last.click()
            await expect(bot.last).to_contain_text(texts.LINK_HOW_CODE_ONLY)

            await field.fill(customer.customer_code)
            await page.get_by_role("button", name=texts.WEB_SEND).click()
            await expect(bot.last).to_contain_text(texts.CODE_SENT.split("{")[0])
            await app[RUNNER].settle()  # the code goes beside the answer
            assert [sent.customer_code for sent in codes.sent] == [customer.customer_code]

            await field.fill(codes.sent[0].code)
            await field.press("Enter")
            linked = f"{customer.customer_code} – {customer.name}"
            await expect(page.locator("#log")).to_contain_text(linked)

            if Intent.BILL_QUERY in INTENT_HANDLERS:
                with app[ENGINE].connect() as connection:
                    accounts = SqlAccountStore(connection)
                    found = accounts.customer_by_code(customer.customer_code)
                    assert found is not None
                    latest = accounts.bills(found.id)[0]
                await field.fill("tiền điện kỳ gần nhất bao nhiêu")
                await field.press("Enter")
                await expect(bot.last).to_contain_text(format_money(latest.total))
            await page.screenshot(path=str(ARTIFACTS / "web-chat.png"), full_page=False)
        finally:
            await browser.close()
    if Intent.BILL_QUERY not in INTENT_HANDLERS:
        pytest.skip("linked; no bill handler is registered yet to show a bill")


PHONE = {"width": 412, "height": 915}
# The newest message is complete (its pictures decoded), inside the log's visible part, above
# the composer and inside the window, and nothing is drawn over any of its buttons.
NEWEST_FULLY_VISIBLE = """() => {
  const items = document.querySelectorAll("#log .message");
  const newest = items[items.length - 1];
  if (!newest) { return false; }
  if ([...newest.querySelectorAll("img")].some((i) => !i.complete || i.naturalHeight === 0)) {
    return false;
  }
  const box = newest.getBoundingClientRect();
  const log = document.getElementById("log").getBoundingClientRect();
  const composer = document.getElementById("composer").getBoundingClientRect();
  const inside = box.top >= Math.max(0, log.top) - 0.5 && box.bottom <= log.bottom + 0.5
    && box.bottom <= composer.top + 0.5 && box.bottom <= window.innerHeight + 0.5;
  const uncovered = [...newest.querySelectorAll("button, a")].every((b) => {
    const r = b.getBoundingClientRect();
    return b.contains(document.elementFromPoint(r.left + r.width / 2, r.bottom - 2));
  });
  return inside && uncovered;
}"""


async def test_on_a_phone_the_newest_reply_chart_and_buttons_are_fully_visible(
    served: tuple[str, web.Application], web_demo: DemoData
) -> None:
    require_chromium()
    from playwright.async_api import async_playwright, expect

    url, app = served
    customer = web_demo.customers[0]
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(viewport=PHONE, locale="vi-VN")
            page = await context.new_page()
            await page.goto(url + "/")
            bot = page.locator(".message.bot")
            await expect(bot.first).to_contain_text(texts.GREETING.split("{")[0])
            cookie = next(c for c in await context.cookies() if c["name"] == COOKIE_NAME)
            link_visitor(app, cookie["value"].partition(".")[0], customer.customer_code)
            field = page.get_by_label(texts.WEB_INPUT_LABEL)

            for message in ("menu", "tuần này nhà tôi dùng bao nhiêu điện"):
                before = await bot.count()
                await field.fill(message)
                await field.press("Enter")
                await expect(bot).not_to_have_count(before)
                await expect(bot.last.get_by_role("button").first).to_be_visible()
                await page.wait_for_function(NEWEST_FULLY_VISIBLE, timeout=5000)
            await page.screenshot(path=str(ARTIFACTS / "web-chat-phone-buttons.png"))

            await bot.last.get_by_role("button", name=texts.BUTTON_USAGE_CHART).click()
            await expect(bot.last.locator("img")).to_have_count(1)
            await page.wait_for_function(NEWEST_FULLY_VISIBLE, timeout=5000)
            await page.screenshot(path=str(ARTIFACTS / "web-chat-phone-chart.png"))
        finally:
            await browser.close()


async def test_on_a_touch_screen_a_tapped_button_does_not_stay_highlighted(
    served: tuple[str, web.Application],
) -> None:
    require_chromium()
    from playwright.async_api import async_playwright, expect

    url, _ = served
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(
                viewport=PHONE, locale="vi-VN", has_touch=True, is_mobile=True
            )
            page = await context.new_page()
            await page.goto(url + "/")
            bot = page.locator(".message.bot")
            tapped = bot.first.get_by_role("button").first
            idle = await background_of(tapped)
            before = await bot.count()
            await tapped.tap()
            await expect(bot).not_to_have_count(before)
            # A finger leaves no hover behind: the button looks as it did, not "selected".
            assert await background_of(tapped) == idle
        finally:
            await browser.close()


async def background_of(element: Locator) -> str:
    """The computed background colour of an element."""
    colour: str = await element.evaluate("(node) => getComputedStyle(node).backgroundColor")
    return colour
