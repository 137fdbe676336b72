"""The services a customer can ask for in the chat, with EVN's published deadlines.

Deadlines are EVN's service standards for low-voltage customers in towns and cities
(evn.com.vn "Dịch vụ trong quá trình thực hiện HĐMBĐ", the free and the paid contract services;
EVNCPC "Tiêu chuẩn dịch vụ"): a new connection or a change of contract at most 3 working days,
moving the meter at most 5, checking a meter at most 3; a suspension happens when the customer
asks for it. Rural areas and connections that need a new pole or cable take longer; the reply
says "không quá", and the power company's own page is the authority.
The names and the papers to bring are customer-facing texts, in `handlers.texts`.
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


def papers_text(service_type: str) -> str:
    """The papers to bring for a service, as one list."""
    return "; ".join(texts.SERVICE_PAPER_LISTS.get(service_type, ()))
