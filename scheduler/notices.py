"""Notices: planned outages of the customer's station, new and soon-due bills, surveys.

Each run looks at what is due now and queues it under a key per stage, so running every few
minutes (or twice, or after a crash) sends each stage once. Who gets what:

- outages: subscribers of kind "outage" (subscribing grants the "outages" consent, and
  "Ngừng nhận tin này" stops the subscription) whose customer's station is cut; stages
  "announced" (first run after the import, unless the next send day is already the day
  before), "tomorrow" (on the day before) and "soon" (about an hour before the start);
- bills: subscribers of kind "bill" (consent "alerts"), unpaid bills only: "new" for bills
  whose period ended in the last NEW_BILL_DAYS days, "due" from DUE_REMINDER_DAYS before the
  due date;
- surveys: every linked chat that consents to "surveys", after a request is completed or a
  handoff case is closed (in the last SURVEY_DAYS days), with one button per score.

All of them obey the delivery window; a stage that cannot go out before its outage starts
expires instead of arriving late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from handlers import texts
from handlers.format import format_date, format_kwh, format_money
from meters.notice_store import (
    BillNotice,
    ClosedCase,
    OutageNotice,
    closed_cases,
    outage_notices,
    record_survey_sent,
    unpaid_bills,
)
from meters.outbox_records import NewMessage
from scheduler.queueing import NOTICE_PRIORITY, new_message, queue, window_timing
from scheduler.window import DeliveryWindow

OUTAGE = "outage"
BILL = "bill"
SURVEY = "survey"
OUTAGE_HORIZON = timedelta(days=30)  # outages further ahead are announced later
SOON = timedelta(minutes=65)  # "about an hour before": the job runs every 5 minutes
NEW_BILL_DAYS = 5
DUE_REMINDER_DAYS = 3
SURVEY_DAYS = 2
SCORES = range(1, 6)


@dataclass(frozen=True, slots=True)
class NoticeReport:
    """What one run queued."""

    kind: str
    found: int
    queued: int


def outage_stage(notice_start: datetime, window: DeliveryWindow, now: datetime) -> str | None:
    """Which notice of an outage starting at `notice_start` is due `now` (None: none is)."""
    if not now < notice_start:
        return None
    if notice_start - now <= SOON:
        return "soon"
    zone = window.zone
    start_day = notice_start.astimezone(zone).date()
    send_day = window.next_open(now).astimezone(zone).date()
    if send_day == start_day - timedelta(days=1):
        return "tomorrow"
    return "announced" if send_day <= start_day else None


def outage_text(notice: OutageNotice, stage: str, window: DeliveryWindow) -> str:
    """The notice of one stage, with the station, the times and (when announced) the reason."""
    template = {
        "announced": texts.NOTICE_OUTAGE_ANNOUNCED,
        "tomorrow": texts.NOTICE_OUTAGE_TOMORROW,
        "soon": texts.NOTICE_OUTAGE_SOON,
    }[stage]
    start = notice.starts_at.astimezone(window.zone)
    end = notice.ends_at.astimezone(window.zone)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else _moment(end)
    start_text = f"{start:%H:%M}" if stage != "announced" else _moment(start)
    return template.format(
        code=notice.recipient.customer_code,
        station=notice.station,
        start=start_text,
        end=end_text,
        reason=notice.reason,
    )


def outage_fields(notice: OutageNotice, stage: str, window: DeliveryWindow) -> dict[str, object]:
    """The notice's figures: the stage, the station and the local start and end times."""
    return {
        "stage": stage,
        "station": notice.station,
        "starts_at": notice.starts_at.astimezone(window.zone).isoformat(),
        "ends_at": notice.ends_at.astimezone(window.zone).isoformat(),
    }


def queue_outage_notices(engine: Engine, window: DeliveryWindow, now: datetime) -> NoticeReport:
    """Queue the outage notices due now (announcement, the day before, an hour before)."""
    with engine.begin() as connection:
        notices = outage_notices(connection, now, now + OUTAGE_HORIZON)
        messages: list[NewMessage] = []
        for notice in notices:
            stage = outage_stage(notice.starts_at, window, now)
            if stage is None:
                continue
            recipient = notice.recipient
            messages.append(
                new_message(
                    dedup_key=(
                        f"{OUTAGE}:{stage}:{notice.outage_id}:{recipient.customer_id}:"
                        f"{recipient.chat_user_id}"
                    ),
                    kind=OUTAGE,
                    recipient=recipient,
                    text=outage_text(notice, stage, window),
                    stop_kind=OUTAGE,
                    timing=window_timing(window, now, deadline=notice.starts_at),
                    priority=NOTICE_PRIORITY,
                    fields=outage_fields(notice, stage, window),
                )
            )
        return NoticeReport(OUTAGE, len(notices), queue(connection, messages, now))


def bill_text(notice: BillNotice, stage: str) -> str:
    """The new-bill notice or the due-date reminder."""
    code = notice.recipient.customer_code
    if stage == "due":
        return texts.NOTICE_BILL_DUE.format(
            code=code, amount=format_money(notice.total), due=format_date(notice.due_date)
        )
    return texts.NOTICE_BILL_NEW.format(
        code=code,
        first=format_date(notice.period_start),
        last=format_date(notice.period_end),
        kwh=format_kwh(notice.kwh_wh),
        amount=format_money(notice.total),
        due=format_date(notice.due_date),
    )


def queue_bill_notices(engine: Engine, window: DeliveryWindow, now: datetime) -> NoticeReport:
    """Queue the new-bill notices and the due-date reminders of unpaid bills."""
    today = now.astimezone(window.zone).date()
    timing = window_timing(window, now)
    with engine.begin() as connection:
        new = unpaid_bills(
            connection, period_end_from=today - timedelta(days=NEW_BILL_DAYS), due_from=today
        )
        due = unpaid_bills(
            connection, due_from=today, due_to=today + timedelta(days=DUE_REMINDER_DAYS)
        )
        messages = [
            new_message(
                dedup_key=f"{BILL}:{stage}:{notice.bill_no}:{notice.recipient.chat_user_id}",
                kind=BILL,
                recipient=notice.recipient,
                text=bill_text(notice, stage),
                stop_kind=BILL,
                timing=timing,
                priority=NOTICE_PRIORITY,
            )
            for stage, notices in (("new", new), ("due", due))
            for notice in notices
        ]
        return NoticeReport(BILL, len(messages), queue(connection, messages, now))


def survey_message(case: ClosedCase, timing: tuple[datetime, datetime]) -> NewMessage:
    """The survey of one closed case: a question and a button per score 1–5."""
    text = texts.SURVEY_CASE if case.handoff else texts.SURVEY_REQUEST.format(request_id=case.code)
    return new_message(
        dedup_key=f"{SURVEY}:{case.code}",
        kind=SURVEY,
        recipient=case.recipient,
        text=text,
        stop_kind=SURVEY,
        timing=timing,
        priority=NOTICE_PRIORITY,
        buttons=[
            (label, f"{SURVEY}:{case.code}:{score}")
            for score, label in zip(SCORES, texts.SURVEY_SCORE_LABELS, strict=True)
        ],
    )


def queue_surveys(engine: Engine, window: DeliveryWindow, now: datetime) -> NoticeReport:
    """Queue one satisfaction survey per request completed or handoff case closed lately.

    The survey row is recorded in the same transaction (it is where the answer goes, and the
    agents' console, which may ask itself when it closes a case, sees it was asked).
    """
    timing = window_timing(window, now)
    with engine.begin() as connection:
        cases = closed_cases(connection, now - timedelta(days=SURVEY_DAYS))
        messages = [
            survey_message(case, timing)
            for case in cases
            if record_survey_sent(connection, case, now)
        ]
        return NoticeReport(SURVEY, len(cases), queue(connection, messages, now))


def _moment(moment: datetime) -> str:
    return texts.OUTAGE_TIME.format(date=format_date(moment.date()), time=f"{moment:%H:%M}")
