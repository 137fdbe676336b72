"""The console's pages: sign-in, the queue, a case with the customer's data, surveys.

Every action is a plain form POST (with the session's CSRF token) answered by a redirect, so
the console works without its script; the script only keeps the queue and the transcript live.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import Connection

from bot.case_deps import case_deps
from bot.web.agent import db
from bot.web.agent.auth import (
    CONSOLE,
    COOKIE,
    LOGIN_PATH,
    Throttled,
    page,
    session_of,
    set_session_cookie,
    sign_in,
)
from bot.web.agent.views import (
    CHANNEL_LABELS,
    REASON_LABELS,
    canned_answers,
    e,
    fill,
    html_page,
    message_html,
    message_json,
    moment_text,
    options,
    queue_row_json,
    queue_rows,
    tally_table,
)
from bot.web.client import client_address, is_https
from bot.web.keys import ENGINE, RUNNER
from handlers import cases as service
from handlers import texts
from handlers.cases import CaseDeps, CaseError
from handlers.chart import chart_bars, render_chart
from handlers.format import format_date, format_money
from handlers.requests import status_name
from handlers.service_catalog import OPEN_STATUSES, service_name
from meters.agent_store import SqlAgentStore
from meters.case_records import CaseRecord, SessionRecord
from meters.records import CustomerDetails
from meters.repository import SqlMeterRepository
from meters.survey_store import SqlSurveyStore
from meters.usage import UsageService

BILLS_SHOWN = 6


def _deps(request: web.Request, connection: Connection) -> CaseDeps:
    return case_deps(connection, request.app[RUNNER].config, request.app[CONSOLE].now())


def _zone(request: web.Request) -> Any:
    return request.app[RUNNER].config.zone


# --- sign-in -------------------------------------------------------------------------------------


async def login_form(request: web.Request) -> web.StreamResponse:
    """The sign-in page (straight to the queue when already signed in)."""
    if await session_of(request) is not None:
        raise web.HTTPSeeOther("/agent/")
    return html_page("Đăng nhập", fill("login.html", error=""), None)


async def login(request: web.Request) -> web.StreamResponse:
    """Check the user name and password; a session cookie on success."""
    # No CSRF token exists before signing in: refuse sign-ins posted from other sites. (A page
    # with Referrer-Policy no-referrer sends "Origin: null" for its own forms.)
    origin = request.headers.get("Origin")
    foreign = origin not in (None, "null") and urlsplit(origin).netloc != request.host
    if foreign or request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise web.HTTPForbidden(text="cross-origin sign-in refused")
    form = await request.post()
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:200]
    console = request.app[CONSOLE]
    try:
        token = await sign_in(request, console, client_address(request), username, password)
    except Throttled as throttled:
        response = _login_error("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.", 429)
        response.headers["Retry-After"] = str(max(1, int(throttled.wait.total_seconds())))
        return response
    if token is None:
        return _login_error("Sai tên đăng nhập hoặc mật khẩu.", 401)
    response = web.HTTPSeeOther("/agent/")
    set_session_cookie(response, token, secure=is_https(request))
    raise response


def _login_error(message: str, status: int) -> web.Response:
    error = f'<p class="error" role="alert">{e(message)}</p>'
    return html_page("Đăng nhập", fill("login.html", error=error), None, status=status)


@page
async def logout(request: web.Request, session: SessionRecord) -> web.StreamResponse:
    """End the session."""
    token = request.cookies.get(COOKIE, "")
    await db.write(
        request.app[ENGINE], lambda connection: SqlAgentStore(connection).end_session(token)
    )
    response = web.HTTPSeeOther(LOGIN_PATH)
    response.del_cookie(COOKIE, path="/agent/")
    raise response


# --- the queue -----------------------------------------------------------------------------------


def queue_json(
    request: web.Request, session: SessionRecord, connection: Connection, *, closed: bool
) -> list[dict[str, Any]]:
    """The rows of the agent's queue."""
    deps = _deps(request, connection)
    found = service.queue(deps, session.agent, closed=closed)
    customer_ids = [case.customer_id for case in found if case.customer_id is not None]
    customers = {c.id: c for c in deps.accounts.customers(sorted(set(customer_ids)))}
    rows = []
    for case in found:
        customer = customers.get(case.customer_id) if case.customer_id is not None else None
        name = (
            f"{customer.customer_code} – {customer.name}"
            if customer is not None
            else (case.display_name or "Khách chưa liên kết")
        )
        overdue = service.is_overdue(case, deps.now)
        rows.append(queue_row_json(case, name, deps.config.zone, overdue))
    return rows


@page
async def queue_page(request: web.Request, session: SessionRecord) -> web.StreamResponse:
    """The open cases of the agent's unit (every unit for a supervisor), oldest first."""
    rows = await db.read(
        request.app[ENGINE],
        lambda connection: queue_json(request, session, connection, closed=False),
    )
    scope = "tất cả đơn vị" if session.agent.is_supervisor else (session.agent.unit or "")
    content = fill(
        "queue.html",
        heading=e("Hàng chờ"),
        hint=e(f"Hồ sơ đang mở của {scope}; danh sách tự cập nhật."),
        rows=queue_rows(rows),
    )
    return html_page(
        "Hàng chờ", content, session, main_attributes='data-live-queue="/agent/api/queue"'
    )


@page
async def closed_page(request: web.Request, session: SessionRecord) -> web.StreamResponse:
    """The latest closed cases."""
    rows = await db.read(
        request.app[ENGINE],
        lambda connection: queue_json(request, session, connection, closed=True),
    )
    content = fill(
        "queue.html",
        heading=e("Hồ sơ đã đóng"),
        hint=e("Các hồ sơ đóng gần đây nhất."),
        rows=queue_rows(rows),
    )
    return html_page("Hồ sơ đã đóng", content, session)


# --- a case --------------------------------------------------------------------------------------


@page
async def case_page(request: web.Request, session: SessionRecord) -> web.StreamResponse:
    """The conversation, the actions and the customer's data."""
    code = request.match_info["code"]
    return await db.read(
        request.app[ENGINE],
        lambda connection: _case_response(
            request, session, connection, code, flash=None, status=200
        ),
    )


def _case_response(
    request: web.Request,
    session: SessionRecord,
    connection: Connection,
    code: str,
    *,
    flash: str | None,
    status: int,
) -> web.Response:
    deps = _deps(request, connection)
    try:
        case = service.case_for(deps, session.agent, code)
    except CaseError as error:
        content = f'<p class="error" role="alert">{e(error)}</p>'
        return html_page("Không tìm thấy", content, session, status=error.status)
    zone = deps.config.zone
    messages = [message_json(m, zone) for m in deps.cases.messages(case.id)]
    overdue = service.is_overdue(case, deps.now)
    facts = [
        f"Kênh: {CHANNEL_LABELS.get(case.channel, case.channel)}",
        f"Lý do: {REASON_LABELS.get(case.reason, case.reason)}",
        f"Bot đoán: {service.intent_label(case.intent_guess)}",
        f"Đơn vị: {case.unit}",
        f"Nhân viên: {case.assignee_name or 'chưa nhận'}",
        f"Trạng thái: {status_name(case.status)}",
        f"Mở lúc: {moment_text(case.created_at, zone)}",
        f"Hạn xử lý: {moment_text(case.due_at, zone)}",
    ]
    facts_html = " · ".join(e(fact) for fact in facts)
    if overdue:
        facts_html += ' <span class="badge">Quá hạn</span>'
    flash_html = f'<p class="error" role="alert">{e(flash)}</p>' if flash else ""
    actions = _actions(deps, session, case) if case.open else ""
    last_id = messages[-1]["id"] if messages else 0
    content = fill(
        "case.html",
        code=e(case.code),
        facts=facts_html,
        flash=flash_html,
        messages="\n".join(message_html(m) for m in messages),
        actions=actions,
        panel=_customer_panel(deps, case),
    )
    attributes = (
        f'data-live-case="/agent/api/cases/{e(case.code)}/messages" data-after="{last_id}"'
    )
    return html_page(
        f"Hồ sơ {case.code}", content, session, status=status, main_attributes=attributes
    )


def _actions(deps: CaseDeps, session: SessionRecord, case: CaseRecord) -> str:
    agents = deps.agents.agents()
    targets = [
        (f"agent:{agent.id}", f"Nhân viên {agent.display_name} ({agent.unit or 'mọi đơn vị'})")
        for agent in agents
        if agent.id != session.agent.id
    ]
    units = sorted({*deps.cases.units(), deps.config.default_unit})
    targets += [(f"unit:{unit}", f"Hàng chờ {unit}") for unit in units]
    statuses = [(status, status_name(status)) for status in service.AGENT_STATUSES]
    resolutions = list(texts.CASE_RESOLUTIONS.items())
    canned = "\n".join(
        f'<option value="{index}" data-text="{e(text)}">{e(title)}</option>'
        for index, (title, text) in enumerate(canned_answers())
    )
    return fill(
        "actions.html",
        code=e(case.code),
        csrf=e(session.csrf_token),
        canned=canned,
        statuses=options(statuses, case.status),
        targets=options(targets),
        resolutions=options(resolutions),
    )


def _customer_panel(deps: CaseDeps, case: CaseRecord) -> str:
    linked = deps.accounts.linked_customers(case.chat_user_id)
    if not linked:
        return (
            "<h2>Khách hàng</h2><p>Cuộc trò chuyện chưa liên kết mã khách hàng nào "
            f"(tên hiển thị: {e(case.display_name or '–')}).</p>"
        )
    parts = ["<h2>Khách hàng</h2>"]
    for customer in linked:
        parts.append(_customer_html(deps, case, customer))
    return "\n".join(parts)


def _customer_html(deps: CaseDeps, case: CaseRecord, customer: CustomerDetails) -> str:
    zone = deps.config.zone
    bills = deps.accounts.bills(customer.id, limit=BILLS_SHOWN)
    unpaid = [bill for bill in bills if bill.paid_at is None]
    owed = sum(bill.total for bill in unpaid)
    payment = (
        f"Còn nợ {len(unpaid)} hóa đơn, tổng {format_money(owed)}"
        if unpaid
        else "Đã thanh toán đủ"
    )
    bill_rows = "".join(
        f"<tr><td>{e(format_date(b.period_start))} – {e(format_date(b.period_end))}</td>"
        f"<td>{e(_kwh(b.kwh))} kWh</td><td>{e(format_money(b.total))}</td>"
        f"<td>{e(format_date(b.due_date))}</td>"
        f"<td>{'Đã trả' if b.paid_at else '<strong>Chưa trả</strong>'}</td></tr>"
        for b in bills
    )
    requests = deps.accounts.requests_of([customer.id], limit=10)
    request_rows = []
    for request in requests:
        if request.status not in OPEN_STATUSES:
            continue
        due = service.request_due(request.service_type, request.created_at, zone)
        late = due is not None and deps.now > due
        badge = ' <span class="badge">Quá hạn</span>' if late else ""
        request_rows.append(
            f"<li{' class=overdue' if late else ''}>{e(request.request_id)}: "
            f"{e(service_name(request.service_type))} – {e(status_name(request.status))}"
            f"{' (hạn ' + e(moment_text(due, zone)) + ')' if due else ''}{badge}</li>"
        )
    chart = f"/agent/cases/{e(case.code)}/usage/{customer.id}.png"
    return (
        f'<section class="customer-card"><h3>{e(customer.customer_code)} – {e(customer.name)}</h3>'
        f"<p>{e(customer.address)}<br>ĐT: {e(customer.phone)} · "
        f"{e(customer.power_company or '')}</p>"
        f'<img class="chart" src="{chart}" alt="Điện năng 30 ngày của {e(customer.customer_code)}"'
        ' loading="lazy">'
        f'<h4>Thanh toán</h4><p class="payment">{e(payment)}</p>'
        '<h4>Hóa đơn</h4><table class="bills"><thead><tr><th>Kỳ</th><th>Điện năng</th>'
        f"<th>Tiền</th><th>Hạn</th><th></th></tr></thead><tbody>{bill_rows}</tbody></table>"
        f"<h4>Yêu cầu đang mở</h4><ul>{''.join(request_rows) or '<li>Không có</li>'}</ul>"
        "</section>"
    )


def _kwh(value: Decimal) -> str:
    """384.000 -> "384" (a dot would read as thousands in Vietnamese)."""
    if value == value.to_integral_value():
        return f"{value:.0f}"
    return str(value).replace(".", ",")


@page
async def usage_chart(request: web.Request, session: SessionRecord) -> web.StreamResponse:
    """The 30-day usage chart (PNG) of a customer linked to the case's chat."""
    code = request.match_info["code"]
    customer_id = int(request.match_info["customer"])

    def chart(connection: Connection) -> bytes | None:
        deps = _deps(request, connection)
        try:
            case = service.case_for(deps, session.agent, code)
        except CaseError:
            return None
        if customer_id not in deps.chats.linked_customer_ids(case.chat_user_id):
            return None
        customer = deps.accounts.customer(customer_id)
        if customer is None:
            return None
        today = deps.now.astimezone(deps.config.zone).date()
        usage = UsageService(SqlMeterRepository(connection))
        bars = chart_bars(usage, customer.customer_code, today)
        return render_chart(bars, texts.CHART_TITLE.format(code=customer.customer_code))

    png = await db.read(request.app[ENGINE], chart)
    if png is None:
        raise web.HTTPNotFound()
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "no-store"})


# --- actions -------------------------------------------------------------------------------------


def action(name: str) -> Any:
    """A form POST on a case: run the service operation, then back to the case page."""

    @page
    async def handler(request: web.Request, session: SessionRecord) -> web.StreamResponse:
        code = request.match_info["code"]
        form = await request.post()
        fields = {key: str(value) for key, value in form.items() if isinstance(value, str)}

        def run(connection: Connection) -> None:
            _operate(_deps(request, connection), session, name, code, fields)

        try:
            await db.write(request.app[ENGINE], run)
        except CaseError as error:  # nothing was changed: the case again, with the reason
            refusal = error
        else:
            raise web.HTTPSeeOther("/agent/" if name == "close" else f"/agent/cases/{code}")
        return await db.read(
            request.app[ENGINE],
            lambda connection: _case_response(
                request, session, connection, code, flash=str(refusal), status=refusal.status
            ),
        )

    return handler


def _operate(
    deps: CaseDeps, session: SessionRecord, name: str, code: str, fields: dict[str, str]
) -> None:
    agent = session.agent
    if name == "claim":
        service.claim(deps, agent, code)
    elif name == "reply":
        text = fields.get("text", "").strip()
        canned = fields.get("canned", "")
        if not text and canned.isdigit() and int(canned) < len(canned_answers()):
            text = canned_answers()[int(canned)][1]
        service.reply(deps, agent, code, text)
    elif name == "note":
        service.note(deps, agent, code, fields.get("text", ""))
    elif name == "status":
        service.set_status(deps, agent, code, fields.get("status", ""))
    elif name == "transfer":
        kind, _, target = fields.get("to", "").partition(":")
        if kind == "agent" and target.isdigit():
            service.transfer(deps, agent, code, to_agent_id=int(target))
        elif kind == "unit" and target:
            service.transfer(deps, agent, code, to_unit=target)
        else:
            raise CaseError("Chọn nhân viên hoặc đơn vị nhận hồ sơ.")
    elif name == "close":
        service.close(deps, agent, code, fields.get("resolution", ""))


ACTIONS = ("claim", "reply", "note", "status", "transfer", "close")


# --- surveys -------------------------------------------------------------------------------------


@page
async def surveys_page(request: web.Request, session: SessionRecord) -> web.StreamResponse:
    """Survey results per agent and per unit (the agent's unit; every unit for supervisors)."""
    units = service.visible_units(session.agent)

    def build(connection: Connection) -> str:
        surveys = SqlSurveyStore(connection)
        zone = request.app[RUNNER].config.zone
        comments = surveys.recent_comments(units)
        items = "".join(
            f"<li><strong>{e(s.score)}/5</strong> {e(s.code)} "
            f"({e(moment_text(s.answered_at, zone))}): {e(s.comment)}</li>"
            for s in comments
        )
        return fill(
            "surveys.html",
            by_agent=tally_table(surveys.tally_by_agent(units)),
            by_unit=tally_table(surveys.tally_by_unit(units)),
            comments=f"<ul>{items}</ul>" if items else '<p class="hint">Chưa có góp ý.</p>',
        )

    content = await db.read(request.app[ENGINE], build)
    return html_page("Khảo sát", content, session)
