"""The call centre's case service, channel-neutral: every agent surface calls these functions.

The agent console (bot/web/agent) and the Telegram agent group use the same operations:
`claim`, `reply`, `note`, `transfer`, `set_status`, `close`, and `customer_messages_after` as the
event stream of new customer messages. Each runs inside the caller's transaction, on the stores
of `CaseDeps`, and raises `CaseError` (with a Vietnamese explanation for the agent) when the
agent may not do it.

What reaches the customer goes through the outbox (kind "agent_reply", "case_status" or
"survey", priority 0, bucket = the chat's channel), so it is rate-limited, retried and never
lost; an agent's reply is also written to the conversation log, masked like every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from handlers import texts
from handlers.attachments import described_file
from handlers.context import ConversationConfig, Step
from handlers.privacy import PersonalValue, mask_text, personal_strings
from handlers.requests import status_name
from handlers.service_catalog import DEADLINE_WORKING_DAYS
from handlers.types import Button, Channel, Reply
from meters.account_store import SqlAccountStore
from meters.agent_store import SqlAgentStore
from meters.case_records import AgentRecord, CaseFile, CaseMessageRecord, CaseRecord
from meters.case_store import HANDOFF, SqlCaseStore
from meters.chat_store import SqlChatStore
from meters.outbox_records import NewMessage
from meters.outbox_store import SqlOutboxStore
from meters.survey_store import SqlSurveyStore

AGENT_REPLY = "agent_reply"
CASE_STATUS = "case_status"
SURVEY = "survey"
SURVEY_PREFIX = "survey"
SURVEY_CONSENT = "surveys"
# What an agent may set by hand; closing sets completed or cancelled.
AGENT_STATUSES = ("in_progress", "waiting_customer", "forwarded", "scheduled")
CLOSED_STATUSES = frozenset({"completed", "cancelled", "rejected"})
RESOLUTIONS = tuple(texts.CASE_RESOLUTIONS)
CANCELLING_RESOLUTIONS = frozenset({"duplicate", "no_response", "cancelled"})
MAX_REPLY_CHARS = 4000
MINUTES_PER_WAITING_CASE = 5
TRANSCRIPT_LINES = 20


class CaseError(Exception):
    """An operation the agent may not do; `status` is an HTTP-like code for the surfaces."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class CaseDeps:
    """The stores of one transaction, the conversation settings and the moment."""

    cases: SqlCaseStore
    chats: SqlChatStore
    accounts: SqlAccountStore
    agents: SqlAgentStore
    surveys: SqlSurveyStore
    outbox: SqlOutboxStore
    config: ConversationConfig
    now: datetime


# --- who sees what -------------------------------------------------------------------------------


def visible_units(agent: AgentRecord) -> tuple[str, ...] | None:
    """The units whose queue an agent sees; None for a supervisor (every unit)."""
    if agent.is_supervisor:
        return None
    return (agent.unit,) if agent.unit else ()


def can_see(agent: AgentRecord, case: CaseRecord) -> bool:
    """Whether an agent may open a case: a supervisor always, an agent in the case's unit."""
    units = visible_units(agent)
    return units is None or case.unit in units


def case_for(deps: CaseDeps, agent: AgentRecord, code: str) -> CaseRecord:
    """The case, if the agent may see it (the same refusal whether it exists or not)."""
    found = deps.cases.case(code)
    if found is None or not can_see(agent, found):
        raise CaseError("Không tìm thấy hồ sơ này trong hàng chờ của anh/chị.", 404)
    return found


def queue(deps: CaseDeps, agent: AgentRecord, *, closed: bool = False) -> tuple[CaseRecord, ...]:
    """The open (or recently closed) cases the agent sees, oldest first."""
    return deps.cases.queue(visible_units(agent), closed=closed)


def intent_label(guess: str | None) -> str:
    """What the NLU thought the customer wanted, in Vietnamese ("báo mất điện")."""
    if guess is None:
        return texts.AGENT_TOPIC_NO_GUESS
    return texts.INTENT_LABELS.get(guess, guess)


def is_overdue(case: CaseRecord, now: datetime) -> bool:
    """An unfinished case past its due time."""
    return case.due_at is not None and case.status not in CLOSED_STATUSES and now > case.due_at


# --- business hours and SLA --------------------------------------------------------------------


def in_agent_hours(config: ConversationConfig, moment: datetime) -> bool:
    """Whether agents answer at this moment (local time)."""
    start, end = config.agent_hours
    local = moment.astimezone(config.zone).time()
    return start <= local < end


def next_opening(config: ConversationConfig, moment: datetime) -> datetime:
    """The next moment agents start answering (`moment` itself within the hours)."""
    if in_agent_hours(config, moment):
        return moment
    start, _ = config.agent_hours
    local = moment.astimezone(config.zone)
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=config.zone)


def handoff_due(config: ConversationConfig, opened: datetime) -> datetime:
    """When a handoff case is due: the SLA counted from the next opening."""
    return next_opening(config, opened) + config.handoff_sla


def request_due(service_type: str, created_at: datetime, zone: Any) -> datetime | None:
    """The end of the published deadline of a service request, in working days (Mon-Fri)."""
    days = DEADLINE_WORKING_DAYS.get(service_type)
    if days is None:
        return None
    day = created_at.astimezone(zone).date()
    left = days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return datetime.combine(day, time(23, 59), tzinfo=zone)


def expected_wait(waiting: int) -> str:
    """The wait a customer is told, from the unclaimed cases ahead of them."""
    minutes = MINUTES_PER_WAITING_CASE * max(waiting, 1)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return texts.WAIT_MINUTES.format(minutes=rest)
    if not rest:
        return texts.WAIT_HOURS.format(hours=hours)
    return texts.WAIT_HOURS_MINUTES.format(hours=hours, minutes=rest)


def opening_day_text(config: ConversationConfig, now: datetime, opening: datetime) -> str:
    """ "hôm nay", "ngày mai" or "ngày 24/11" for the next opening."""
    today = now.astimezone(config.zone).date()
    day: date = opening.astimezone(config.zone).date()
    if day == today:
        return texts.HANDOFF_TODAY
    if day == today + timedelta(days=1):
        return texts.HANDOFF_TOMORROW
    return texts.HANDOFF_ON_DAY.format(date=day.strftime("%d/%m"))


# --- agent operations ----------------------------------------------------------------------------


def claim(deps: CaseDeps, agent: AgentRecord, code: str) -> CaseRecord:
    """Take a case of the queue; the customer hears who is helping them."""
    case = _open_case_for(deps, agent, code)
    deps.cases.lock_chat(case.chat_user_id)
    if not deps.cases.claim(case.id, agent.id, deps.now):
        raise CaseError(f"Hồ sơ đã được {case.assignee_name or 'nhân viên khác'} nhận.", 409)
    if case.assignee_id != agent.id:
        deps.cases.add_message(
            case.id, "note", f"{agent.display_name} nhận hồ sơ.", deps.now, agent.id
        )
    if case.status in ("received", "forwarded"):
        helping = texts.CASE_CLAIMED.format(agent=agent.display_name)
        _change_status(deps, case, "in_progress", helping)
    return _reloaded(deps, case)


def reply(
    deps: CaseDeps, agent: AgentRecord, code: str, text: str, *, file: CaseFile | None = None
) -> int:
    """Send the customer a message: into the transcript, the masked log and the outbox.

    `file`: a Telegram message of the agent's (a photo, a document…, `text` its caption) that
    is copied to the customer as it is; only a customer on Telegram can be sent one.
    """
    case = _open_case_for(deps, agent, code)
    if file is not None and case.channel != Channel.TELEGRAM:
        raise CaseError(texts.AGENT_FILE_TELEGRAM_ONLY)
    text = _checked_text(text) if file is None else text.strip()[:MAX_REPLY_CHARS]
    deps.cases.lock_chat(case.chat_user_id)
    if case.assignee_id is None:
        claim(deps, agent, code)
    elif case.assignee_id != agent.id and not agent.is_supervisor:
        raise CaseError(f"Hồ sơ đang do {case.assignee_name} xử lý.", 409)
    line = text if file is None else described_file(file.kind, text)
    message_id = deps.cases.add_message(case.id, "agent", line, deps.now, agent.id, file=file)
    personal = _personal_strings(deps, case)
    deps.chats.log_message(case.chat_user_id, "out", mask_text(line, personal), None, deps.now)
    copy_from = None if file is None else file.source
    _send(
        deps,
        case,
        AGENT_REPLY,
        f"agent_reply:{message_id}",
        text,
        copy_from=copy_from,
        author=agent.display_name,
    )
    return message_id


def note(deps: CaseDeps, agent: AgentRecord, code: str, text: str) -> int:
    """An internal note: agents see it, the customer never does."""
    case = case_for(deps, agent, code)
    return deps.cases.add_message(case.id, "note", _checked_text(text), deps.now, agent.id)


def transfer(
    deps: CaseDeps,
    agent: AgentRecord,
    code: str,
    *,
    to_agent_id: int | None = None,
    to_unit: str | None = None,
) -> CaseRecord:
    """Give a case to another agent (their unit) or to a unit's queue (unclaimed)."""
    case = _open_case_for(deps, agent, code)
    deps.cases.lock_chat(case.chat_user_id)
    if to_agent_id is not None:
        target = deps.agents.agent(to_agent_id)
        if target is None or not target.active:
            raise CaseError("Không có nhân viên này.", 404)
        unit = target.unit or case.unit
        deps.cases.assign(case.id, target.id, unit)
        line = f"{agent.display_name} chuyển hồ sơ cho {target.display_name}."
    elif to_unit:
        unit = to_unit.strip()
        if unit not in deps.cases.units() and unit != deps.config.default_unit:
            raise CaseError("Không có đơn vị này.", 404)
        deps.cases.assign(case.id, None, unit)
        line = f"{agent.display_name} chuyển hồ sơ về hàng chờ của {unit}."
    else:
        raise CaseError("Chọn nhân viên hoặc đơn vị nhận hồ sơ.")
    deps.cases.add_message(case.id, "event", line, deps.now, agent.id)
    if unit not in (case.unit, deps.config.default_unit):
        _change_status(deps, case, "forwarded", texts.CASE_FORWARDED_NOTE.format(unit=unit))
    return _reloaded(deps, case)


def set_status(deps: CaseDeps, agent: AgentRecord, code: str, status: str) -> CaseRecord:
    """Move an open case to a working status (the customer is told)."""
    if status not in AGENT_STATUSES:
        raise CaseError("Trạng thái không hợp lệ.")
    case = _open_case_for(deps, agent, code)
    deps.cases.lock_chat(case.chat_user_id)
    _change_status(deps, case, status, None)
    return _reloaded(deps, case)


def close(deps: CaseDeps, agent: AgentRecord, code: str, resolution: str) -> CaseRecord:
    """Close with a resolution code: the chat returns to the bot, the customer gets a survey."""
    if resolution not in texts.CASE_RESOLUTIONS:
        raise CaseError("Chọn kết quả xử lý.")
    case = _open_case_for(deps, agent, code)
    deps.cases.lock_chat(case.chat_user_id)
    status = "cancelled" if resolution in CANCELLING_RESOLUTIONS else "completed"
    deps.cases.close(case.id, resolution, deps.now)
    deps.cases.add_message(
        case.id,
        "note",
        f"{agent.display_name} đóng hồ sơ: {texts.CASE_RESOLUTIONS[resolution]}.",
        deps.now,
        agent.id,
    )
    deps.cases.set_status(case.code, status, texts.CASE_RESOLUTIONS[resolution], deps.now)
    state = deps.chats.state(case.chat_user_id)
    if state is not None and state.step == Step.HUMAN.value:
        deps.chats.save_state(case.chat_user_id, Step.IDLE.value, {}, deps.now)
    closing = texts.CASE_CLOSED.format(
        code=case.code, resolution=texts.CASE_RESOLUTIONS[resolution]
    )
    deps.cases.add_message(case.id, "bot", closing, deps.now)
    deps.chats.log_message(case.chat_user_id, "out", closing, None, deps.now)
    _send(deps, case, CASE_STATUS, f"case_closed:{case.code}", closing)
    send_survey(
        deps,
        case.code,
        chat_user_id=case.chat_user_id,
        channel=case.channel,
        customer_id=case.customer_id,
        agent_id=agent.id,
        unit=case.unit,
    )
    return _reloaded(deps, case)


def customer_messages_after(
    deps: CaseDeps, after_id: int, limit: int = 100
) -> tuple[tuple[str, CaseMessageRecord], ...]:
    """The event stream of customer messages in open cases: (case code, message) after an id."""
    return deps.cases.customer_messages_after(after_id, limit)


def send_survey(
    deps: CaseDeps,
    code: str,
    *,
    chat_user_id: int,
    channel: str,
    customer_id: int | None,
    agent_id: int | None,
    unit: str | None,
) -> bool:
    """Queue the 1-5 survey about a code, once, if the chat consents to surveys."""
    if SURVEY_CONSENT not in deps.chats.active_consents(chat_user_id):
        return False
    if not deps.surveys.create(
        code=code, chat_user_id=chat_user_id, agent_id=agent_id, unit=unit, now=deps.now
    ):
        return False
    # The shape scheduler/render.py renders: [[label, callback data], ...].
    buttons = [
        [label, f"{SURVEY_PREFIX}:{code}:{score}"]
        for score, label in enumerate(texts.SURVEY_SCORE_LABELS, start=1)
    ]
    deps.outbox.enqueue(
        [
            NewMessage(
                dedup_key=f"survey:{code}",
                kind=SURVEY,
                channel=channel,
                bucket=channel,
                chat_user_id=chat_user_id,
                customer_id=customer_id,
                payload={"text": texts.SURVEY_ASK.format(code=code), "buttons": buttons},
                not_before=deps.now,
                expires_at=deps.now + timedelta(days=7),
                priority=0,
            )
        ],
        deps.now,
    )
    return True


def notify_status_changes(deps: CaseDeps, after_history_id: int) -> int:
    """Tell the chats about every status change after a history id (an import's); how many.

    Idempotent: each change is queued once per chat (its dedup key names both).
    """
    messages = []
    for notice in deps.cases.status_notices_after(after_history_id):
        note = texts.CASE_STATUS_NOTE.format(note=notice.note) if notice.note else ""
        text = texts.CASE_STATUS.format(
            code=notice.request_id, status=status_name(notice.status), note=note
        )
        messages.append(
            NewMessage(
                dedup_key=f"case_status:{notice.history_id}:{notice.chat_user_id}",
                kind=CASE_STATUS,
                channel=notice.channel,
                bucket=notice.channel,
                chat_user_id=notice.chat_user_id,
                customer_id=None,
                payload={"text": text},
                not_before=deps.now,
                expires_at=None,
                priority=0,
            )
        )
    return deps.outbox.enqueue(messages, deps.now)


def reply_of_payload(payload: Mapping[str, Any]) -> Reply:
    """The reply a text outbox payload carries: {"text", "buttons": [[label, data], ...]} and,
    for an agent's reply, "author" (the agent's display name)."""
    answers = payload.get("buttons")
    buttons = tuple(
        Button(str(pair[0]), str(pair[1]))
        for pair in (answers if isinstance(answers, list) else ())
        if isinstance(pair, list | tuple) and len(pair) == 2
    )
    return Reply(str(payload.get("text", "")), buttons, author=author_of_payload(payload))


def author_of_payload(payload: Mapping[str, Any]) -> str | None:
    """The agent who wrote a queued message, or None (the bot's)."""
    author = payload.get("author")
    return author if isinstance(author, str) and author.strip() else None


# --- helpers -------------------------------------------------------------------------------------


def _open_case_for(deps: CaseDeps, agent: AgentRecord, code: str) -> CaseRecord:
    case = case_for(deps, agent, code)
    if not case.open:
        raise CaseError("Hồ sơ đã đóng.", 409)
    return case


def _reloaded(deps: CaseDeps, case: CaseRecord) -> CaseRecord:
    found = deps.cases.case(case.code)
    assert found is not None
    return found


def _checked_text(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise CaseError("Nội dung trống.")
    if len(stripped) > MAX_REPLY_CHARS:
        raise CaseError(f"Nội dung dài quá {MAX_REPLY_CHARS} ký tự.")
    return stripped


def _change_status(deps: CaseDeps, case: CaseRecord, status: str, note: str | None) -> None:
    cursor = deps.cases.last_history_id()
    if deps.cases.set_status(case.code, status, note, deps.now):
        notice_note = texts.CASE_STATUS_NOTE.format(note=note) if note else ""
        text = texts.CASE_STATUS.format(
            code=case.code, status=status_name(status), note=notice_note
        )
        deps.cases.add_message(case.id, "bot", text, deps.now)
        deps.chats.log_message(case.chat_user_id, "out", text, None, deps.now)
        notify_status_changes(deps, cursor)


def _send(
    deps: CaseDeps,
    case: CaseRecord,
    kind: str,
    dedup_key: str,
    text: str,
    *,
    copy_from: str | None = None,
    author: str | None = None,
) -> None:
    """Queue a message to the case's customer: a text, or (`copy_from`) a Telegram message of
    an agent's to copy, `text` its caption; `author`: the agent who wrote it."""
    payload: dict[str, object] = {"text": text}
    if copy_from is not None:
        payload["copy_from"] = copy_from
    if author is not None:
        payload["author"] = author
    deps.outbox.enqueue(
        [
            NewMessage(
                dedup_key=dedup_key,
                kind=kind,
                channel=case.channel,
                bucket=case.channel,
                chat_user_id=case.chat_user_id,
                customer_id=case.customer_id,
                payload=payload,
                not_before=deps.now,
                expires_at=None,
                priority=0,
            )
        ],
        deps.now,
    )


def _personal_strings(deps: CaseDeps, case: CaseRecord) -> list[PersonalValue]:
    return personal_strings(deps.accounts.linked_customers(case.chat_user_id))


__all__ = [
    "AGENT_REPLY",
    "CASE_STATUS",
    "HANDOFF",
    "SURVEY",
    "CaseDeps",
    "CaseError",
    "claim",
    "close",
    "customer_messages_after",
    "note",
    "notify_status_changes",
    "queue",
    "reply",
    "set_status",
    "transfer",
]
