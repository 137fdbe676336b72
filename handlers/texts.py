"""Every customer-facing Vietnamese string, as named templates with named placeholders."""

from __future__ import annotations

ENERGY = "{amount} kWh"
MONEY = "{amount} đ"

FRESHNESS_TODAY = "số liệu đến {time} hôm nay"
FRESHNESS_YESTERDAY = "số liệu đến {time} hôm qua"
FRESHNESS_ON_DATE = "số liệu đến {time} ngày {date}"
