"""The texts tables cover what they name."""

from __future__ import annotations

from handlers import texts
from handlers.cases import intent_label
from nlu import Intent


def test_every_intent_has_a_vietnamese_label() -> None:
    missing = [intent.value for intent in Intent if intent.value not in texts.INTENT_LABELS]
    assert missing == []


def test_the_label_of_a_guess_is_in_words() -> None:
    assert intent_label("outage_report") == "báo mất điện"
    assert intent_label(None) == texts.AGENT_TOPIC_NO_GUESS
