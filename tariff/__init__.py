"""The tariff engine: EVN retail electricity bills to the đồng (pure: no I/O, no clock)."""

from tariff.calculator import compute_bill
from tariff.errors import InvalidBillRequest, ScheduleDataError, TariffError, UnknownTariff
from tariff.model import Band, Bill, BillLine, BillRequest, CustomerType, FlatReason, LineKind
from tariff.schedules import ScheduleBook, default_schedule_book, parse_decision
from tariff.vat import VatTable, default_vat_table, parse_vat_table

__all__ = [
    "Band",
    "Bill",
    "BillLine",
    "BillRequest",
    "CustomerType",
    "FlatReason",
    "InvalidBillRequest",
    "LineKind",
    "ScheduleBook",
    "ScheduleDataError",
    "TariffError",
    "UnknownTariff",
    "VatTable",
    "compute_bill",
    "default_schedule_book",
    "default_vat_table",
    "parse_decision",
    "parse_vat_table",
]
