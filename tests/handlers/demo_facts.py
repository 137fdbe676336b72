"""Facts about demo customers read from the store, for tests to compute expected answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine

from meters.account_store import SqlAccountStore
from meters.demo.model import DemoData, Fault
from meters.records import CustomerDetails
from meters.repository import SqlMeterRepository
from meters.usage import UsageService

T = TypeVar("T")

TOU_CUSTOMER = "PE03005979583"  # production, 3-price meter
SHARED_PHONE = "0706406046"  # two residential codes on one contract phone


def with_store(store: Engine, read: Callable[[SqlAccountStore, UsageService], T]) -> T:
    """Run `read` against the demo store in a transaction of its own."""
    with store.begin() as connection:
        return read(SqlAccountStore(connection), UsageService(SqlMeterRepository(connection)))


def customer(store: Engine, code: str) -> CustomerDetails:
    """The stored customer with this code."""
    found = with_store(store, lambda accounts, _usage: accounts.customer_by_code(code))
    assert found is not None
    return found


def faulty(demo_data: DemoData, fault: Fault) -> str:
    """The code of the demo customer with this planted fault."""
    return next(item.customer_code for item in demo_data.faults if item.fault is fault)


def clean_residential(demo_data: DemoData) -> list[str]:
    """Single-rate residential customers without any planted fault."""
    faulty_codes = {item.customer_code for item in demo_data.faults}
    return [
        item.customer_code
        for item in demo_data.customers
        if item.customer_type == "residential"
        and item.meter_kind == "single"
        and item.customer_code not in faulty_codes
    ]
