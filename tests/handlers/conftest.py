"""A fake chat over the real store: say something, get the bot's replies (errbot's testbot)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from handlers.context import ConversationConfig, Deps
from handlers.dispatch import handle_update
from handlers.types import (
    Channel,
    Effect,
    Location,
    Reply,
    SendOneTimeCode,
    SharedContact,
    Update,
    UserRef,
)
from meters.account_store import SqlAccountStore
from meters.chat_store import SqlChatStore
from meters.demo.generate import generate_demo
from meters.demo.load import load_demo
from meters.demo.model import DemoData
from meters.repository import SqlMeterRepository
from meters.usage import UsageService

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 20)
NOW = datetime.combine(TODAY, time(9, 30), tzinfo=ZONE)


@dataclass
class FakeChat:
    """One person chatting on one channel, with the effects the bot asked the edge to carry out."""

    engine: Engine
    config: ConversationConfig
    user: UserRef
    now: datetime = NOW
    effects: list[Effect] = field(default_factory=list)

    def send(self, update: Update) -> tuple[Reply, ...]:
        """Handle one update in its own transaction, as the runner does."""
        with self.engine.begin() as connection:
            accounts = SqlAccountStore(connection)
            deps = Deps(
                chats=SqlChatStore(connection),
                accounts=accounts,
                usage=UsageService(SqlMeterRepository(connection)),
                config=self.config,
                now=self.now,
                areas=accounts.area_names(),
            )
            outcome = handle_update(update, deps)
        self.effects.extend(outcome.effects)
        return outcome.replies

    def say(self, text: str) -> tuple[Reply, ...]:
        """Type a message."""
        return self.send(Update(user=self.user, received_at=self.now, text=text))

    def press(self, data: str) -> tuple[Reply, ...]:
        """Press a button whose callback data is `data`."""
        return self.send(Update(user=self.user, received_at=self.now, callback_data=data))

    def share_contact(
        self,
        phone: str,
        *,
        owner: str | None = None,
        forwarded: bool = False,
        private_chat: bool = True,
    ) -> tuple[Reply, ...]:
        """Share a phone card (the chat's own unless `owner` names someone else)."""
        contact = SharedContact(phone, self.user.external_id if owner is None else owner)
        return self.send(
            Update(
                user=self.user,
                received_at=self.now,
                contact=contact,
                forwarded=forwarded,
                private_chat=private_chat,
            )
        )

    def share_location(self, latitude: float, longitude: float) -> tuple[Reply, ...]:
        """Share a place."""
        return self.send(
            Update(user=self.user, received_at=self.now, location=Location(latitude, longitude))
        )

    def later(self, delta: timedelta) -> None:
        """Let time pass."""
        self.now += delta

    def last_code(self) -> SendOneTimeCode:
        """The one-time code the bot last asked to deliver."""
        codes = [effect for effect in self.effects if isinstance(effect, SendOneTimeCode)]
        assert codes, "no one-time code was sent"
        return codes[-1]


def text_of(replies: tuple[Reply, ...]) -> str:
    """All reply texts joined, for `in` checks."""
    return "\n".join(reply.text for reply in replies)


def button_data(replies: tuple[Reply, ...]) -> list[str]:
    """The callback data of every button under the replies."""
    return [button.data for reply in replies for button in reply.buttons]


@pytest.fixture(scope="session")
def demo_data() -> DemoData:
    """A small deterministic data set: 30 customers with 70 days of readings before TODAY."""
    return generate_demo(seed=5, customers=30, today=TODAY, zone=ZONE, days=70)


@pytest.fixture
def store(engine: Engine, demo_data: DemoData) -> Engine:
    """The store on each engine, filled with the demo data."""
    with engine.begin() as connection:
        load_demo(connection, demo_data, ZONE)
    return engine


@pytest.fixture
def config() -> ConversationConfig:
    """The conversation settings with a predictable one-time code."""
    return ConversationConfig(zone=ZONE, new_one_time_code=lambda: "424242")


class ChatFactory(Protocol):
    """Makes a fake chat of one person on one channel."""

    def __call__(
        self, channel: Channel = Channel.TELEGRAM, user_id: str = "111", name: str = "An"
    ) -> FakeChat:
        """A chat of `user_id` on `channel`."""


@pytest.fixture
def chat_factory(store: Engine, config: ConversationConfig) -> ChatFactory:
    """Make chats: `chat_factory(Channel.TELEGRAM, "111")`."""

    def make(
        channel: Channel = Channel.TELEGRAM, user_id: str = "111", name: str = "An"
    ) -> FakeChat:
        return FakeChat(store, config, UserRef(channel, user_id, name))

    return make
