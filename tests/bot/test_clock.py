"""The service's clock: the wall clock moved by DIENBOT_CLOCK_OFFSET, as the tests use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import service_clock, wall_clock
from bot.config import ConfigError, load_settings
from tests.clock import offset_to

MOMENT = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)


def test_a_service_given_the_offset_to_a_moment_reads_that_moment_and_runs_on() -> None:
    clock = service_clock(load_settings({"DIENBOT_CLOCK_OFFSET": offset_to(MOMENT)}, None))
    first = clock()
    second = clock()
    assert MOMENT <= first <= second < MOMENT + timedelta(minutes=1)
    assert first.tzinfo is UTC


def test_without_an_offset_the_service_reads_the_wall_clock() -> None:
    assert service_clock(load_settings({}, env_file=None)) is wall_clock


@pytest.mark.parametrize("offset", ["soon", "inf", "nan"])
def test_an_offset_that_is_not_a_number_of_seconds_is_refused(offset: str) -> None:
    with pytest.raises(ConfigError, match="DIENBOT_CLOCK_OFFSET"):
        load_settings({"DIENBOT_CLOCK_OFFSET": offset}, env_file=None)
