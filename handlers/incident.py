"""A power loss or a hazard reported now: safety first, then an incident request with its code.

A hazard (broken wire, fire, sparks, shocks) gets the safety advice before anything else, and a
report is never lost: without a linked customer it is filed without one, with the hotline.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import timedelta

from handlers import texts
from handlers.context import Answer, Deps, Step, Turn, say
from handlers.customers import choose_customer
from handlers.menu import chat_hotline, link_buttons
from handlers.outage import cuts
from handlers.places import named_place
from handlers.service_catalog import HAZARD, INCIDENT, OPEN_STATUSES
from handlers.slots import format_moment, has_any, remember
from handlers.types import Reply
from meters.records import CustomerDetails, OutageRecord, RequestRecord

# Words that mean danger, with diacritics (as most customers write) ...
HAZARD_WORDS = (
    "cháy",
    "nổ",
    "giật",
    "đứt",
    "khói",
    "tia lửa",
    "nguy hiểm",
    "rò điện",
    "chập điện",
    "chập mạch",
    "đổ cột",
    "cột điện đổ",
    "cột điện ngã",
)
# ... and without them, only where the folded word cannot mean something harmless
# ("chạy" folds to "chay", "chập chờn" is flicker, not a hazard).
HAZARD_PHRASES = (
    "dut",
    "nguy hiem",
    "tia lua",
    "ro dien",
    "chap dien",
    "chap mach",
    "bi chay",
    "boc chay",
    "chay no",
    "bi no",
    "phat no",
    "boc khoi",
    "bi giat",
    "giat dien",
    "do cot",
    "cot dien do",
    "cot dien nga",
    "cot dien nghieng",
)
SAME_REPORT_WITHIN = timedelta(hours=2)  # a second report in this time is the same incident
NOTE_LIMIT = 300


def is_hazard(text: str) -> bool:
    """Whether a report speaks of danger to people rather than just no power."""
    lowered = unicodedata.normalize("NFC", text).lower()
    for word in HAZARD_WORDS:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered):
            return True
    return has_any(text, HAZARD_PHRASES)


def answer_outage_report(turn: Turn, deps: Deps) -> Answer:
    """Safety advice for a hazard, then the incident filed and its code."""
    hazard = turn.entities.get("hazard") is True or is_hazard(turn.update.text)
    stored_note = turn.entities.get("note")
    note = (
        stored_note
        if isinstance(stored_note, str)
        else texts.INCIDENT_NOTE.format(text=turn.update.text.strip()[:NOTE_LIMIT])
    )
    kind = HAZARD if hazard else INCIDENT
    if not turn.linked and "customer_code" not in turn.entities:
        return say(*_anonymous(turn, deps, kind, note))
    chosen = choose_customer(turn, deps, texts.WHAT_OUTAGE_REPORT)
    if isinstance(chosen, Answer):
        if chosen.step is not Step.CHOOSE_CUSTOMER:  # a code the chat has not linked
            return say(*_anonymous(turn, deps, kind, note), *chosen.replies)
        asked = tuple(Reply(texts.INCIDENT_WHICH, r.buttons) for r in chosen.replies)
        hotline = chat_hotline(turn, deps)
        safety = (Reply(texts.HAZARD_SAFETY.format(hotline=hotline)),) if hazard else ()
        pending = dataclasses.replace(chosen, replies=safety + asked)
        return remember(pending, {"hazard": hazard, "note": note})
    return say(*_filed(deps, chosen.customer, kind, note))


def _filed(deps: Deps, customer: CustomerDetails, kind: str, note: str) -> tuple[Reply, ...]:
    code = customer.customer_code
    hotline = deps.config.hotline_for(code)
    replies = [_safety(deps, code)] if kind == HAZARD else []
    same = _same_report(deps, customer, kind)
    if same is not None:
        replies.append(
            Reply(
                texts.INCIDENT_ALREADY.format(
                    time=format_moment(same.created_at, deps.config.zone),
                    request_id=same.request_id,
                    hotline=hotline,
                )
            )
        )
    else:
        request_id = deps.accounts.file_request(customer.id, kind, note, deps.now)
        replies.append(
            Reply(texts.INCIDENT_FILED.format(code=code, request_id=request_id, hotline=hotline))
        )
    planned = _planned_now(deps, customer)
    if planned is not None:
        replies.append(
            Reply(
                texts.INCIDENT_PLANNED.format(
                    station=customer.station or customer.area,
                    reason=planned.reason,
                    until=format_moment(planned.ends_at, deps.config.zone),
                )
            )
        )
    return tuple(replies)


def _anonymous(turn: Turn, deps: Deps, kind: str, note: str) -> tuple[Reply, ...]:
    """A report from a chat that owns no customer: filed without one, and the hotline."""
    named = turn.entities.get("customer_code")  # a code typed, not linked: only its prefix counts
    typed = named if isinstance(named, str) else None
    hotline = deps.config.hotline_for(typed)
    replies = [_safety(deps, typed)] if kind == HAZARD else []
    request_id = deps.accounts.file_request(None, kind, note, deps.now)
    channel = turn.update.channel
    replies.append(
        Reply(
            texts.INCIDENT_FILED_ANONYMOUS.format(request_id=request_id, hotline=hotline),
            link_buttons(channel, deps.config),
        )
    )
    place = named_place(turn)
    if place is not None:
        moment = deps.now
        planned = deps.accounts.outages_between(
            moment, moment + timedelta(minutes=1), stations=[], areas=place.areas
        )
        if planned:
            replies.append(
                Reply(
                    texts.INCIDENT_AREA_PLANNED.format(
                        area=planned[0].area,
                        reason=planned[0].reason,
                        until=format_moment(planned[0].ends_at, deps.config.zone),
                    )
                )
            )
    return tuple(replies)


def _safety(deps: Deps, customer_code: str | None) -> Reply:
    return Reply(texts.HAZARD_SAFETY.format(hotline=deps.config.hotline_for(customer_code)))


def _planned_now(deps: Deps, customer: CustomerDetails) -> OutageRecord | None:
    """The planned outage cutting the customer's station at this moment, if any."""
    station = customer.station
    found = deps.accounts.outages_between(
        deps.now,
        deps.now + timedelta(minutes=1),
        stations=[station] if station else [],
        areas=[customer.area],
    )
    return next((o for o in found if cuts(o, customer) and o.starts_at <= deps.now), None)


def _same_report(deps: Deps, customer: CustomerDetails, kind: str) -> RequestRecord | None:
    """An open report of the same kind filed a moment ago (a second message, not a new fault)."""
    since = deps.now - SAME_REPORT_WITHIN
    for request in deps.accounts.requests_of([customer.id], limit=5):
        if (
            request.service_type == kind
            and request.status in OPEN_STATUSES
            and request.created_at >= since
        ):
            return request
    return None
