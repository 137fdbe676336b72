"""`dienbot chat`: the terminal chat as a Channel.LOCAL user, fed through standard input."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from handlers import texts
from handlers.types import Channel
from meters.database import create_store_engine, upgrade
from meters.demo.generate import generate_demo
from meters.demo.load import load_demo
from meters.demo.model import DemoData
from meters.schema import ChatUser
from tests.clock import offset_to

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 20)  # the demo data's last day; the chat runs at 10:00 on it
MOMENT = datetime.combine(TODAY, time(10, 0), tzinfo=ZONE)
Line = str | Callable[[], str]


class ScriptedInput:
    """Standard input whose lines are typed one at a time; a callable line is typed late."""

    def __init__(self, *lines: Line) -> None:
        self._lines = list(lines)

    def readline(self) -> str:
        if not self._lines:
            return ""
        line = self._lines.pop(0)
        return (line() if callable(line) else line) + "\n"


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(seed=5, customers=20, today=TODAY, zone=ZONE, days=40)


@pytest.fixture
def demo_database(tmp_path: Path, demo: DemoData) -> str:
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    engine = create_store_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        load_demo(connection, demo, ZONE)
    engine.dispose()
    return url


def numbered(output: str, label: str) -> str:
    """The number printed before the button labelled `label` (the last one shown)."""
    numbers = re.findall(rf"\[(\d+)\] {re.escape(label)}\n", output)
    assert numbers, f"no button {label!r} in:\n{output}"
    return str(numbers[-1])


def chat(monkeypatch: pytest.MonkeyPatch, database: str, *lines: Line, user: str = "local") -> int:
    monkeypatch.setattr("sys.stdin", ScriptedInput(*lines))
    monkeypatch.setenv("DIENBOT_CLOCK_OFFSET", offset_to(MOMENT))
    return main(["chat", "--database", database, "--user", user])


def test_the_chat_greets_and_numbers_the_buttons(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], demo_database: str
) -> None:
    assert chat(monkeypatch, demo_database) == 0

    output = capsys.readouterr().out
    greeting = texts.GREETING.format(name=texts.GREETING_ANONYMOUS_NAME)
    assert f"bot> {greeting}" in output
    assert f"[1] {texts.MENU_USAGE}" in output
    assert texts.LINK_HOW_CODE_ONLY in output
    assert texts.LOCAL_BUTTON_HINT in output


def test_typing_a_number_presses_the_button(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], demo_database: str
) -> None:
    printed: list[str] = []

    def press(label: str) -> Callable[[], str]:
        def line() -> str:
            printed.append(capsys.readouterr().out)
            return numbered("".join(printed), label)

        return line

    chat(monkeypatch, demo_database, press(texts.MENU_LINK), "99")

    printed.append(capsys.readouterr().out)
    after_greeting, after_press = printed
    assert texts.LINK_HOW_CODE_ONLY in after_greeting
    assert after_press.startswith(f"bot> {texts.LINK_HOW_CODE_ONLY}")
    assert texts.MENU_LINK in after_press  # "99" is no button: it is sent as a text


def test_linking_with_the_code_from_the_log(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    demo_database: str,
    demo: DemoData,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.conversation")
    customer = demo.customers[0]

    def code_from_the_log() -> str:
        found = re.findall(r"one-time code (\d{6}) for customer", caplog.text)
        assert found, "the embedded default logs the code"
        return str(found[-1])

    chat(
        monkeypatch,
        demo_database,
        "lien ket ma khach hang",
        customer.customer_code,
        code_from_the_log,
        user="tester",
    )

    output = capsys.readouterr().out
    assert customer.customer_code in caplog.text
    assert f"{customer.customer_code} – {customer.name}" in output
    assert texts.CONSENT_NOTICE in output
    engine = create_store_engine(demo_database)
    with engine.connect() as connection:
        channels = connection.execute(
            select(ChatUser.channel).where(ChatUser.external_id == "tester")
        ).scalars()
        assert list(channels) == [Channel.LOCAL.value]
    engine.dispose()
