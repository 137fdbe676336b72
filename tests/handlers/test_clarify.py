"""The NLU unsure between two intents: the bot asks which one, with a button for each."""

from __future__ import annotations

import dataclasses
import re

import pytest

import nlu
from handlers import texts
from handlers.types import Channel, Update
from nlu import Intent, Parser
from tests.handlers.conftest import TODAY, ChatFactory, button_data, text_of

# Two questions in one message, whatever the NLU makes of them: with a margin of 1 (every
# message whose two best intents are known is "unsure") the conversation must ask.
TWO_QUESTIONS = "lịch cắt điện ngày mai, với nhà em đang mất điện"


@pytest.fixture
def always_unsure(monkeypatch: pytest.MonkeyPatch) -> Parser:
    """The package's parser, its calibration asking whenever the best two intents are known."""
    classifier = nlu.default_parser().classifier
    wide = dataclasses.replace(classifier.calibration, ask_margin=1.0)
    parser = Parser(classifier.recalibrated(wide))
    monkeypatch.setattr("handlers.dispatch.parse", parser.parse)
    return parser


def unsure_message(parser: Parser) -> tuple[str, Intent, Intent]:
    """The two-question message, its intent and its runner-up."""
    result = parser.parse(TWO_QUESTIONS, TODAY)
    assert result.unsure, result
    return TWO_QUESTIONS, result.intent, result.alternatives[0][0]


def test_the_bot_asks_between_the_two_intents_it_cannot_choose(
    chat_factory: ChatFactory, always_unsure: Parser
) -> None:
    text, first, second = unsure_message(always_unsure)
    chat = chat_factory(Channel.TELEGRAM, "111")

    replies = chat.say(text)

    assert text_of(replies) == texts.CLARIFY_QUESTION.format(
        first=texts.CLARIFY_CHOICES[first.value], second=texts.CLARIFY_CHOICES[second.value]
    )
    assert button_data(replies) == [f"i:{first.value}", f"i:{second.value}"]
    labels = [button.label for reply in replies for button in reply.buttons]
    assert labels[0].startswith(texts.CLARIFY_CHOICES[first.value][0].upper())


def test_a_button_answers_the_intent_chosen(
    chat_factory: ChatFactory, always_unsure: Parser
) -> None:
    text, _, second = unsure_message(always_unsure)
    chat = chat_factory(Channel.ZALO, "222")
    chat.say(text)

    chosen = chat.press(f"i:{second.value}")
    typed = chat_factory(Channel.ZALO, "333").send(
        Update(user=chat.user, received_at=chat.now, callback_data=f"i:{second.value}")
    )

    # The same answer (a filed incident or request has its own number).
    assert re.sub(r"\d", "#", text_of(chosen)) == re.sub(r"\d", "#", text_of(typed))
    assert texts.CLARIFY_QUESTION.split("{")[0] not in text_of(chosen)


def test_a_clear_message_is_answered_without_a_question(chat_factory: ChatFactory) -> None:
    result = nlu.parse("lịch cúp điện ngày mai", TODAY)
    assert (result.intent, result.unsure) == (Intent.OUTAGE_SCHEDULE, False)
    chat = chat_factory(Channel.TELEGRAM, "444")

    replies = chat.say("lịch cúp điện ngày mai")

    assert texts.CLARIFY_QUESTION.split("{")[0] not in text_of(replies)


def test_a_hazard_is_never_delayed_by_a_question() -> None:
    from datetime import UTC, datetime

    from handlers.clarify import should_ask
    from handlers.context import Turn
    from handlers.types import UserRef

    user = UserRef(Channel.TELEGRAM, "555", "An")
    update = Update(user=user, received_at=datetime(2026, 11, 20, tzinfo=UTC), text="cháy công tơ")
    hazard = Turn(
        update=update,
        chat_user_id=1,
        intent=Intent.OUTAGE_REPORT,
        entities={},
        linked=(),
        alternative=Intent.ABNORMAL_USAGE,
    )
    assert not should_ask(hazard)
    other = Turn(
        update=update,
        chat_user_id=1,
        intent=Intent.OUTAGE_SCHEDULE,
        entities={},
        linked=(),
        alternative=Intent.OUTAGE_REPORT,
    )
    assert should_ask(other)
    greeting = Turn(
        update=update,
        chat_user_id=1,
        intent=Intent.GREET,
        entities={},
        linked=(),
        alternative=Intent.HELP,
    )
    assert not should_ask(greeting)
