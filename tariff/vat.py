"""VAT on electricity by invoice (meter-reading) date, from the dated table in `data/vat.json`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

from tariff.arithmetic import round_half_up_ratio
from tariff.errors import ScheduleDataError, UnknownTariff
from tariff.parsing import Fields, read_json


@dataclass(frozen=True, slots=True)
class VatRate:
    """A VAT rate in force from a date, with its legal basis."""

    effective_from: date
    rate: Decimal
    source: str

    def tax_on(self, amount: int) -> int:
        """Return the VAT on an amount, rounded half-up to the đồng."""
        numerator, denominator = self.rate.as_integer_ratio()
        return round_half_up_ratio(numerator * amount, denominator)


@dataclass(frozen=True, slots=True, eq=False)
class VatTable:
    """Every VAT rate, oldest first."""

    rates: tuple[VatRate, ...]

    def rate_on(self, invoice_date: date) -> VatRate:
        """Return the rate for a bill whose reading (invoice) date is `invoice_date`."""
        current: VatRate | None = None
        for rate in self.rates:
            if rate.effective_from <= invoice_date:
                current = rate
        if current is None:
            raise UnknownTariff(
                f"no VAT rate is known for {invoice_date}; "
                f"the first known is {self.rates[0].effective_from}"
            )
        return current


def parse_vat_table(data: object, origin: str) -> VatTable:
    """Return the VAT table described by a parsed JSON document."""
    fields = Fields(data, origin)
    rates: list[VatRate] = []
    for entry in fields.items("rates"):
        rate = VatRate(entry.day("effective_from"), entry.decimal("rate"), entry.text("source"))
        entry.finish()
        if rate.rate >= 1:
            raise ScheduleDataError(f'{entry.where}.rate: a rate is a fraction, e.g. "0.08"')
        if rates and rate.effective_from <= rates[-1].effective_from:
            raise ScheduleDataError(f"{entry.where}.effective_from: dates must increase")
        rates.append(rate)
    fields.finish()
    return VatTable(tuple(rates))


@cache
def default_vat_table() -> VatTable:
    """Return the VAT table shipped in `tariff/data/vat.json` (read once)."""
    text = resources.files("tariff.data").joinpath("vat.json").read_text("utf-8")
    return parse_vat_table(read_json(text, "tariff/data/vat.json"), "tariff/data/vat.json")
