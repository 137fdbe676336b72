"""`/status`: what the store holds (the web chat took `/` over)."""

from __future__ import annotations

import asyncio
from html import escape

from aiohttp import web

from bot.web.keys import ENGINE
from meters.overview import StoreOverview, store_overview

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>dienbot</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto">
<h1>dienbot đang chạy</h1>
<p>Dữ liệu trong kho:</p>
<table>{rows}</table>
<p><a href="/healthz">/healthz</a> · <a href="/metrics">/metrics</a></p>
</body></html>
"""

LABELS = (
    ("customers", "Khách hàng"),
    ("meters", "Công tơ"),
    ("readings", "Chỉ số công tơ"),
    ("bills", "Hóa đơn"),
    ("outages", "Lịch ngừng cấp điện"),
    ("payment_points", "Điểm thu tiền"),
)


def _render(overview: StoreOverview) -> str:
    rows = "".join(
        f"<tr><td>{escape(label)}</td><td>{getattr(overview, name):,}</td></tr>".replace(",", ".")
        for name, label in LABELS
    )
    if overview.newest_reading is not None:
        newest = overview.newest_reading.isoformat(timespec="minutes")
        rows += f"<tr><td>Chỉ số mới nhất</td><td>{escape(newest)}</td></tr>"
    return PAGE.format(rows=rows)


async def status_page(request: web.Request) -> web.Response:
    """An HTML page with what the store holds."""

    def read() -> StoreOverview:
        with request.app[ENGINE].connect() as connection:
            return store_overview(connection)

    overview = await asyncio.to_thread(read)
    return web.Response(text=_render(overview), content_type="text/html", charset="utf-8")
