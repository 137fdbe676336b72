"""What can go wrong when computing a bill: every error says, in English, what to fix."""

from __future__ import annotations


class TariffError(ValueError):
    """Base class of the tariff engine's errors."""


class InvalidBillRequest(TariffError):
    """The request itself is wrong (negative kWh, end before start, conflicting options)."""


class UnknownTariff(TariffError):
    """No price schedule or VAT rate is known for the customer type or the date."""


class ScheduleDataError(TariffError):
    """A schedule data file is malformed; the message names the file and the field."""
