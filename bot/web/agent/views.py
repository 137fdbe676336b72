"""HTML of the console: string templates under templates/agent/, every value escaped here.

`fill` substitutes fragments that are already HTML; every text that comes from the store or
the request goes through `e` (html.escape) first.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from html import escape
from pathlib import Path
from string import Template
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from handlers.privacy import mask_one_time_codes
from handlers.requests import status_name
from meters.case_records import CaseMessageRecord, CaseRecord, SessionRecord, SurveyTally

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "agent"
CANNED_ANSWERS = Path(__file__).with_name("canned_answers.json")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

REASON_LABELS = {
    "asked": "Khách yêu cầu",
    "misunderstood": "Bot không hiểu",
    "abnormal": "Điện năng bất thường",
    "hazard": "Nguy hiểm lưới điện",
}
OPEN_FILE_LABEL = "Mở tệp khách gửi"
AUTHOR_LABELS = {
    "customer": "Khách hàng",
    "bot": "Trợ lý tự động",
    "agent": "Nhân viên",
    "note": "Ghi chú nội bộ",
    "event": "Thao tác",
}
ROLE_LABELS = {"agent": "nhân viên", "supervisor": "giám sát viên"}
CHANNEL_LABELS = {"telegram": "Telegram", "zalo": "Zalo", "web": "Web chat", "local": "Terminal"}


def e(value: object) -> str:
    """A value as HTML text."""
    return escape("" if value is None else str(value))


@functools.cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def fill(template: str, **fragments: str) -> str:
    """A template with HTML fragments (already escaped) in its places."""
    return _template(template).substitute(fragments)


@functools.cache
def canned_answers() -> tuple[tuple[str, str], ...]:
    """(title, text) of the canned answers (data file canned_answers.json)."""
    entries = json.loads(CANNED_ANSWERS.read_text(encoding="utf-8"))
    return tuple((str(entry["title"]), str(entry["text"])) for entry in entries)


def html_page(
    title: str,
    content: str,
    session: SessionRecord | None,
    *,
    status: int = 200,
    main_attributes: str = "",
) -> web.Response:
    """A whole page in the console's layout."""
    csrf = session.csrf_token if session is not None else ""
    nav = ""
    if session is not None:
        agent = session.agent
        nav = fill(
            "nav.html",
            name=e(agent.display_name),
            role=e(ROLE_LABELS.get(agent.role, agent.role)),
            unit=e(f", {agent.unit}" if agent.unit else ""),
            csrf=e(csrf),
        )
    body = fill(
        "layout.html",
        title=e(title),
        nav=nav,
        content=content,
        csrf=e(csrf),
        main_attributes=main_attributes,
    )
    response = web.Response(text=body, content_type="text/html", charset="utf-8", status=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def moment_text(moment: datetime | None, zone: ZoneInfo) -> str:
    """ "14:05 20/11" in local time."""
    if moment is None:
        return ""
    return moment.astimezone(zone).strftime("%H:%M %d/%m")


def queue_row_json(
    case: CaseRecord, customer: str, zone: ZoneInfo, overdue: bool
) -> dict[str, Any]:
    """One queue row as the live queue's script draws it."""
    last = mask_one_time_codes(case.last_customer_text or "")
    return {
        "code": case.code,
        "url": f"/agent/cases/{case.code}",
        "customer": customer,
        "reason": REASON_LABELS.get(case.reason, case.reason),
        "unit": case.unit,
        "assignee": case.assignee_name or "— chưa nhận —",
        "status": status_name(case.status),
        "due": moment_text(case.due_at, zone),
        "overdue": overdue,
        "last": last if len(last) <= 80 else last[:79] + "…",
        "last_at": moment_text(case.last_message_at, zone),
    }


def queue_rows(rows: list[dict[str, Any]]) -> str:
    """The queue table's rows (the same cells the script draws)."""
    if not rows:
        return '<tr class="empty"><td colspan="8">Không có hồ sơ nào.</td></tr>'
    lines = []
    for row in rows:
        css = ' class="overdue"' if row["overdue"] else ""
        due = e(row["due"]) + (' <span class="badge">Quá hạn</span>' if row["overdue"] else "")
        lines.append(
            f'<tr{css} data-code="{e(row["code"])}">'
            f'<td><a href="{e(row["url"])}">{e(row["code"])}</a></td>'
            f"<td>{e(row['customer'])}</td><td>{e(row['reason'])}</td>"
            f"<td>{e(row['unit'])}</td><td>{e(row['assignee'])}</td>"
            f"<td>{e(row['status'])}</td><td>{due}</td>"
            f"<td>{e(row['last'])} <small>{e(row['last_at'])}</small></td></tr>"
        )
    return "\n".join(lines)


def message_json(message: CaseMessageRecord, zone: ZoneInfo) -> dict[str, Any]:
    """A transcript line as the live conversation's script draws it."""
    who = AUTHOR_LABELS.get(message.author, message.author)
    if message.agent_name and message.author in ("agent", "note"):
        who = f"{who} {message.agent_name}"
    return {
        "id": message.id,
        "author": message.author,
        "who": who,
        "text": mask_one_time_codes(message.text),  # the one thing an agent may not read
        "at": moment_text(message.created_at, zone),
        "file_url": file_link(message),
        "file_label": OPEN_FILE_LABEL,
    }


def file_link(message: CaseMessageRecord) -> str | None:
    """The address of the file a customer sent, when the console can open it (a file on Zalo's
    servers; a Telegram customer's file is copied into the Telegram agent group instead)."""
    source = message.file.source if message.file is not None else ""
    return source if source.startswith("https://") else None


def message_html(message: dict[str, Any]) -> str:
    """One transcript line."""
    return (
        f'<div class="msg {e(message["author"])}" data-id="{e(message["id"])}">'
        f'<span class="who">{e(message["who"])}</span> <time>{e(message["at"])}</time>'
        f"<p>{e(message['text'])}{_file_anchor(message.get('file_url'))}</p></div>"
    )


def _file_anchor(url: str | None) -> str:
    if not url:
        return ""
    return (
        f' <a href="{e(url)}" target="_blank" rel="noopener noreferrer">{e(OPEN_FILE_LABEL)}</a>'
    )


def options(pairs: list[tuple[str, str]], selected: str | None = None) -> str:
    """<option> elements of (value, label)."""
    return "\n".join(
        f'<option value="{e(value)}"{" selected" if value == selected else ""}>{e(label)}</option>'
        for value, label in pairs
    )


def tally_table(tallies: tuple[SurveyTally, ...]) -> str:
    """Survey answers per name: counts, mean, and an inline SVG bar of the score spread."""
    if not tallies:
        return '<p class="hint">Chưa có đánh giá nào.</p>'
    rows = []
    for tally in tallies:
        average = f"{tally.average:.2f}".replace(".", ",") if tally.average is not None else "–"
        rows.append(
            f"<tr><td>{e(tally.name)}</td><td>{tally.answered}</td><td>{e(average)}</td>"
            f"<td>{score_bar(tally)}</td><td>{tally.comments}</td></tr>"
        )
    return (
        '<table class="surveys"><thead><tr><th>Tên</th><th>Số đánh giá</th><th>Điểm TB</th>'
        "<th>Phân bố 1–5</th><th>Góp ý</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


SCORE_COLOURS = ("#c0392b", "#e67e22", "#f1c40f", "#7dbb42", "#27ae60")
BAR_WIDTH = 240


def score_bar(tally: SurveyTally) -> str:
    """A stacked bar: one segment per score, as wide as its share of the answers."""
    total = tally.answered or 1
    x = 0.0
    parts = []
    for score, (count, colour) in enumerate(zip(tally.counts, SCORE_COLOURS, strict=True), 1):
        width = BAR_WIDTH * count / total
        if width:
            parts.append(
                f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="16" fill="{colour}">'
                f"<title>{score} điểm: {count}</title></rect>"
            )
        x += width
    label = ", ".join(f"{score} điểm: {count}" for score, count in enumerate(tally.counts, 1))
    return (
        f'<svg class="bar" width="{BAR_WIDTH}" height="16" role="img" '
        f'aria-label="{e(label)}">{"".join(parts)}</svg>'
    )
