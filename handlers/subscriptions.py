"""Scheduled messages a chat asks for: record them, confirm them, stop them.

Only recording and confirming happen here; sending is the scheduler's. Each subscription is
about one linked customer, and asking for one also grants the matching consent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from handlers import texts
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import choose_customer
from handlers.format import format_kwh, format_money
from handlers.slots import ask, asking, has_any, remember, words
from handlers.types import Button, Reply
from meters.records import CustomerDetails
from nlu import Intent

KINDS = ("daily_usage", "threshold", "outage", "bill", "anomaly")
SUBSCRIBABLE = ("daily_usage", "outage", "bill", "anomaly")  # a threshold comes with its value
CONSENT_OF: Mapping[str, str] = {
    "daily_usage": "daily",
    "threshold": "alerts",
    "anomaly": "alerts",
    "bill": "alerts",
    "outage": "outages",
}
# Words that name a kind, checked in this order on the folded message.
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("daily_usage", ("moi ngay", "hang ngay", "hom qua")),
    ("outage", ("cat dien", "mat dien", "lich cat", "ngung cung cap")),
    ("anomaly", ("bat thuong",)),
    ("threshold", ("nguong", "vuot", "canh bao")),
    ("bill", ("hoa don", "tien dien", "thanh toan")),
    ("daily_usage", ("so dien", "kwh dien", "dien nang", "chi so")),
)
ALL_WORDS = ("tat ca", "het", "moi thong bao")
# "hủy cảnh báo" reaches the alert intent: a stop word there means stop, not set.
STOP_WORDS = ("huy", "ngung", "dung gui", "tat", "khong nhan")
PER_DAY = ("mot ngay", "moi ngay", "1 ngay", "hang ngay", "trong ngay", "kwh ngay", "moi hom")
PER_MONTH = ("thang", "ky", "ca thang")
FIRST_ALERT_TIER, LAST_TIER = 2, 6
WH_PER_KWH = 1000
_TIER = re.compile(r" bac (\d+) ")


def kind_in(text: str) -> str | None:
    """The kind of scheduled message a message names, if any."""
    for kind, phrases in KIND_WORDS:
        if has_any(text, phrases):
            return kind
    return None


def answer_notify_subscribe(turn: Turn, deps: Deps) -> Answer:
    """Start the kind of message asked for (the daily usage message by default wording)."""
    stored = turn.entities.get("subscription_kind")
    kind = stored if isinstance(stored, str) else kind_in(turn.update.text)
    if kind == "threshold":
        return answer_usage_alert(turn, deps)
    chosen = choose_customer(turn, deps, texts.WHAT_SUBSCRIPTION)
    if isinstance(chosen, Answer):
        return remember(chosen, {"subscription_kind": kind} if kind else {})
    customer = chosen.customer
    if kind not in SUBSCRIBABLE:
        code = customer.customer_code
        buttons = tuple(
            Button(texts.SUBSCRIPTION_NAMES[k].capitalize(), f"sub:{k}:{code}")
            for k in SUBSCRIBABLE
        )
        return ask(
            Reply(texts.SUBSCRIBE_ASK_KIND, buttons),
            intent=Intent.NOTIFY_SUBSCRIBE,
            entities={"customer_code": code},
            awaiting=(),  # the kind is read from the words, not an entity: its buttons answer
            remind=texts.REMIND_SUBSCRIPTION,
        )
    return say(_subscribe(turn, deps, customer, kind, None))


def subscribe_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """`sub:<kind>` or `sub:<kind>:<customer code>`."""
    kind, _, code = argument.partition(":")
    entities: dict[str, object] = {"subscription_kind": kind}
    if code:
        entities["customer_code"] = code
    return answer_notify_subscribe(asking(turn, Intent.NOTIFY_SUBSCRIBE, entities), deps)


def answer_notify_unsubscribe(turn: Turn, deps: Deps) -> Answer:
    """Stop the kind named, everything, or ask which (a button per kind and one for all)."""
    active = _active_kinds(turn, deps)
    if not active:
        return say(Reply(texts.SUBSCRIPTIONS_NONE))
    stored = turn.entities.get("subscription_kind")
    kind = stored if isinstance(stored, str) else kind_in(turn.update.text)
    if kind == "all" or (kind is None and has_any(turn.update.text, ALL_WORDS)):
        deps.chats.unsubscribe(turn.chat_user_id, None)
        return say(Reply(texts.UNSUBSCRIBED_ALL))
    if kind is None and len(active) == 1:
        kind = active[0]
    if kind is None or kind not in active:
        buttons = tuple(
            Button(texts.UNSUBSCRIBE_BUTTON.format(kind=texts.SUBSCRIPTION_NAMES[k]), f"unsub:{k}")
            for k in active
        )
        text = texts.UNSUBSCRIBE_ASK
        if kind in texts.SUBSCRIPTION_NAMES:
            text = texts.UNSUBSCRIBE_NOT_ACTIVE.format(kind=texts.SUBSCRIPTION_NAMES[kind])
        return ask(
            Reply(text, (*buttons, Button(texts.UNSUBSCRIBE_ALL_BUTTON, "unsub:all"))),
            intent=Intent.NOTIFY_UNSUBSCRIBE,
            entities={},
            awaiting=(),
            remind=texts.REMIND_UNSUBSCRIBE,
        )
    deps.chats.unsubscribe(turn.chat_user_id, kind)
    lines = [
        texts.UNSUBSCRIBED.format(kind=texts.SUBSCRIPTION_NAMES[kind]),
        _active_line(turn, deps),
    ]
    return say(Reply("\n".join(lines)))


def unsubscribe_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """`unsub:<kind>` or `unsub:all`."""
    return answer_notify_unsubscribe(
        asking(turn, Intent.NOTIFY_UNSUBSCRIBE, {"subscription_kind": argument}), deps
    )


def answer_usage_alert(turn: Turn, deps: Deps) -> Answer:
    """A threshold in kWh per day, đồng per period, or before a tier; or the anomaly alert."""
    if has_any(turn.update.text, STOP_WORDS):
        return answer_notify_unsubscribe(turn, deps)
    stored = turn.entities.get("threshold")
    threshold = dict(stored) if isinstance(stored, Mapping) else threshold_in(turn)
    anomaly = threshold is None and has_any(turn.update.text, ("bat thuong",))
    chosen = choose_customer(turn, deps, texts.WHAT_SUBSCRIPTION)
    if isinstance(chosen, Answer):
        if threshold is not None:
            return remember(chosen, {"threshold": threshold})
        return remember(chosen, {"subscription_kind": "anomaly"} if anomaly else {})
    customer = chosen.customer
    if anomaly or turn.entities.get("subscription_kind") == "anomaly":
        return say(_subscribe(turn, deps, customer, "anomaly", None))
    if threshold is None:
        kwh_asked = "kwh" in turn.entities  # "per day or per month?" is read from the words
        return ask(
            _ask_threshold(turn, customer),
            intent=Intent.USAGE_ALERT,
            entities={"customer_code": customer.customer_code},
            awaiting=() if kwh_asked else ("kwh", "money"),
            remind=texts.REMIND_ALERT,
        )
    problem = _problem(threshold, customer)
    return say(
        Reply(problem)
        if problem is not None
        else _subscribe(turn, deps, customer, "threshold", threshold)
    )


def _ask_threshold(turn: Turn, customer: CustomerDetails) -> Reply:
    """A kWh value without "a day" or "a month" asks which; nothing at all offers examples."""
    code = customer.customer_code
    kwh = turn.entities.get("kwh")
    if isinstance(kwh, int | float) and kwh > 0:
        value = _number(float(kwh))
        shown = format_kwh(round(float(kwh) * WH_PER_KWH))
        periods = (
            Button(texts.BUTTON_ALERT_PER_DAY, f"alert:d:{value}:{code}"),
            Button(texts.BUTTON_ALERT_PER_MONTH, f"alert:m:{value}:{code}"),
        )
        return Reply(texts.ALERT_ASK_KWH_PERIOD.format(kwh=shown), periods)
    buttons = (
        *(
            Button(texts.BUTTON_ALERT_TIER.format(tier=tier), f"alert:t:{tier}:{code}")
            for tier in (4, 5)
        ),
        Button(texts.BUTTON_ALERT_ANOMALY, f"sub:anomaly:{code}"),
    )
    return Reply(texts.ALERT_ASK, buttons)


def alert_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """`alert:<d|m|v|t>:<value>:<customer code>`: a threshold chosen from the buttons."""
    form, _, rest = argument.partition(":")
    value, _, code = rest.partition(":")
    key = {"d": "kwh_per_day", "m": "kwh_per_month", "v": "dong_per_month", "t": "before_tier"}
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    entities: dict[str, object] = {"customer_code": code} if code else {}
    if form in key:
        entities["threshold"] = {key[form]: _number(number)}
    return answer_usage_alert(asking(turn, Intent.USAGE_ALERT, entities), deps)


def threshold_in(turn: Turn) -> dict[str, Any] | None:
    """The threshold a message states: before tier N, đồng per period, kWh per day or month."""
    text = turn.update.text
    tier = _TIER.search(words(text))
    if tier is not None:
        return {"before_tier": int(tier.group(1))}
    money = turn.entities.get("money")
    if isinstance(money, int) and not isinstance(money, bool):
        return {"dong_per_month": money}
    kwh = turn.entities.get("kwh")
    if isinstance(kwh, int | float) and not isinstance(kwh, bool):
        if has_any(text, PER_DAY):
            return {"kwh_per_day": _number(float(kwh))}
        if has_any(text, PER_MONTH):
            return {"kwh_per_month": _number(float(kwh))}
    return None


def describe_threshold(threshold: Mapping[str, Any]) -> str:
    """When the alert is sent, in words."""
    if "kwh_per_day" in threshold:
        kwh = format_kwh(round(float(threshold["kwh_per_day"]) * WH_PER_KWH))
        return texts.ALERT_KWH_PER_DAY.format(kwh=kwh)
    if "kwh_per_month" in threshold:
        kwh = format_kwh(round(float(threshold["kwh_per_month"]) * WH_PER_KWH))
        return texts.ALERT_KWH_PER_MONTH.format(kwh=kwh)
    if "dong_per_month" in threshold:
        return texts.ALERT_DONG_PER_MONTH.format(
            amount=format_money(int(threshold["dong_per_month"]))
        )
    return texts.ALERT_BEFORE_TIER.format(tier=threshold.get("before_tier"))


def _problem(threshold: Mapping[str, Any], customer: CustomerDetails) -> str | None:
    """Why a threshold cannot be set, if it cannot."""
    if "before_tier" in threshold:
        if customer.customer_type != "residential":
            return texts.ALERT_TIER_RESIDENTIAL_ONLY.format(code=customer.customer_code)
        if not FIRST_ALERT_TIER <= threshold["before_tier"] <= LAST_TIER:
            return texts.ALERT_BAD_TIER
        return None
    if not all(float(value) > 0 for value in threshold.values()):
        return texts.ALERT_BAD_VALUE
    return None


def _subscribe(
    turn: Turn,
    deps: Deps,
    customer: CustomerDetails,
    kind: str,
    threshold: dict[str, Any] | None,
) -> Reply:
    """Record the subscription and its consent, and say what is now active."""
    chats = deps.chats
    previous = next(
        (
            s
            for s in chats.subscriptions(turn.chat_user_id)
            if s.customer_id == customer.id and s.kind == kind and s.active
        ),
        None,
    )
    chats.subscribe(turn.chat_user_id, customer.id, kind, threshold, deps.now)
    chats.grant_consents(turn.chat_user_id, (CONSENT_OF[kind],), deps.now)
    code = customer.customer_code
    if threshold is not None:
        lines = [texts.ALERT_SET.format(code=code, condition=describe_threshold(threshold))]
        if previous is not None and previous.threshold and previous.threshold != threshold:
            lines.append(texts.ALERT_REPLACED.format(old=describe_threshold(previous.threshold)))
    else:
        lines = [texts.SUBSCRIBED.format(kind=texts.SUBSCRIPTION_NAMES[kind], code=code)]
    lines.append(_active_line(turn, deps))
    return Reply("\n".join(lines), (Button(texts.BUTTON_UNSUBSCRIBE, f"unsub:{kind}"),))


def _active_kinds(turn: Turn, deps: Deps) -> list[str]:
    active = {s.kind for s in deps.chats.subscriptions(turn.chat_user_id) if s.active}
    return [kind for kind in KINDS if kind in active]


def _active_line(turn: Turn, deps: Deps) -> str:
    """What the chat receives now, kind and customer, or that it receives nothing."""
    codes = {customer.id: customer.customer_code for customer in turn.linked}
    items = [
        texts.SUBSCRIPTION_ITEM.format(
            kind=texts.SUBSCRIPTION_NAMES.get(s.kind, s.kind), code=codes[s.customer_id]
        )
        for s in deps.chats.subscriptions(turn.chat_user_id)
        if s.active and s.customer_id in codes
    ]
    if not items:
        return texts.SUBSCRIPTIONS_NONE
    return texts.SUBSCRIPTIONS_ACTIVE.format(active="; ".join(items))


def _number(value: float) -> int | float:
    """A threshold as stored: whole numbers as integers (20, not 20.0)."""
    return int(value) if value.is_integer() else round(value, 1)
