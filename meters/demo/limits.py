"""Sizes of the demo data set (kept apart so the command line reads them without the generator)."""

DEFAULT_SEED = 2025
DEFAULT_CUSTOMERS = 2000
DEFAULT_DAYS = 365
MIN_DAYS = 30  # room for the planted faults and at least one billing period
MAX_DAYS = 3 * 366
MAX_CUSTOMERS = 100_000
