"""The tables that map commands, button prefixes and intents to the handler that answers them.

Each capability module registers its entries here; the dispatcher only reads the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from handlers import account, agent, appliance, calculator, payment, reading, smalltalk
from handlers.context import Answer, Deps, Turn
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
    "cancel": lambda turn, deps, _argument: smalltalk.cancel(turn, deps),
    payment.AREA_PREFIX: payment.area_pressed,
    calculator.CALC_PREFIX: calculator.calc_pressed,
    appliance.APPLIANCE_PREFIX: appliance.appliance_pressed,
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
}

# A shared location: the nearest payment points.
LOCATION_HANDLER: TurnHandler = payment.nearest_points
