"""abnormal_usage: recent use against the customer's own history; leaks found, no false alarm."""

from __future__ import annotations

from datetime import timedelta
from statistics import median

from handlers import texts
from handlers.abnormal import check_usage
from handlers.format import format_kwh
from handlers.types import Channel
from meters.demo.model import DemoData, Fault
from tests.handlers.conftest import TODAY, button_data, text_of
from tests.handlers.demo_facts import clean_residential, customer, faulty, with_store


def history(store, code: str):  # type: ignore[no-untyped-def]
    return with_store(
        store,
        lambda _a, usage: usage.daily(code, TODAY - timedelta(days=35), TODAY - timedelta(days=1)),
    )


def test_a_leak_is_detected_and_explained(chat_factory, store, demo_data: DemoData) -> None:
    code = faulty(demo_data, Fault.LEAK)
    days = history(store, code).days
    recent = [d.used_wh for d in days if d.day >= TODAY - timedelta(days=7)]
    usual = int(median(d.used_wh for d in days if d.day < TODAY - timedelta(days=7)))
    chat = chat_factory(Channel.TELEGRAM, "a1")
    chat.share_contact(customer(store, code).phone)

    replies = chat.say("dạo này điện tăng bất thường")

    text = text_of(replies)
    assert format_kwh(sum(recent) // len(recent)) in text
    assert format_kwh(usual) in text
    assert texts.ABNORMAL_CAUSES in text
    assert texts.ABNORMAL_SAFETY in text
    assert found_raised_floor(text)  # a load that runs day and night
    leak = next(f for f in demo_data.faults if f.fault is Fault.LEAK)
    found = check_usage(days, TODAY)
    assert found is not None
    assert found.high
    assert found.rise_since is not None
    assert abs((found.rise_since - leak.first_day).days) <= 2
    details = customer(store, code)
    assert f"abnormal:inspect:{details.id}" in button_data(replies)
    assert "agent:abnormal" in button_data(replies)  # offered, not opened


def test_clean_customers_get_no_false_alarm(chat_factory, store, demo_data: DemoData) -> None:
    for number, code in enumerate(clean_residential(demo_data)):
        found = check_usage(history(store, code).days, TODAY)
        assert found is not None
        assert not found.high, code
        chat = chat_factory(Channel.TELEGRAM, f"clean{number}")
        details = customer(store, code)
        chat.share_contact(details.phone)
        asked = chat.say("nghi công tơ chạy sai")
        if f"c:{details.id}" in button_data(asked):  # a phone with two codes: pick this one
            asked = chat.press(f"c:{details.id}")
        text = text_of(asked)
        assert texts.ABNORMAL_SAFETY not in text
        assert texts.ABNORMAL_NORMAL_HINT in text


def test_the_inspection_button_files_a_meter_inspection(chat_factory, store, demo_data) -> None:
    code = faulty(demo_data, Fault.LEAK)
    details = customer(store, code)
    chat = chat_factory(Channel.TELEGRAM, "a2")
    chat.share_contact(details.phone)

    before = with_store(store, lambda accounts, _u: accounts.requests_of([details.id]))
    asked = chat.press(f"abnormal:inspect:{details.id}")
    assert with_store(store, lambda accounts, _u: accounts.requests_of([details.id])) == before
    assert texts.SERVICE_FEES["meter_inspection"] in text_of(asked)

    text = text_of(chat.press(f"svc:ok:meter_inspection:{details.id}:a"))

    filed = with_store(store, lambda accounts, _u: accounts.requests_of([details.id]))
    inspection = [
        r for r in filed if r.service_type == "meter_inspection" and r.status == "received"
    ]
    assert inspection
    assert texts.INSPECTION_FILED.format(code=code, request_id=inspection[0].request_id) in text


def test_an_unlinked_chat_can_not_file_for_someone_else(chat_factory, store, demo_data) -> None:
    details = customer(store, faulty(demo_data, Fault.LEAK))
    before = with_store(store, lambda accounts, _u: accounts.requests_of([details.id]))
    chat = chat_factory(Channel.TELEGRAM, "a3")

    text = text_of(chat.press(f"abnormal:inspect:{details.id}"))

    assert texts.LINK_NEEDED.format(what=texts.WHAT_USAGE) in text
    assert with_store(store, lambda accounts, _u: accounts.requests_of([details.id])) == before


def found_raised_floor(text: str) -> bool:
    """Whether the answer says the lowest days rose (the template's words before the numbers)."""
    return texts.ABNORMAL_BASE.split("{", maxsplit=1)[0] in text
