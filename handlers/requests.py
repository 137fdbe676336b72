"""Service requests: file one for a linked customer, and follow the progress of the chat's own.

A request is filed only when the customer confirms it, after being told what the service is,
who pays what, the papers to bring and the deadline (a button `svc:ok:<type>:<customer id>`).

A request is shown only when it belongs to a customer the chat has linked. Any other request
id gets the same explanation whether or not it exists, and counts as a failed attempt, like an
unlinked customer code, so that request ids cannot be used to probe other people's affairs.
"""

from __future__ import annotations

import re

from handlers import texts
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import choose_customer
from handlers.menu import (
    AGENT_BUTTON,
    CANCEL_BUTTON,
    chat_hotline,
    intent_button,
    link_buttons,
    link_needed,
)
from handlers.service_catalog import (
    OPEN_STATUSES,
    SERVICE_TYPES,
    deadline_text,
    description_text,
    fee_text,
    papers_text,
    service_name,
)
from handlers.slots import ask, asking, format_moment
from handlers.types import Button, Reply
from meters.records import CustomerDetails, RequestRecord
from nlu import Intent

LATEST = 5
CONFIRM = "ok"  # button data "svc:ok:<service type>:<customer id>[:<origin>]"
FROM_ABNORMAL = "a"  # the origin of an inspection asked for under the abnormal-use check
# The NLU stops a request id at the hyphen of the store's own codes ("YC2026-000123").
_FULL_REQUEST_ID = re.compile(r"(?<![A-Za-z0-9])YC\s?(\d{4})-(\d{6})(?!\d)", re.IGNORECASE)


def answer_service_request(turn: Turn, deps: Deps) -> Answer:
    """What the service asked for is, costs and needs, to confirm before it is filed."""
    service_type = turn.entities.get("service_type")
    if not isinstance(service_type, str) or service_type not in SERVICE_TYPES:
        buttons = tuple(Button(texts.SERVICE_BUTTONS[t], f"svc:{t}") for t in SERVICE_TYPES)
        return ask(
            Reply(texts.SERVICE_ASK_TYPE, buttons),
            intent=Intent.SERVICE_REQUEST,
            entities=turn.entities,
            awaiting=("service_type",),
            remind=texts.REMIND_SERVICE_TYPE,
        )
    if not turn.linked and "customer_code" not in turn.entities:
        return say(_how_to_apply(turn, deps, service_type))
    chosen = choose_customer(turn, deps, texts.WHAT_REQUESTS)
    if isinstance(chosen, Answer):
        return chosen
    return say(confirm_reply(deps, chosen.customer, service_type))


def service_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """`svc:<service type>`: the type chosen from the buttons; `svc:ok:…`: the confirmation."""
    action, _, confirmed = argument.partition(":")
    if action != CONFIRM:
        return answer_service_request(
            asking(turn, Intent.SERVICE_REQUEST, {"service_type": argument}), deps
        )
    service_type, _, rest = confirmed.partition(":")
    customer_id, _, origin = rest.partition(":")
    customer = next((c for c in turn.linked if str(c.id) == customer_id), None)
    if service_type not in SERVICE_TYPES or customer is None:  # not (or no longer) the chat's
        entities = {"service_type": service_type} if service_type in SERVICE_TYPES else {}
        return answer_service_request(asking(turn, Intent.SERVICE_REQUEST, entities), deps)
    return say(_file(deps, customer, service_type, origin))


def confirm_reply(
    deps: Deps, customer: CustomerDetails, service_type: str, origin: str = ""
) -> Reply:
    """The service, its fee, papers and deadline, with buttons to confirm or cancel; an open
    request of the same type instead, when there is one.
    """
    already = _already(deps, customer, service_type)
    if already is not None:
        return already
    lines = [
        texts.SERVICE_CONFIRM.format(
            service=service_name(service_type), code=customer.customer_code
        ),
        texts.SERVICE_WHAT.format(description=description_text(service_type)),
        texts.SERVICE_FEE.format(fee=fee_text(service_type)),
        texts.SERVICE_PAPERS.format(papers=papers_text(service_type)),
        texts.SERVICE_DEADLINE.format(deadline=deadline_text(service_type)),
        texts.SERVICE_CONFIRM_HINT,
    ]
    data = f"svc:{CONFIRM}:{service_type}:{customer.id}" + (f":{origin}" if origin else "")
    return Reply("\n".join(lines), (Button(texts.BUTTON_SERVICE_CONFIRM, data), CANCEL_BUTTON))


def answer_request_status(turn: Turn, deps: Deps) -> Answer:
    """The request named, if it is the chat's own; else the latest of the linked customers."""
    owners = {customer.id: customer for customer in turn.linked}
    request_id = _request_id(turn)
    if request_id is not None:
        found = deps.accounts.request(request_id)
        if found is None or found.customer_id not in owners:
            deps.chats.record_failed_link(turn.chat_user_id, deps.now)
            code = turn.linked[0].customer_code if turn.linked else None
            text = texts.REQUEST_NOT_FOUND.format(
                request_id=request_id, hotline=deps.config.hotline_for(code)
            )
            return say(Reply(text, link_buttons(turn.update.channel, deps.config)))
        return say(Reply(describe_request(deps, found, owners[found.customer_id])))
    if not turn.linked:
        return say(link_needed(texts.WHAT_REQUESTS, turn.update.channel, deps.config))
    latest = deps.accounts.requests_of(list(owners), limit=LATEST, asked_only=True)
    if not latest:
        return say(
            Reply(
                texts.REQUEST_NONE,
                (intent_button(texts.BUTTON_NEW_REQUEST, Intent.SERVICE_REQUEST),),
            )
        )
    described = [
        describe_request(deps, request, owners[request.customer_id])
        for request in latest
        if request.customer_id in owners
    ]
    return say(Reply("\n".join([texts.REQUEST_LATEST, *described])))


def describe_request(deps: Deps, request: RequestRecord, customer: CustomerDetails) -> str:
    """A request, its current status and every step it went through, in local time."""
    zone = deps.config.zone
    lines = [
        texts.REQUEST_HEADER.format(
            request_id=request.request_id,
            service=service_name(request.service_type),
            code=customer.customer_code,
            status=status_name(request.status),
            updated=format_moment(request.updated_at, zone),
        )
    ]
    for change in request.history:
        lines.append(
            texts.REQUEST_HISTORY_LINE.format(
                time=format_moment(change.changed_at, zone),
                status=status_name(change.status),
                note=f" – {change.note}" if change.note else "",
            )
        )
    return "\n".join(lines)


def status_name(status: str) -> str:
    """The Vietnamese name of a request status."""
    return texts.REQUEST_STATUS_NAMES.get(status, status)


def _already(deps: Deps, customer: CustomerDetails, service_type: str) -> Reply | None:
    """The customer's open request of this type, if any (never filed twice)."""
    for request in deps.accounts.requests_of([customer.id], limit=20):
        if request.service_type == service_type and request.status in OPEN_STATUSES:
            text = texts.SERVICE_ALREADY.format(
                code=customer.customer_code,
                service=service_name(service_type),
                request_id=request.request_id,
                status=status_name(request.status),
            )
            return Reply(text, (_status_button(),))
    return None


def _status_button() -> Button:
    return intent_button(texts.BUTTON_REQUEST_STATUS, Intent.REQUEST_STATUS)


def _file(deps: Deps, customer: CustomerDetails, service_type: str, origin: str = "") -> Reply:
    """File the confirmed request (unless one of its type is open) and say what comes next."""
    already = _already(deps, customer, service_type)
    if already is not None:
        return already
    code = customer.customer_code
    if origin == FROM_ABNORMAL and service_type == "meter_inspection":
        request_id = deps.accounts.file_request(
            customer.id, service_type, texts.INSPECTION_NOTE, deps.now
        )
        filed = texts.INSPECTION_FILED.format(code=code, request_id=request_id)
        return Reply(filed, (AGENT_BUTTON,))
    service = service_name(service_type)
    request_id = deps.accounts.file_request(
        customer.id, service_type, texts.SERVICE_NOTE, deps.now
    )
    lines = [
        texts.SERVICE_FILED.format(service=service, code=code, request_id=request_id),
        texts.SERVICE_PAPERS.format(papers=papers_text(service_type)),
        texts.SERVICE_DEADLINE.format(deadline=deadline_text(service_type)),
        texts.SERVICE_FOLLOW.format(request_id=request_id),
    ]
    return Reply("\n".join(lines), (_status_button(),))


def _how_to_apply(turn: Turn, deps: Deps, service_type: str) -> Reply:
    """For a chat without a linked customer: link first, or bring these papers."""
    lines = [
        texts.SERVICE_UNLINKED.format(
            service=service_name(service_type), hotline=chat_hotline(turn, deps)
        ),
        texts.SERVICE_PAPERS.format(papers=papers_text(service_type)),
        texts.SERVICE_DEADLINE.format(deadline=deadline_text(service_type)),
    ]
    return Reply("\n".join(lines), link_buttons(turn.update.channel, deps.config))


def _request_id(turn: Turn) -> str | None:
    match = _FULL_REQUEST_ID.search(turn.update.text)
    if match is not None:
        return f"YC{match.group(1)}-{match.group(2)}"
    named = turn.entities.get("request_id")
    return named.upper() if isinstance(named, str) and named else None
