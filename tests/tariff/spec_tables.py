"""The published tables of tariff.md, copied from the spec so tests check the data files too."""

from __future__ import annotations

from datetime import date

# tariff.md §1: residential 6-tier prices (đồng/kWh, before VAT) by effective date.
RESIDENTIAL = {
    date(2015, 3, 16): (1484, 1533, 1786, 2242, 2503, 2587),
    date(2019, 3, 20): (1678, 1734, 2014, 2536, 2834, 2927),
    date(2023, 5, 4): (1728, 1786, 2074, 2612, 2919, 3015),
    date(2023, 11, 9): (1806, 1866, 2167, 2729, 3050, 3151),
    date(2024, 10, 11): (1893, 1956, 2271, 2860, 3197, 3302),
    date(2025, 5, 10): (1984, 2050, 2380, 2998, 3350, 3460),
}
# A plain calendar month entirely under each table (the month after it takes effect).
MONTH_UNDER = {
    date(2015, 3, 16): (date(2015, 4, 1), date(2015, 4, 30)),
    date(2019, 3, 20): (date(2019, 4, 1), date(2019, 4, 30)),
    date(2023, 5, 4): (date(2023, 6, 1), date(2023, 6, 30)),
    date(2023, 11, 9): (date(2023, 12, 1), date(2023, 12, 31)),
    date(2024, 10, 11): (date(2024, 11, 1), date(2024, 11, 30)),
    date(2025, 5, 10): (date(2025, 6, 1), date(2025, 6, 30)),
}
TIER_UPPER_BOUNDS = (50, 100, 200, 300, 400)
PREPAID_2025 = 2909

# tariff.md §2: Decision 1279/QĐ-BCT, (normal, offpeak, peak) by lowest voltage of the level.
PRODUCTION = {
    110: (1811, 1146, 3266),
    22: (1833, 1190, 3398),
    6: (1899, 1234, 3508),
    0: (1987, 1300, 3640),
}
BUSINESS = {22: (2887, 1609, 5025), 6: (3108, 1829, 5202), 0: (3152, 1918, 5422)}
ADMIN_HEALTH_EDUCATION = {6: 1940, 0: 2072}
ADMIN_PUBLIC = {6: 2138, 0: 2226}
