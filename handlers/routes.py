"""The tables that map commands, button prefixes and intents to the handler that answers them.

Each capability module registers its entries here; the dispatcher only reads the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from handlers import abnormal as abnormal_handlers
from handlers import (
    account,
    agent,
    appliance,
    calculator,
    escalation,
    payment,
    reading,
    smalltalk,
    survey,
)
from handlers import bills as bill_handlers
from handlers import outage as outage_handlers
from handlers import payment_pay as payment_pay_handlers
from handlers import payment_status as payment_status_handlers
from handlers import requests as request_handlers
from handlers import restoration as restoration_handlers
from handlers import subscriptions as subscription_handlers
from handlers import usage as usage_handlers
from handlers.context import Answer, Deps, Step, Turn
from nlu import Intent

TurnHandler = Callable[[Turn, Deps], Answer]
ButtonHandler = Callable[[Turn, Deps, str], Answer]

COMMANDS: Final[dict[str, TurnHandler]] = {
    "/start": smalltalk.greet,
    "/menu": smalltalk.help_menu,
    "/help": smalltalk.help_menu,
    "/lienket": account.start_linking,
    "/huy_lien_ket": account.unlink,
    "/xoa_du_lieu": account.ask_forget,
    "/quyen_rieng_tu": account.consents,
    "/nhanvien": agent.talk_to_agent,
    "/bot": agent.back_to_bot,
    "/huy": smalltalk.cancel,
}

CALLBACK_HANDLERS: Final[dict[str, ButtonHandler]] = {
    "unlink": account.unlink_pressed,
    "forget": account.forget_pressed,
    "consent": account.consent_pressed,
    "agent": agent.agent_pressed,
    agent.BACK_TO_BOT_DATA: lambda turn, deps, _argument: agent.back_to_bot(turn, deps),
    "cancel": lambda turn, deps, _argument: smalltalk.cancel(turn, deps),
    payment.AREA_PREFIX: payment.area_pressed,
    calculator.CALC_PREFIX: calculator.calc_pressed,
    appliance.APPLIANCE_PREFIX: appliance.appliance_pressed,
    "usage": usage_handlers.usage_pressed,
    "bill": bill_handlers.bill_pressed,
    "paystatus": payment_status_handlers.payment_status_pressed,
    "abnormal": abnormal_handlers.abnormal_pressed,
    "outage": outage_handlers.outage_pressed,
    "svc": request_handlers.service_pressed,
    "sub": subscription_handlers.subscribe_pressed,
    "unsub": subscription_handlers.unsubscribe_pressed,
    "alert": subscription_handlers.alert_pressed,
    "survey": survey.survey_pressed,
}

# A text message while the chat is in one of these steps goes to the step's handler.
STEP_HANDLERS: Final[dict[Step, TurnHandler]] = {
    Step.AWAIT_SURVEY_COMMENT: survey.comment_received,
}

INTENT_HANDLERS: Final[dict[Intent, TurnHandler]] = {
    Intent.GREET: smalltalk.greet,
    Intent.HELP: smalltalk.help_menu,
    Intent.THANKS: smalltalk.thanks,
    Intent.UNKNOWN: smalltalk.unknown,
    Intent.ACCOUNT_LINK: account.start_linking,
    Intent.ACCOUNT_UNLINK: account.unlink,
    Intent.TALK_TO_AGENT: agent.talk_to_agent,
    Intent.PAYMENT_METHODS: payment.answer_payment_methods,
    Intent.PAYMENT_POINTS: payment.answer_payment_points,
    Intent.BILL_CALCULATE: calculator.answer_bill_calculate,
    Intent.APPLIANCE_ESTIMATE: appliance.answer_appliance_estimate,
    Intent.TARIFF_INFO: calculator.answer_tariff_info,
    Intent.READING_SCHEDULE: reading.answer_reading_schedule,
    Intent.USAGE_QUERY: usage_handlers.answer_usage,
    Intent.BILL_QUERY: bill_handlers.answer_bill,
    Intent.PAYMENT_STATUS: payment_status_handlers.answer_payment_status,
    Intent.PAYMENT_PAY: payment_pay_handlers.answer_payment_pay,
    Intent.ABNORMAL_USAGE: abnormal_handlers.answer_abnormal,
    Intent.OUTAGE_SCHEDULE: outage_handlers.answer_outage_schedule,
    Intent.OUTAGE_REPORT: escalation.outage_report,
    Intent.OUTAGE_RESTORATION: restoration_handlers.answer_outage_restoration,
    Intent.SERVICE_REQUEST: request_handlers.answer_service_request,
    Intent.REQUEST_STATUS: request_handlers.answer_request_status,
    Intent.NOTIFY_SUBSCRIBE: subscription_handlers.answer_notify_subscribe,
    Intent.NOTIFY_UNSUBSCRIBE: subscription_handlers.answer_notify_unsubscribe,
    Intent.USAGE_ALERT: subscription_handlers.answer_usage_alert,
}

# Intents a bot answer fully serves, so the bot still answers them while a chat waits for a
# person (or talks with one): lookups, and reports that are filed at once. The others (small
# talk, linking, subscriptions, requests, abnormal use, asking for a person) get the waiting
# acknowledgement only: the person is coming for them.
SELF_SERVICE: Final[frozenset[Intent]] = frozenset(
    {
        Intent.BILL_QUERY,
        Intent.USAGE_QUERY,
        Intent.PAYMENT_STATUS,
        Intent.PAYMENT_PAY,
        Intent.PAYMENT_METHODS,
        Intent.PAYMENT_POINTS,
        Intent.BILL_CALCULATE,
        Intent.TARIFF_INFO,
        Intent.APPLIANCE_ESTIMATE,
        Intent.READING_SCHEDULE,
        Intent.OUTAGE_SCHEDULE,
        Intent.OUTAGE_REPORT,
        Intent.OUTAGE_RESTORATION,
        Intent.REQUEST_STATUS,
    }
)

# A shared location: the nearest payment points.
LOCATION_HANDLER: TurnHandler = payment.nearest_points
