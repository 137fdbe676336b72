"""Typed keys of the state the aiohttp application owns."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import Engine

from bot.config import Settings
from bot.web.metrics import Metrics

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", Engine)
METRICS = web.AppKey("metrics", Metrics)
