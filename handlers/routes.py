"""The tables that map commands, button prefixes and intents to the handler that answers them.

Each capability module registers its entries here; the dispatcher only reads the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from handlers import account, agent, smalltalk
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
}

INTENT_HANDLERS: Final[dict[Intent, TurnHandler]] = {
    Intent.GREET: smalltalk.greet,
    Intent.HELP: smalltalk.help_menu,
    Intent.THANKS: smalltalk.thanks,
    Intent.UNKNOWN: smalltalk.unknown,
    Intent.ACCOUNT_LINK: account.start_linking,
    Intent.ACCOUNT_UNLINK: account.unlink,
    Intent.TALK_TO_AGENT: agent.talk_to_agent,
}

# A shared location: the nearest payment points (replaced when the payment module registers).
LOCATION_HANDLER: TurnHandler = smalltalk.help_menu
