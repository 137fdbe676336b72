"""The intent names of the contract (`intents.md`): spelled exactly, never renamed."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """What a customer message asks for."""

    GREET = "greet"
    HELP = "help"
    THANKS = "thanks"
    USAGE_QUERY = "usage_query"
    BILL_QUERY = "bill_query"
    PAYMENT_STATUS = "payment_status"
    PAYMENT_PAY = "payment_pay"
    PAYMENT_METHODS = "payment_methods"
    PAYMENT_POINTS = "payment_points"
    BILL_CALCULATE = "bill_calculate"
    APPLIANCE_ESTIMATE = "appliance_estimate"
    TARIFF_INFO = "tariff_info"
    OUTAGE_SCHEDULE = "outage_schedule"
    OUTAGE_REPORT = "outage_report"
    OUTAGE_RESTORATION = "outage_restoration"
    READING_SCHEDULE = "reading_schedule"
    ABNORMAL_USAGE = "abnormal_usage"
    SERVICE_REQUEST = "service_request"
    REQUEST_STATUS = "request_status"
    ACCOUNT_LINK = "account_link"
    ACCOUNT_UNLINK = "account_unlink"
    NOTIFY_SUBSCRIBE = "notify_subscribe"
    NOTIFY_UNSUBSCRIBE = "notify_unsubscribe"
    USAGE_ALERT = "usage_alert"
    TALK_TO_AGENT = "talk_to_agent"
    UNKNOWN = "unknown"
