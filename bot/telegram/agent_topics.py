"""What a case looks like in the Telegram agent group: topic name, summary, relayed lines.

Pure functions over the case's records. The group lives on Telegram's servers and every member
sees every topic, whatever their unit, so what is shown there is masked with `handlers.privacy`
as the conversation log is, without its placeholders: phones of people keep their last three
digits, customer codes their unit (PE0400*******), the linked customers' names and addresses
are hidden, one-time codes too; hotlines, request codes and amounts stay readable. Names in
labels keep initials and the given name. The console shows the case unmasked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from handlers import texts
from handlers.cases import intent_label
from handlers.privacy import mask_customer_code, mask_text, personal_strings
from meters.case_records import CaseMessageRecord, CaseRecord
from meters.records import CustomerDetails

TOPIC_NAME_LIMIT = 128  # Bot API: createForumTopic name, 1-128 characters
TRANSCRIPT_LINES = 20
LINE_LIMIT = 500  # characters of one transcript line in the summary


def masked(text: str, customers: Sequence[CustomerDetails] = ()) -> str:
    """`text` as the group may read it (the linked `customers`' values hidden too)."""
    return mask_text(text, personal_strings(customers), pseudonyms=False)


def masked_name(name: str | None) -> str:
    """A name for the group: initials and the given name ("Nguyễn Văn An" -> "N. V. An")."""
    words = mask_text(name or "").split()
    if not words:
        return texts.AGENT_TOPIC_NO_NAME
    return " ".join([f"{word[0]}." for word in words[:-1]] + [words[-1]])


def masked_codes(customers: Sequence[CustomerDetails]) -> str:
    """The customer codes of a case, masked ("PE0400*******"), or a dash."""
    return ", ".join(mask_customer_code(c.customer_code) for c in customers) or "—"


def guess_name(case: CaseRecord) -> str:
    """What the NLU thought the customer wanted, in words."""
    return intent_label(case.intent_guess)


def customer_label(case: CaseRecord, customers: Sequence[CustomerDetails]) -> str:
    """The masked customer of a case: the contract's name and code, else the chat's name."""
    if customers:
        return f"{masked_name(customers[0].name)} ({masked_codes(customers[:1])})"
    return masked_name(case.display_name)


def topic_name(case: CaseRecord, customers: Sequence[CustomerDetails]) -> str:
    """The topic's title: code, masked customer and the NLU's guess, at most 128 characters."""
    name = texts.AGENT_TOPIC_NAME.format(
        code=case.code, name=customer_label(case, customers), guess=guess_name(case)
    )
    return name if len(name) <= TOPIC_NAME_LIMIT else name[: TOPIC_NAME_LIMIT - 1] + "…"


def summary(
    case: CaseRecord,
    customers: Sequence[CustomerDetails],
    messages: Sequence[CaseMessageRecord],
    zone: tzinfo,
) -> str:
    """The first post of a topic: who, why, where it waits, and the latest transcript."""
    lines = [transcript_line(message, customers, zone) for message in messages[-TRANSCRIPT_LINES:]]
    return texts.AGENT_TOPIC_SUMMARY.format(
        code=case.code,
        name=masked_name(customers[0].name) if customers else masked_name(case.display_name),
        codes=masked_codes(customers),
        channel=texts.AGENT_TOPIC_CHANNELS.get(case.channel, case.channel),
        reason=texts.AGENT_TOPIC_REASONS.get(case.reason, case.reason),
        guess=guess_name(case),
        unit=case.unit or "—",
        due=_moment(case.due_at, zone),
        transcript="\n".join(lines) or texts.AGENT_TOPIC_NO_TRANSCRIPT,
    )


def transcript_line(
    message: CaseMessageRecord, customers: Sequence[CustomerDetails], zone: tzinfo
) -> str:
    """One transcript line, masked, with when it was said and its author."""
    author = texts.AGENT_TOPIC_AUTHORS.get(message.author, message.author)
    author = author.format(agent=message.agent_name or "")
    said = message.created_at.astimezone(zone).strftime("%H:%M")
    return f"{said} {author}: {_short(masked(message.text, customers))}"


def relayed_line(author: str, text: str, customers: Sequence[CustomerDetails] = ()) -> str:
    """A transcript line as it is relayed into the topic, masked (the case's `customers`'
    values too): a customer's message, or an agent's action on the case made elsewhere (a
    transfer in the web console)."""
    if author == "customer":
        return texts.AGENT_TOPIC_CUSTOMER_LINE.format(text=masked(text, customers))
    return texts.AGENT_TOPIC_EVENT_LINE.format(text=masked(text, customers))


def _short(text: str) -> str:
    return text if len(text) <= LINE_LIMIT else text[: LINE_LIMIT - 1] + "…"


def _moment(moment: datetime | None, zone: tzinfo) -> str:
    if moment is None:
        return texts.AGENT_TOPIC_NO_DUE
    return moment.astimezone(zone).strftime("%H:%M %d/%m/%Y")
