"""Random bodies and headers at the webhook: never a 500, never an unhandled exception."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.zalo.conftest import ZaloService
from tests.fakes.zalo_api import UNSIGNED

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
event_keys = st.sampled_from(
    ["event_name", "timestamp", "sender", "follower", "message", "app_id", "recipient", "oa_id"]
)
event_names = st.sampled_from(
    ["user_send_text", "user_send_location", "follow", "unfollow", "user_send_image", ""]
)
events = st.fixed_dictionaries(
    {"event_name": event_names | scalars},
    optional={
        "timestamp": st.text(max_size=15) | st.integers() | scalars,
        "sender": st.fixed_dictionaries({}, optional={"id": st.text(max_size=70) | scalars})
        | json_values,
        "follower": st.fixed_dictionaries({"id": st.text(max_size=70) | scalars}),
        "message": st.fixed_dictionaries(
            {},
            optional={
                "text": st.text(max_size=100) | scalars,
                "msg_id": st.text(max_size=120) | scalars,
                "attachments": st.lists(json_values, max_size=3)
                | st.just([{"type": "location", "payload": {"coordinates": {}}}])
                | json_values,
            },
        )
        | json_values,
    },
).flatmap(lambda base: st.dictionaries(event_keys, json_values, max_size=2).map(base.__or__))
headers = st.dictionaries(
    st.sampled_from(["X-ZEvent-Signature", "Content-Type", "num_retry", "X-Other"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
    max_size=3,
)


@FUZZ
@given(raw=st.binary(max_size=300), extra=headers)
async def test_random_bytes_and_headers_are_refused_cleanly(
    service: ZaloService, raw: bytes, extra: dict[str, str]
) -> None:
    async with service.client.post("/zalo/webhook", data=raw, headers=extra) as response:
        assert response.status in (400, 401, 403)


@FUZZ
@given(event=events)
async def test_random_correctly_signed_events_never_break_the_channel(
    service: ZaloService, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    service.fake.add_user("u1")
    raw = json.dumps(event, allow_nan=True).encode()
    timestamp = event.get("timestamp")
    signed = (
        service.fake.sign(raw, str(timestamp))
        if isinstance(timestamp, (str, int)) and not isinstance(timestamp, bool)
        else UNSIGNED
    )
    with caplog.at_level(logging.ERROR):
        status = await service.fake.send_event(
            service.webhook_url, event, raw=raw, signature=signed
        )
        await service.channel.drain()
    assert status in ((200,) if signed is not UNSIGNED else (401,))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
