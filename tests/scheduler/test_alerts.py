"""Usage alerts: thresholds the customer set and use unusual for them, each queued once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, update

from handlers import texts
from meters.schema import Consent
from scheduler.alerts import (
    ANOMALY,
    THRESHOLD,
    check_anomalies,
    check_thresholds,
    find_anomaly,
)
from scheduler.render import render
from tests.scheduler.alerting import as_claimed, grant, queued, set_daily_use, set_threshold
from tests.scheduler.conftest import MORNING, WINDOW, YESTERDAY, ZONE, subscribe_all

OPENS = MORNING.replace(hour=7)
CLOSES = MORNING.replace(hour=21)


def steady(last: date, days: int, wh: int) -> dict[date, int]:
    """`days` days up to `last`, each `wh`."""
    return {last - timedelta(days=offset): wh for offset in range(days)}


# --- the anomaly rule ---------------------------------------------------------------------------


def test_a_steady_customer_is_not_unusual() -> None:
    assert find_anomaly(steady(YESTERDAY, 31, 8_000), YESTERDAY) is None


def test_a_day_near_double_the_usual_day_is_unusual() -> None:
    use = steady(YESTERDAY, 31, 8_000) | {YESTERDAY: 15_000}
    found = find_anomaly(use, YESTERDAY)
    assert found is not None
    assert found.doubled
    assert not found.floor_raised
    assert found.usual_wh == 8_000


def test_a_small_absolute_doubling_is_not_news() -> None:
    use = steady(YESTERDAY, 31, 800) | {YESTERDAY: 1_700}
    assert find_anomaly(use, YESTERDAY) is None


def test_a_raised_floor_on_three_days_suggests_a_leak() -> None:
    use = {day: 6_000 + 4_000 * (day.toordinal() % 3) for day in steady(YESTERDAY, 31, 0)}
    for offset in range(3):
        use[YESTERDAY - timedelta(days=offset)] = 10_000  # the floor rose from 6 to 10 kWh
    found = find_anomaly(use, YESTERDAY)
    assert found is not None
    assert found.floor_raised
    assert found.usual_low_wh == 6_000


def test_one_high_day_does_not_raise_the_floor() -> None:
    use = steady(YESTERDAY, 31, 6_000) | {YESTERDAY: 10_000}
    assert find_anomaly(use, YESTERDAY) is None


def test_without_enough_history_nothing_is_unusual() -> None:
    use = steady(YESTERDAY, 10, 6_000) | {YESTERDAY: 30_000}
    assert find_anomaly(use, YESTERDAY) is None


def test_without_the_day_itself_nothing_is_unusual() -> None:
    use = steady(YESTERDAY - timedelta(days=1), 31, 6_000)
    assert find_anomaly(use, YESTERDAY) is None


# --- thresholds ---------------------------------------------------------------------------------


def test_a_day_over_its_kwh_threshold_is_alerted_once_in_the_window(store: Engine) -> None:
    first, second = subscribe_all(store, kind=THRESHOLD)[:2]
    grant(store, (first, second), "alerts")
    for subscriber, limit in ((first, 10), (second, 20)):
        set_threshold(store, subscriber, {"kwh_per_day": limit})
        set_daily_use(store, subscriber, steady(YESTERDAY, 19, 15_000))
    report = check_thresholds(store, YESTERDAY, WINDOW, MORNING)
    again = check_thresholds(store, YESTERDAY, WINDOW, MORNING + timedelta(hours=3))
    [alert] = queued(store, THRESHOLD)
    assert (report.queued, again.queued) == (1, 0)
    assert alert.customer_id == first.customer_id
    assert alert.dedup_key == f"threshold:{first.customer_id}:{YESTERDAY}:{first.chat_user_id}"
    assert alert.priority == 0
    assert (alert.not_before, alert.expires_at) == (OPENS, CLOSES)
    reply = render(as_claimed(alert))
    assert reply.text == texts.ALERT_DAY_OVER.format(
        code=first.customer_code, day="19/11/2026", used="15,0 kWh", limit="10,0 kWh"
    )
    figures = {key: alert.payload[key] for key in ("day", "used_wh", "limit_wh")}
    assert figures == {"day": "2026-11-19", "used_wh": 15_000, "limit_wh": 10_000}
    assert [button.data for button in reply.buttons] == ["unsub:threshold"]


def test_a_monthly_kwh_threshold_is_alerted_once_a_month(store: Engine) -> None:
    [subscriber] = subscribe_all(store, kind=THRESHOLD)[:1]
    grant(store, [subscriber], "alerts")
    set_threshold(store, subscriber, {"kwh_per_month": 100})
    set_daily_use(store, subscriber, steady(YESTERDAY, 19, 10_000))  # 190 kWh since the 1st
    check_thresholds(store, YESTERDAY, WINDOW, MORNING)
    set_daily_use(store, subscriber, steady(YESTERDAY + timedelta(days=1), 20, 10_000))
    later = check_thresholds(
        store, YESTERDAY + timedelta(days=1), WINDOW, MORNING + timedelta(days=1)
    )
    [alert] = queued(store, THRESHOLD)
    assert later.queued == 0
    assert alert.dedup_key.split(":")[2] == "2026-11-01"
    assert "190,0 kWh" in alert.payload["text"]
    assert (alert.payload["month_wh"], alert.payload["limit_wh"]) == (190_000, 100_000)


def test_a_money_threshold_is_priced_with_the_tariff(store: Engine) -> None:
    subscribers = subscribe_all(store, kind=THRESHOLD)
    residential = subscribers[0]
    grant(store, [residential], "alerts")
    set_daily_use(store, residential, steady(YESTERDAY, 19, 20_000))  # 380 kWh
    set_threshold(store, residential, {"dong_per_month": 500_000})
    assert check_thresholds(store, YESTERDAY, WINDOW, MORNING).queued == 1
    [alert] = queued(store, THRESHOLD)
    assert "500.000 đ" in alert.payload["text"]
    assert alert.payload["limit_dong"] == 500_000
    assert isinstance(alert.payload["amount_dong"], int)
    assert alert.payload["amount_dong"] > 500_000
    assert f"{alert.payload['amount_dong']:,}".replace(",", ".") in alert.payload["text"]


def test_before_tier_warns_when_the_month_will_reach_the_tier(store: Engine) -> None:
    subscribers = subscribe_all(store, kind=THRESHOLD)
    residential = subscribers[0]
    grant(store, [residential], "alerts")
    set_daily_use(store, residential, steady(YESTERDAY, 19, 11_000))  # 209 kWh, 330 by the 30th
    set_threshold(store, residential, {"before_tier": 5})  # tier 5 starts after 300 kWh
    set_threshold(store, subscribers[1], {"before_tier": 6})
    assert check_thresholds(store, YESTERDAY, WINDOW, MORNING).queued == 1
    [alert] = queued(store, THRESHOLD)
    assert alert.payload["text"] == texts.ALERT_TIER_NEAR.format(
        code=residential.customer_code, left=91, tier=5, projected=330
    )
    figures = ("month_wh", "tier", "left_kwh", "projected_kwh")
    assert [alert.payload[key] for key in figures] == [209_000, 5, 91, 330]


def test_withdrawn_consent_gets_no_alert(store: Engine) -> None:
    [subscriber] = subscribe_all(store, kind=THRESHOLD)[:1]
    grant(store, [subscriber], "alerts")
    set_threshold(store, subscriber, {"kwh_per_day": 1})
    with store.begin() as connection:
        connection.execute(
            update(Consent)
            .where(Consent.chat_user_id == subscriber.chat_user_id, Consent.purpose == "alerts")
            .values(withdrawn_at=MORNING)
        )
    assert check_thresholds(store, YESTERDAY, WINDOW, MORNING).queued == 0


def test_an_alert_queued_after_the_window_waits_for_the_next_morning(store: Engine) -> None:
    [subscriber] = subscribe_all(store, kind=THRESHOLD)[:1]
    grant(store, [subscriber], "alerts")
    set_threshold(store, subscriber, {"kwh_per_day": 1})
    late = MORNING.replace(hour=22)
    check_thresholds(store, YESTERDAY, WINDOW, late)
    [alert] = queued(store, THRESHOLD)
    assert alert.not_before == OPENS + timedelta(days=1)
    assert alert.expires_at == CLOSES + timedelta(days=1)


# --- anomalies ----------------------------------------------------------------------------------


@pytest.fixture
def leaking(store: Engine) -> Engine:
    """Two anomaly subscribers: the first with a raised floor, the second steady."""
    first, second = subscribe_all(store, kind=ANOMALY)[:2]
    grant(store, (first, second), "alerts")
    leak = {day: 6_000 + 4_000 * (day.toordinal() % 3) for day in steady(YESTERDAY, 31, 0)}
    leak |= steady(YESTERDAY, 3, 10_000)
    set_daily_use(store, first, leak)
    set_daily_use(store, second, steady(YESTERDAY, 31, 8_000))
    return store


def test_a_leak_alert_carries_safety_advice_and_waits_for_the_window(leaking: Engine) -> None:
    report = check_anomalies(leaking, YESTERDAY, WINDOW, MORNING)
    [alert] = queued(leaking, ANOMALY)
    assert (report.checked, report.queued) == (2, 1)
    assert texts.ANOMALY_LEAK_SAFETY in alert.payload["text"]
    assert alert.payload["stop_kind"] == ANOMALY
    assert alert.payload["day"] == YESTERDAY.isoformat()
    figures = ("used_wh", "usual_wh", "floor_wh", "usual_low_wh")  # the floor rose: all four
    assert [alert.payload[key] for key in figures] == [10_000, 10_000, 10_000, 6_000]
    assert (alert.not_before, alert.expires_at) == (OPENS, CLOSES)


def test_an_anomaly_is_alerted_at_most_once_a_week(leaking: Engine) -> None:
    check_anomalies(leaking, YESTERDAY, WINDOW, MORNING)
    for days in (1, 6):
        later = MORNING + timedelta(days=days)
        assert (
            check_anomalies(leaking, YESTERDAY + timedelta(days=days), WINDOW, later).queued == 0
        )
    assert len(queued(leaking, ANOMALY)) == 1


@pytest.mark.parametrize("zone_name", ["Europe/Berlin", "Asia/Singapore", "UTC"])
def test_window_times_do_not_depend_on_the_server_zone(
    leaking: Engine, zone_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", zone_name)
    check_anomalies(leaking, YESTERDAY, WINDOW, MORNING.astimezone(ZONE))
    [alert] = queued(leaking, ANOMALY)
    assert alert.not_before.astimezone(ZONE).hour == 7
