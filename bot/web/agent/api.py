"""The console's JSON endpoints, polled by its script: the live queue and a case's new lines."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import Connection

from bot.case_deps import case_deps
from bot.web.agent import db
from bot.web.agent.auth import CONSOLE, api
from bot.web.agent.pages import queue_json
from bot.web.agent.views import message_json
from bot.web.keys import ENGINE, RUNNER
from handlers import cases as service
from handlers.cases import CaseError
from handlers.requests import status_name
from meters.case_records import SessionRecord

NO_STORE = {"Cache-Control": "no-store"}
MAX_ID_DIGITS = 18  # every 18-digit number is below 2**63


@api
async def queue(request: web.Request, session: SessionRecord) -> web.StreamResponse:
    """The open cases the agent sees, as table rows."""
    rows = await db.read(
        request.app[ENGINE],
        lambda connection: queue_json(request, session, connection, closed=False),
    )
    return web.json_response({"cases": rows}, headers=NO_STORE)


@api
async def messages(request: web.Request, session: SessionRecord) -> web.StreamResponse:
    """The transcript lines of a case after `?after=<id>`, and its status."""
    code = request.match_info["code"]
    after_text = request.query.get("after", "0")
    # A line id: ASCII digits that fit the store's BIGINT (Unicode digits and longer numbers
    # would reach the database's integer conversion).
    if not (after_text.isascii() and after_text.isdigit() and len(after_text) <= MAX_ID_DIGITS):
        return web.json_response(
            {"error": "after must be the id of a transcript line"}, status=400, headers=NO_STORE
        )
    after = int(after_text)

    def read(connection: Connection) -> dict[str, object] | None:
        deps = case_deps(connection, request.app[RUNNER].config, request.app[CONSOLE].now())
        try:
            case = service.case_for(deps, session.agent, code)
        except CaseError:
            return None
        zone = deps.config.zone
        return {
            "messages": [message_json(m, zone) for m in deps.cases.messages(case.id, after)],
            "status": status_name(case.status),
            "open": case.open,
            "assignee": case.assignee_name,
        }

    found = await db.read(request.app[ENGINE], read)
    if found is None:
        return web.json_response({"error": "no such case"}, status=404, headers=NO_STORE)
    return web.json_response(found, headers=NO_STORE)
