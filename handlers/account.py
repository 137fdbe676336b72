"""Linking a chat to the customers it owns, unlinking, consents, and forgetting the chat.

Telegram proves ownership by the user's own phone card; Zalo and web chat by a one-time code
sent to the contract phone. Nothing personal is shown before a link is verified.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets

from handlers import texts
from handlers.context import Answer, Deps, Step, Turn, say
from handlers.menu import MENU_BUTTONS, chat_hotline, customer_label, link_buttons, link_how
from handlers.privacy import mask_phone
from handlers.slots import ask
from handlers.types import Button, CodeWithheld, Effect, Reply, SendOneTimeCode, Update
from meters.link_guard import LookupRefusal, SqlLinkGuard
from meters.records import CustomerDetails, PendingCode
from nlu import Intent

LINK_PURPOSES = ("lookups", "daily", "alerts", "outages", "surveys")
_CODE = re.compile(r"^\s*(\d{6})\s*$")
_PHONE_DIGITS = re.compile(r"\D")


def looks_like_code(text: str) -> bool:
    """Whether a message is just a 6-digit one-time code."""
    return _CODE.match(text) is not None


def normalise_phone(phone: str) -> str | None:
    """A shared phone number as 10 digits with a leading 0 (Telegram sends 84… or +84…)."""
    digits = _PHONE_DIGITS.sub("", phone)
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if len(digits) == 10 and digits.startswith("0") else None


def link_by_contact(turn: Turn, deps: Deps) -> Answer:
    """Link every customer whose contract phone is the sender's own, privately shared, card."""
    update = turn.update
    contact = update.contact
    assert contact is not None
    if update.channel.value not in deps.config.contact_linking:
        return say(Reply(link_how(update.channel, deps.config)))
    if not update.private_chat:
        return say(Reply(texts.CONTACT_NOT_PRIVATE))
    if update.forwarded or contact.user_id != update.user.external_id:
        deps.chats.record_failed_link(turn.chat_user_id, deps.now)
        return say(Reply(texts.CONTACT_NOT_OWN, link_buttons(update.channel, deps.config)))
    phone = normalise_phone(contact.phone)
    customers = deps.accounts.customers_by_phone(phone) if phone else ()
    if not customers:
        return say(
            Reply(texts.CONTACT_NO_CUSTOMER.format(phone=mask_phone(contact.phone))),
        )
    return _linked(turn, deps, customers, "contact")


def start_linking(turn: Turn, deps: Deps) -> Answer:
    """Ask for a customer code, or send a one-time code to the contract phone of the one given.

    A found and an unknown customer code get the same answer, and so does a code held back by
    a limit: the chat learns nothing about which codes exist, and sees no digit of the phone.
    """
    channel = turn.update.channel
    throttled = _throttled(turn, deps)
    if throttled is not None:
        return throttled
    code = turn.entities.get("customer_code")
    if not isinstance(code, str):
        return Answer(
            replies=(Reply(link_how(channel, deps.config), link_buttons(channel, deps.config)),),
            step=Step.AWAIT_CUSTOMER_CODE,
        )
    if any(customer.customer_code == code for customer in turn.linked):
        return say(Reply(texts.ALREADY_LINKED.format(code=code)))
    guard = deps.link_guard
    refused = guard.take_lookup(_client(turn.update), deps.now)
    if refused is not None:
        return _lookup_refused(deps, code, refused)
    if guard.paused(code, deps.now):
        return _paused(deps, code)
    return _code_sent(turn, deps, code, guard)


def _code_sent(turn: Turn, deps: Deps, code: str, guard: SqlLinkGuard) -> Answer:
    """Give the customer code a one-time code, sent to its phone when it exists and its limits
    allow; the same answer in every case."""
    customer = deps.accounts.customer_by_code(code)
    allowed = guard.take_code(code, None if customer is None else customer.phone, deps.now)
    channel = turn.update.channel
    effects: tuple[Effect, ...] = ()
    pending = deps.chats.pending_code(turn.chat_user_id)
    if allowed and customer is not None:
        one_time_code = deps.config.new_one_time_code()
        warned = guard.take_warning(customer.id)
        effects = (SendOneTimeCode(customer.phone, one_time_code, code, channel, warned=warned),)
        code_hash = _hash_code(deps, turn.chat_user_id, one_time_code)
        pending = _issued(turn, deps, code, customer.id, code_hash)
    else:
        if customer is not None:
            effects = (CodeWithheld(channel),)
        if allowed or not _live(pending, code, deps):
            # Nothing was sent: a code no typed one matches, so that the chat cannot tell.
            pending = _issued(turn, deps, code, None, secrets.token_hex(32))
    assert pending is not None
    minutes = math.ceil((pending.expires_at - deps.now).total_seconds() / 60)
    reply = texts.CODE_SENT.format(minutes=minutes, hotline=deps.config.hotline_for(code))
    return Answer(replies=(Reply(reply),), effects=effects, step=Step.AWAIT_ONE_TIME_CODE)


def _issued(
    turn: Turn, deps: Deps, code: str, customer_id: int | None, code_hash: str
) -> PendingCode:
    """The chat's new pending code (replacing any other)."""
    expires_at = deps.now + deps.config.code_ttl
    deps.chats.issue_code(
        turn.chat_user_id,
        code,
        customer_id=customer_id,
        code_hash=code_hash,
        expires_at=expires_at,
        now=deps.now,
    )
    pending = deps.chats.pending_code(turn.chat_user_id)
    assert pending is not None
    return pending


def _live(pending: PendingCode | None, code: str, deps: Deps) -> bool:
    """Whether the chat's pending code is for `code` and can still be typed."""
    return (
        pending is not None
        and pending.customer_code == code
        and pending.expires_at > deps.now
        and pending.attempts < deps.config.code_tries
    )


def has_pending_code(turn: Turn, deps: Deps) -> bool:
    """Whether the chat waits for a one-time code (the store's unused code is the truth)."""
    return (
        turn.step is Step.AWAIT_ONE_TIME_CODE
        or deps.chats.pending_code(turn.chat_user_id) is not None
    )


def one_time_code_reply(turn: Turn, deps: Deps) -> Answer | None:
    """A bare 6-digit message while a one-time code is pending is that code; None otherwise.

    The code stays valid for its time whatever was asked in between. An expired one is still
    recognised for a while (a late SMS), so that the customer hears that it expired.
    """
    match = _CODE.match(turn.update.text)
    if match is None:
        return None
    pending = deps.chats.pending_code(turn.chat_user_id)
    if pending is None:
        return say(Reply(texts.CODE_EXPIRED)) if turn.step is Step.AWAIT_ONE_TIME_CODE else None
    late = pending.expires_at + deps.config.question_ttl <= deps.now
    if late and turn.step is not Step.AWAIT_ONE_TIME_CODE:
        return None
    return _check_one_time_code(turn, deps, pending, match.group(1))


def _check_one_time_code(turn: Turn, deps: Deps, pending: PendingCode, typed: str) -> Answer:
    """Link the customer when the typed code is the one sent, within its time and tries, and
    while the customer code's wrong codes (in every chat) are under their limit."""
    guard = deps.link_guard
    if guard.paused(pending.customer_code, deps.now):  # the code is not even compared
        deps.chats.close_code(pending.id, deps.now)
        return _paused(deps, pending.customer_code)
    if pending.expires_at <= deps.now or pending.attempts >= deps.config.code_tries:
        deps.chats.close_code(pending.id, deps.now)
        return say(Reply(texts.CODE_EXPIRED))
    expected = _hash_code(deps, turn.chat_user_id, typed)
    if pending.customer_id is None or not hmac.compare_digest(expected, pending.code_hash):
        return _wrong_code(turn, deps, pending, guard)
    deps.chats.close_code(pending.id, deps.now)
    customer = deps.accounts.customer(pending.customer_id)
    if customer is None:
        return say(Reply(texts.CODE_EXPIRED))
    return _linked(turn, deps, (customer,), "otp")


def _wrong_code(turn: Turn, deps: Deps, pending: PendingCode, guard: SqlLinkGuard) -> Answer:
    """Count a wrong code for the chat and the customer code; pause the customer's linking
    when its wrong codes reached their limit (its next code message will say so)."""
    deps.chats.count_code_attempt(pending.id)
    deps.chats.record_failed_link(turn.chat_user_id, deps.now)
    if guard.count_wrong_code(pending.customer_code, deps.now):
        # The code stays pending: typed later, it hears that linking pauses (never compared).
        customer = deps.accounts.customer_by_code(pending.customer_code)
        if customer is not None:
            guard.warn(customer.id, deps.now)
        return _paused(deps, pending.customer_code)
    left = deps.config.code_tries - pending.attempts - 1
    if left <= 0:
        deps.chats.close_code(pending.id, deps.now)
        return say(Reply(texts.CODE_EXPIRED))
    return Answer(
        replies=(Reply(texts.CODE_WRONG.format(left=left)),), step=Step.AWAIT_ONE_TIME_CODE
    )


def unlink(turn: Turn, deps: Deps) -> Answer:
    """Unlink the named customer, the only one, or ask which."""
    if not turn.linked:
        return say(Reply(texts.NOTHING_LINKED))
    named = turn.entities.get("customer_code")
    targets = [c for c in turn.linked if c.customer_code == named] if named else []
    if not targets and len(turn.linked) == 1:
        targets = [turn.linked[0]]
    if len(targets) == 1:
        return _unlink(turn, deps, targets[0])
    buttons = tuple(Button(customer_label(c), f"unlink:{c.id}") for c in turn.linked)
    return ask(
        Reply(texts.UNLINK_CHOOSE, buttons),
        intent=Intent.ACCOUNT_UNLINK,
        entities={},
        awaiting=("customer_code",),
        remind=texts.REMIND_UNLINK,
    )


def unlink_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """The button of one linked customer under the unlink question."""
    for customer in turn.linked:
        if str(customer.id) == argument:
            return _unlink(turn, deps, customer)
    return say(Reply(texts.NOTHING_LINKED))


def ask_forget(turn: Turn, deps: Deps) -> Answer:
    """`/xoa_du_lieu`: confirm before deleting the chat's links and history."""
    buttons = (Button(texts.BUTTON_YES, "forget:yes"), Button(texts.BUTTON_NO, "forget:no"))
    return Answer(replies=(Reply(texts.FORGET_CONFIRM, buttons),), step=Step.CONFIRM_FORGET)


def forget_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """Delete everything about the chat, on the confirming button only."""
    if argument == "yes" and turn.step is Step.CONFIRM_FORGET:
        deps.chats.forget_chat(turn.chat_user_id)
        return Answer(replies=(Reply(texts.FORGOTTEN),), forgotten=True)
    return say(Reply(texts.CANCELLED, MENU_BUTTONS))


def consents(turn: Turn, deps: Deps) -> Answer:
    """The purposes the chat consents to, each a button that withdraws or grants it again."""
    granted = deps.chats.active_consents(turn.chat_user_id)
    names = [texts.PURPOSE_NAMES[p] for p in LINK_PURPOSES if p in granted]
    buttons = tuple(
        Button(("✓ " if p in granted else "✗ ") + texts.PURPOSE_NAMES[p], f"consent:{p}")
        for p in LINK_PURPOSES
    )
    listed = ", ".join(names) if names else texts.CONSENT_NONE
    return say(Reply(texts.CONSENTS.format(granted=listed), buttons))


def consent_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """Withdraw a granted purpose, or grant a withdrawn one again."""
    if argument not in LINK_PURPOSES:
        return consents(turn, deps)
    name = texts.PURPOSE_NAMES[argument]
    if argument in deps.chats.active_consents(turn.chat_user_id):
        deps.chats.withdraw_consent(turn.chat_user_id, argument, deps.now)
        return say(Reply(texts.CONSENT_WITHDRAWN.format(purpose=name)))
    deps.chats.grant_consents(turn.chat_user_id, (argument,), deps.now)
    return say(Reply(texts.CONSENT_GRANTED.format(purpose=name)))


def _linked(
    turn: Turn, deps: Deps, customers: tuple[CustomerDetails, ...], verified_by: str
) -> Answer:
    newly = [
        c for c in customers if deps.chats.link(turn.chat_user_id, c.id, verified_by, deps.now)
    ]
    shown = newly or list(customers)
    deps.chats.grant_consents(turn.chat_user_id, LINK_PURPOSES, deps.now)
    listed = "; ".join(customer_label(c) for c in shown)
    return Answer(
        replies=(
            Reply(texts.LINKED.format(customers=listed), MENU_BUTTONS),
            Reply(texts.CONSENT_NOTICE),
        ),
        linked=customers,
    )


def _unlink(turn: Turn, deps: Deps, customer: CustomerDetails) -> Answer:
    deps.chats.unlink(turn.chat_user_id, customer.id)
    return say(Reply(texts.UNLINKED.format(code=customer.customer_code)))


def _throttled(turn: Turn, deps: Deps) -> Answer | None:
    config = deps.config
    failures = deps.chats.failed_links_since(
        turn.chat_user_id, deps.now - config.link_failure_window
    )
    if failures < config.link_failures_allowed:
        return None
    minutes = int(config.link_failure_window.total_seconds() // 60)
    return say(
        Reply(texts.LINK_THROTTLED.format(minutes=minutes, hotline=chat_hotline(turn, deps)))
    )


def _client(update: Update) -> str:
    """Who looks customer codes up: the web chat's address, else the platform's user."""
    if update.client_address is not None:
        return update.client_address
    return f"{update.channel.value}:{update.user.external_id}"


def _lookup_refused(deps: Deps, code: str, refused: LookupRefusal) -> Answer:
    minutes = max(1, int(refused.limit.period.total_seconds() // 60))
    template = texts.LINK_BUSY if refused.shared else texts.LINK_THROTTLED
    return say(Reply(template.format(minutes=minutes, hotline=deps.config.hotline_for(code))))


def _paused(deps: Deps, code: str) -> Answer:
    hours = max(1, int(deps.config.link_limits.wrong_codes.period.total_seconds() // 3600))
    hotline = deps.config.hotline_for(code)
    return say(Reply(texts.LINK_PAUSED.format(code=code, hours=hours, hotline=hotline)))


def _hash_code(deps: Deps, chat_user_id: int, code: str) -> str:
    message = f"{chat_user_id}:{code}".encode()
    return hmac.new(deps.config.code_pepper, message, hashlib.sha256).hexdigest()
