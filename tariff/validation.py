"""Checks of a `BillRequest` before pricing: each failure says precisely what to fix."""

from __future__ import annotations

from decimal import Decimal

from tariff.errors import InvalidBillRequest
from tariff.model import BillRequest, CustomerType

SINGLE_PRICE_GROUPS = (CustomerType.ADMIN_HEALTH_EDUCATION, CustomerType.ADMIN_PUBLIC)
_CUSTOMER_TYPES = {member.value: member for member in CustomerType}


def checked_request(request: BillRequest) -> CustomerType:
    """Return the request's customer type after checking every field (or raise)."""
    customer_type = _CUSTOMER_TYPES.get(request.customer_type) or _customer_type(
        request.customer_type
    )
    kwh = request.kwh
    if (  # the common case, checked cheaply: a plain residential kWh reading
        customer_type is CustomerType.RESIDENTIAL
        and type(kwh) is int
        and kwh >= 0
        and request.period_start <= request.period_end
        and request.normal_kwh is None
        and request.peak_kwh is None
        and request.offpeak_kwh is None
        and request.persons is None
        and not request.renter_undeclared
        and request.households.is_finite()
        and request.households > 0
        and request.voltage_kv.is_finite()
        and request.voltage_kv >= 0
    ):
        return customer_type
    if request.period_end < request.period_start:
        raise InvalidBillRequest(
            f"period end {request.period_end} is before period start {request.period_start}"
        )
    _check_consumption(request, customer_type)
    _check_residential_options(request, customer_type)
    if not request.voltage_kv.is_finite() or request.voltage_kv < 0:
        raise InvalidBillRequest(
            f"voltage must be a non-negative number of kV, got {request.voltage_kv}"
        )
    return customer_type


def households_of(request: BillRequest) -> Decimal:
    """Return h as a decimal for display: households, or declared persons / 4."""
    if request.persons is not None:
        return Decimal(request.persons) / 4
    return request.households


def _customer_type(value: str) -> CustomerType:
    try:
        return CustomerType(value)
    except ValueError:
        expected = ", ".join(member.value for member in CustomerType)
        raise InvalidBillRequest(
            f"unknown customer type {value!r}; expected one of {expected}"
        ) from None


def _check_consumption(request: BillRequest, customer_type: CustomerType) -> None:
    bands = {
        "normal": request.normal_kwh,
        "peak": request.peak_kwh,
        "offpeak": request.offpeak_kwh,
    }
    given = {name: value for name, value in bands.items() if value is not None}
    for name, value in {"kwh": request.kwh, **given}.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidBillRequest(f"{name} must be a whole number of kWh, got {value!r}")
        if value < 0:
            raise InvalidBillRequest(f"{name} must not be negative, got {value}")
    if request.kwh is not None and given:
        raise InvalidBillRequest(
            "give either kwh or the normal/peak/offpeak registers of a 3-price meter, not both"
        )
    if request.kwh is None and not given:
        raise InvalidBillRequest("no consumption given: set kwh (or normal, peak and offpeak)")
    if given and len(given) != len(bands):
        missing = ", ".join(name for name in bands if name not in given)
        raise InvalidBillRequest(f"a 3-price meter needs all three registers; missing {missing}")
    if given and customer_type is CustomerType.RESIDENTIAL:
        raise InvalidBillRequest("residential customers are billed by tiers: give kwh")
    if given and customer_type in SINGLE_PRICE_GROUPS:
        raise InvalidBillRequest(f"{customer_type} has a single price: give kwh")


def _check_residential_options(request: BillRequest, customer_type: CustomerType) -> None:
    if not request.households.is_finite() or request.households <= 0:
        raise InvalidBillRequest(f"households must be greater than 0, got {request.households}")
    if request.persons is not None:
        if isinstance(request.persons, bool) or not isinstance(request.persons, int):
            raise InvalidBillRequest(f"persons must be a whole number, got {request.persons!r}")
        if request.persons <= 0:
            raise InvalidBillRequest(f"persons must be at least 1, got {request.persons}")
        if request.households != 1:
            raise InvalidBillRequest(
                "give either households or declared persons (4 persons = 1 household), not both"
            )
        if request.renter_undeclared:
            raise InvalidBillRequest("declared persons and undeclared renters exclude each other")
    if request.prepaid and request.renter_undeclared:
        raise InvalidBillRequest("a prepaid meter and undeclared renters exclude each other")
    residential_only = {
        "households": request.households != 1,
        "persons": request.persons is not None,
        "renter_undeclared": request.renter_undeclared,
        "prepaid": request.prepaid,
    }
    if customer_type is not CustomerType.RESIDENTIAL:
        used = [name for name, set_ in residential_only.items() if set_]
        if used:
            raise InvalidBillRequest(
                f"{', '.join(used)} only apply to residential customers, not {customer_type}"
            )
