"""Typed keys of the state the aiohttp application owns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import Engine

from bot.config import Settings
from bot.conversation import ConversationRunner
from bot.web.metrics import Metrics

if TYPE_CHECKING:  # the channel imports python-telegram-bot: only when it is configured
    from bot.telegram.channel import TelegramChannel

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", Engine)
METRICS = web.AppKey("metrics", Metrics)
RUNNER = web.AppKey("runner", ConversationRunner)
TELEGRAM: web.AppKey[TelegramChannel] = web.AppKey("telegram")
