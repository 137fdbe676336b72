"""The services a customer can ask for in the chat, with EVN's published deadlines.

Deadlines are EVN's service standards for low-voltage customers in towns and cities
(evn.com.vn "Dịch vụ trong quá trình thực hiện HĐMBĐ", the free and the paid contract services;
EVNCPC "Tiêu chuẩn dịch vụ"): a new connection or a change of contract at most 3 working days,
moving the meter at most 5, checking a meter at most 3; a suspension happens when the customer
asks for it. Rural areas and connections that need a new pole or cable take longer; the reply
says "không quá", and the power company's own page is the authority.

Who pays what (`texts.SERVICE_FEES`) is EVN's published rule, not an amount: evn.com.vn "Các
dịch vụ miễn phí trong quá trình thực hiện HĐMBĐ" (a change or the end of the contract is free),
"Các dịch vụ có chi phí trong quá trình thực hiện HĐMBĐ" (moving the meter: the whole cost but
the meter and breaker, which stay the power company's; reconnecting after a suspension: the
suspension and reconnection charge of Circular 23/2020/TT-BCT; an independent inspection of the
meter: paid by the customer when the meter is found within the standard, by the power company
otherwise, as the EVNNPC customer-care FAQ also says), and "Dịch vụ cấp điện mới hạ áp" (a new
connection: the customer's side from the connection point; the meter is the power company's).
The amounts depend on the site, so the reply says the power company quotes them.
The names, descriptions, fees and papers are customer-facing texts, in `handlers.texts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from handlers import texts

SERVICE_TYPES = (
    "new_connection",
    "contract_change",
    "contract_end",
    "suspension",
    "meter_inspection",
    "meter_relocation",
)
INCIDENT = "incident"  # a power loss reported now
HAZARD = "hazard"  # a broken wire, fire, sparks: danger to people
# Statuses of a request that is still being handled.
OPEN_STATUSES = frozenset(
    {"received", "in_progress", "forwarded", "scheduled", "waiting_customer"}
)

# Working days to settle a request; None: on the date the customer asks for.
DEADLINE_WORKING_DAYS: Mapping[str, int | None] = MappingProxyType(
    {
        "new_connection": 3,
        "contract_change": 3,
        "contract_end": 3,
        "suspension": None,
        "meter_inspection": 3,
        "meter_relocation": 5,
    }
)


def service_name(service_type: str) -> str:
    """What a service (or an incident report) is called in a reply."""
    return texts.SERVICE_NAMES.get(service_type, service_type)


def deadline_text(service_type: str) -> str:
    """The published deadline of a service, in words."""
    days = DEADLINE_WORKING_DAYS.get(service_type)
    if days is None:
        return texts.SERVICE_DEADLINE_ON_REQUEST
    return texts.SERVICE_DEADLINE_DAYS.format(days=days)


def description_text(service_type: str) -> str:
    """What the service is, in one sentence."""
    return texts.SERVICE_DESCRIPTIONS.get(service_type, service_name(service_type))


def fee_text(service_type: str) -> str:
    """Who pays what for the service (EVN's published rule; no amount is known here)."""
    return texts.SERVICE_FEES.get(service_type, texts.SERVICE_FEE_UNKNOWN)


def papers_text(service_type: str) -> str:
    """The papers to bring for a service, as one list."""
    return "; ".join(texts.SERVICE_PAPER_LISTS.get(service_type, ()))
