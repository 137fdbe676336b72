"""outage_restoration: "khi nào có điện lại", answered from what the store knows.

For a linked customer, in this order: a planned interruption of their station now in progress
or about to start (its planned end); the incident they reported today (its state, and when the
power company expects the supply back, if it said); the other reports of today at their station
(how many, and the expected restoration). When nothing is known, the answer says so and offers
to report the outage. Without a linked customer: what needs no personal data (how to link,
which hotline by the code's first letters, the schedule of an area).
"""

from __future__ import annotations

from datetime import timedelta

from handlers import texts
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import Chosen, choose_customer
from handlers.menu import chat_hotline, intent_button, link_buttons, link_how
from handlers.outage import cuts
from handlers.requests import status_name
from handlers.service_catalog import HAZARD, INCIDENT, OPEN_STATUSES
from handlers.slots import format_moment
from handlers.types import Reply
from meters.records import CustomerDetails, OutageRecord, RequestRecord
from nlu import Intent

SOON = timedelta(hours=3)  # a planned interruption this close may be what the customer meets
TODAYS_REPORTS = timedelta(hours=24)  # older reports are not about the outage asked about
REPORT_KINDS = (INCIDENT, HAZARD)


def answer_outage_restoration(turn: Turn, deps: Deps) -> Answer:
    """When the power of the chat's customer is expected back, or what can be said without one."""
    if not turn.linked and "customer_code" not in turn.entities:
        return say(*_unlinked(turn, deps))
    chosen = choose_customer(turn, deps, texts.WHAT_RESTORATION)
    if not isinstance(chosen, Chosen):
        return chosen
    return say(restoration_reply(turn, deps, chosen.customer))


def restoration_reply(turn: Turn, deps: Deps, customer: CustomerDetails) -> Reply:
    """What is known of the customer's supply: planned work, their report, their station's."""
    zone = deps.config.zone
    place = (
        texts.RESTORE_PLACE_STATION.format(station=customer.station)
        if customer.station
        else texts.RESTORE_PLACE_AREA.format(area=customer.area)
    )
    lines: list[str] = []
    planned = _planned(deps, customer)
    if planned is not None:
        template = (
            texts.RESTORE_PLANNED_NOW
            if planned.starts_at <= deps.now
            else texts.RESTORE_PLANNED_SOON
        )
        lines.append(
            template.format(
                place=place,
                reason=planned.reason,
                start=format_moment(planned.starts_at, zone),
                end=format_moment(planned.ends_at, zone),
            )
        )
    since = deps.now - TODAYS_REPORTS
    own = [
        report
        for report in deps.accounts.requests_of([customer.id], limit=10)
        if report.service_type in REPORT_KINDS and report.created_at >= since
    ]
    if own:
        lines.extend(_own_report(deps, customer, own[0]))
    if customer.station is not None:
        others = [
            report
            for report in deps.accounts.reports_at_station(customer.station, REPORT_KINDS, since)
            if report.customer_id != customer.id and report.status in OPEN_STATUSES
        ]
        if others:
            lines.append(_station_reports(deps, place, others))
    reported = bool(own) and own[0].status in OPEN_STATUSES
    buttons = (
        () if reported else (intent_button(texts.BUTTON_REPORT_OUTAGE, Intent.OUTAGE_REPORT),)
    )
    if not lines:
        text = texts.RESTORE_UNKNOWN.format(
            place=place, code=customer.customer_code, hotline=chat_hotline(turn, deps)
        )
        return Reply(text, buttons)
    if not own:
        lines.append(texts.RESTORE_REPORT_OFFER)
    return Reply("\n".join(lines), buttons)


def _planned(deps: Deps, customer: CustomerDetails) -> OutageRecord | None:
    """The planned interruption cutting the customer now, else the next one starting soon."""
    station = customer.station
    found = deps.accounts.outages_between(
        deps.now,
        deps.now + SOON,
        stations=[station] if station else [],
        areas=[customer.area],
    )
    cutting = [outage for outage in found if cuts(outage, customer)]
    return next((o for o in cutting if o.starts_at <= deps.now), cutting[0] if cutting else None)


def _own_report(deps: Deps, customer: CustomerDetails, report: RequestRecord) -> list[str]:
    """The state of the customer's own report, and when the supply is expected back."""
    zone = deps.config.zone
    lines = [
        texts.RESTORE_OWN_REPORT.format(
            request_id=report.request_id,
            code=customer.customer_code,
            time=format_moment(report.created_at, zone),
            status=status_name(report.status),
            updated=format_moment(report.updated_at, zone),
        )
    ]
    if report.status not in OPEN_STATUSES:
        lines.append(texts.RESTORE_REPORT_CLOSED)
    elif report.expected_at is not None:
        lines.append(texts.RESTORE_EXPECTED.format(time=format_moment(report.expected_at, zone)))
    else:
        lines.append(texts.RESTORE_NO_ESTIMATE)
    return lines


def _station_reports(deps: Deps, place: str, others: list[RequestRecord]) -> str:
    """How many other customers of the station reported today, and the latest estimate given."""
    line = texts.RESTORE_STATION_REPORTS.format(place=place, count=len(others))
    estimates = [report.expected_at for report in others if report.expected_at is not None]
    if estimates:
        line += texts.RESTORE_STATION_EXPECTED.format(
            time=format_moment(max(estimates), deps.config.zone)
        )
    return line + "."


def _unlinked(turn: Turn, deps: Deps) -> tuple[Reply, ...]:
    """How to link, the hotline by the code's first letters, and an area's planned work."""
    channel = turn.update.channel
    replies: list[Reply] = []
    area = turn.entities.get("area")
    if isinstance(area, str):
        found = deps.accounts.outages_between(
            deps.now, deps.now + timedelta(minutes=1), stations=[], areas=[area]
        )
        now = [outage for outage in found if outage.starts_at <= deps.now]
        if now:
            replies.append(
                Reply(
                    texts.INCIDENT_AREA_PLANNED.format(
                        area=area,
                        reason=now[0].reason,
                        until=format_moment(now[0].ends_at, deps.config.zone),
                    )
                )
            )
        else:
            replies.append(Reply(texts.RESTORE_AREA_NONE.format(area=area)))
    rules = "; ".join(
        texts.HOTLINE_RULE.format(
            prefixes=", ".join(prefixes), name=hotline.name, number=hotline.number
        )
        for hotline, prefixes in deps.config.hotlines.corporations()
    )
    lines = [
        texts.RESTORE_UNLINKED + " " + link_how(channel, deps.config),
        texts.RESTORE_HOTLINES.format(rules=rules),
    ]
    buttons = (
        *link_buttons(channel, deps.config),
        intent_button(texts.MENU_OUTAGE, Intent.OUTAGE_SCHEDULE),
        intent_button(texts.BUTTON_REPORT_OUTAGE, Intent.OUTAGE_REPORT),
    )
    replies.append(Reply("\n".join(lines), buttons))
    return tuple(replies)
