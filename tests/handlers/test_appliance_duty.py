"""An appliance estimate says when it assumed a duty cycle, and "chạy liên tục" drops it."""

from __future__ import annotations

from handlers import texts
from handlers.types import Channel
from tests.handlers.conftest import FakeChat, button_data, text_of

# The catalogue's 1.5 HP air conditioner: 1 150 W, at full power 70 % of its hours.
CONTINUOUS_BUTTON = "ae:may_lanh_1_5hp:1150:8:1:c"


def test_the_duty_cycle_assumed_is_said_with_a_button_to_drop_it(
    chat_factory: type[FakeChat],
) -> None:
    chat = chat_factory(Channel.WEB, "ac1")

    replies = chat.say("máy lạnh 1.5 ngựa 8 tiếng")

    text = text_of(replies)
    # 1 150 W × 8 h × 0.7 = 6 440 Wh a day; × 30 days = 193.2 kWh, 193 kWh a month.
    assert texts.APPLIANCE_PER_DAY.format(kwh="6,4 kWh") in text
    assert texts.APPLIANCE_PER_MONTH.format(days=30, kwh="193,0 kWh") in text
    assert texts.APPLIANCE_DUTY_ASSUMED.format(percent=70) in text
    assert CONTINUOUS_BUTTON in button_data(replies)


def test_running_continuously_drops_the_duty_cycle(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.WEB, "ac2")

    for text in (
        text_of(chat.say("máy lạnh 1.5 ngựa chạy liên tục 8 tiếng")),
        text_of(chat.say("may lanh 1.5 ngua chay lien tuc 8 tieng")),
        text_of(chat.press(CONTINUOUS_BUTTON)),
    ):
        # 1 150 W × 8 h = 9 200 Wh a day; × 30 days = 276 kWh a month.
        assert texts.APPLIANCE_PER_DAY.format(kwh="9,2 kWh") in text
        assert texts.APPLIANCE_PER_MONTH.format(days=30, kwh="276,0 kWh") in text
        assert texts.APPLIANCE_CONTINUOUS in text
        assert "70%" not in text


def test_an_appliance_at_full_power_has_no_duty_cycle_to_mention(
    chat_factory: type[FakeChat],
) -> None:
    chat = chat_factory(Channel.WEB, "fan")

    replies = chat.say("quạt đứng chạy 8 tiếng tốn bao nhiêu điện")

    # 50 W × 8 h = 400 Wh a day.
    assert texts.APPLIANCE_PER_DAY.format(kwh="0,4 kWh") in text_of(replies)
    assert texts.APPLIANCE_DUTY_ASSUMED[:20] not in text_of(replies)
    assert not [data for data in button_data(replies) if data.endswith(":c")]


def test_a_made_up_continuous_button_asks_which_appliance(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.WEB, "odd")

    assert text_of(chat.press("ae:may_lanh_1_5hp:99999999:8:1:c")) == texts.APPLIANCE_ASK
    assert text_of(chat.press("ae:may_lanh_1_5hp:1150:x:1:c")) == texts.APPLIANCE_ASK
