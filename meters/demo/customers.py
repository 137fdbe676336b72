"""Demo contracts: who the customers are, where they live and how they use energy."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from functools import cache

from meters.demo.limits import DEFAULT_SEED
from meters.demo.model import DemoCustomer
from meters.demo.places import (
    ADMIN_HEALTH_EDUCATION_NAMES,
    ADMIN_PUBLIC_NAMES,
    BUSINESS_NAMES,
    FAMILY_NAMES,
    GIVEN_NAMES_FEMALE,
    GIVEN_NAMES_MALE,
    MIDDLE_NAMES_FEMALE,
    MIDDLE_NAMES_MALE,
    MOBILE_PREFIXES,
    POWER_COMPANIES,
    PRODUCTION_NAMES,
    Area,
    PowerCompany,
    station_names,
)
from meters.demo.usage import UsageProfile

SHARED_PHONE_RATE = 0.07  # a family holding a second house under the same contract phone
MAX_CODES_PER_PHONE = 3
# EVN reads each route on a fixed day; the month's last day (31) is the most common.
READING_DAYS = (*range(1, 32), 31, 31, 31)
LOW_VOLTAGE = Decimal("0.4")
MEDIUM_VOLTAGE = Decimal(22)


def _person_name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        middle, given = MIDDLE_NAMES_MALE, GIVEN_NAMES_MALE
    else:
        middle, given = MIDDLE_NAMES_FEMALE, GIVEN_NAMES_FEMALE
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(middle)} {rng.choice(given)}"


def _unique(rng: random.Random, used: set[str], draw: str) -> str:
    """Draw `draw` (a format with `{n}`) until it is not in `used`, then remember it."""
    while True:
        value = draw.format(n=rng.randrange(10**7))
        if value not in used:
            used.add(value)
            return value


def _contract(rng: random.Random) -> tuple[str, str, Decimal, Decimal]:
    """Customer type, meter kind, households and voltage of one contract."""
    draw = rng.random()
    if draw < 0.84:
        kind = "prepaid" if rng.random() < 0.025 else "single"
        size = rng.random()
        if size < 0.86:
            households = Decimal(1)
        elif size < 0.91:
            households = Decimal("1.5")
        elif size < 0.96:
            households = Decimal(2)
        else:  # a landlord who declared renters: 4 persons make one household quota
            households = Decimal(rng.randint(9, 16)) / 4
        return "residential", kind, households, LOW_VOLTAGE
    if draw < 0.93:
        return "business", rng.choice(("single", "tou")), Decimal(1), LOW_VOLTAGE
    if draw < 0.96:
        voltage = MEDIUM_VOLTAGE if rng.random() < 0.4 else LOW_VOLTAGE
        return "production", "tou", Decimal(1), voltage
    if draw < 0.985:
        return "admin_health_education", "single", Decimal(1), LOW_VOLTAGE
    return "admin_public", "single", Decimal(1), LOW_VOLTAGE


def _contract_name(rng: random.Random, customer_type: str, area: Area, street: str) -> str:
    patterns = {
        "business": BUSINESS_NAMES,
        "production": PRODUCTION_NAMES,
        "admin_health_education": ADMIN_HEALTH_EDUCATION_NAMES,
        "admin_public": ADMIN_PUBLIC_NAMES,
    }.get(customer_type)
    if patterns is None:
        return _person_name(rng)
    given = rng.choice(GIVEN_NAMES_MALE + GIVEN_NAMES_FEMALE)
    ward = area.name.split(",")[0]
    return rng.choice(patterns).format(given=given, street=street, ward=ward)


def _address(rng: random.Random, company: PowerCompany, area: Area, street: str) -> str:
    house = str(rng.randint(1, 350))
    if rng.random() < 0.3:
        house += f"/{rng.randint(1, 40)}"
    elif rng.random() < 0.1:
        house += rng.choice("AB")
    return f"{house} {street}, {area.name}, {company.city}"


def customers_stream(seed: int) -> random.Random:
    """The random stream the contracts of the demo data of `seed` are drawn from."""
    return random.Random(f"{seed}:customers")


@cache
def first_customer_code(seed: int = DEFAULT_SEED) -> str:
    """The code of the first contract of the demo data of `seed`, whatever its size (it is
    drawn first): the example code the conversation shows.
    """
    return draw_customers(customers_stream(seed), 1)[0].customer_code


def draw_customers(rng: random.Random, count: int) -> list[DemoCustomer]:
    """`count` contracts spread over the power companies by weight; some phones hold 2-3."""
    cycle = [index for index, company in enumerate(POWER_COMPANIES) for _ in range(company.weight)]
    rng.shuffle(cycle)
    reading_days = {
        station: rng.choice(READING_DAYS)
        for company in POWER_COMPANIES
        for area in company.areas
        for station in station_names(area)
    }
    codes: set[str] = set()
    phones: set[str] = set()
    holders: Counter[str] = Counter()
    owners: list[DemoCustomer] = []
    customers: list[DemoCustomer] = []
    for index in range(count):
        company = POWER_COMPANIES[cycle[index % len(cycle)]]
        area = rng.choice(company.areas)
        station = rng.choice(station_names(area))
        street = rng.choice(area.streets)
        customer_type, kind, households, voltage = _contract(rng)
        name = _contract_name(rng, customer_type, area, street)
        phone = ""
        if customer_type == "residential" and owners and rng.random() < SHARED_PHONE_RATE:
            owner = rng.choice(owners)
            name, phone = owner.name, owner.phone
        if not phone:
            prefix = rng.choice(MOBILE_PREFIXES)
            phone = _unique(rng, phones, prefix + "{n:07d}")
        customer = DemoCustomer(
            customer_code=_unique(rng, codes, company.code + "{n:07d}"),
            name=name,
            phone=phone,
            address=_address(rng, company, area, street),
            area=area.name,
            customer_type=customer_type,
            households=households,
            voltage_kv=voltage,
            station=station,
            reading_day=reading_days[station],
            power_company=company.name,
            meter_kind=kind,
        )
        holders[phone] += 1
        if customer_type == "residential" and holders[phone] == 1:
            owners.append(customer)
        elif holders[phone] >= MAX_CODES_PER_PHONE:
            owners = [owner for owner in owners if owner.phone != phone]
        customers.append(customer)
    return _with_a_shared_phone(customers, holders)


def _with_a_shared_phone(
    customers: list[DemoCustomer], holders: Counter[str]
) -> list[DemoCustomer]:
    """Make sure at least one phone holds two codes (when there are two residential contracts)."""
    if any(count > 1 for count in holders.values()):
        return customers
    homes = [index for index, c in enumerate(customers) if c.customer_type == "residential"]
    if len(homes) < 2:
        return customers
    first, last = customers[homes[0]], customers[homes[-1]]
    customers[homes[-1]] = replace(last, name=first.name, phone=first.phone)
    return customers


def usage_profile(customer: DemoCustomer, rng: random.Random) -> UsageProfile:
    """How a customer uses energy, drawn around the typical values of its group."""
    tou = customer.meter_kind == "tou"
    if customer.customer_type == "residential":
        monthly_kwh = 230 * float(customer.households) ** 0.8 * rng.lognormvariate(0, 0.4)
        if customer.meter_kind == "prepaid":
            monthly_kwh *= 0.7
        return UsageProfile(
            base_wh=min(max(monthly_kwh, 40), 1400) * 1000 / 30,
            ac_share=rng.uniform(0.15, 0.8),
            saturday=rng.uniform(1.05, 1.15),
            sunday=rng.uniform(1.1, 1.2),
            noise=rng.uniform(0.1, 0.2),
        )
    median, ac_low, ac_high, saturday, sunday = {
        "business": (800, 0.2, 0.5, 0.9, 0.65),
        "production": (6000, 0.05, 0.15, 0.85, 0.35),
        "admin_health_education": (1500, 0.2, 0.4, 0.5, 0.25),
        "admin_public": (900, 0.0, 0.05, 1.0, 1.0),
    }[customer.customer_type]
    production = customer.customer_type == "production"
    return UsageProfile(
        base_wh=median * rng.lognormvariate(0, 0.5) * 1000 / 30,
        ac_share=rng.uniform(ac_low, ac_high),
        saturday=saturday,
        sunday=sunday,
        noise=rng.uniform(0.05, 0.12),
        peak_share=(0.18 if production else 0.22) if tou else 0.0,
        offpeak_share=(0.3 if production else 0.15) if tou else 0.0,
    )
