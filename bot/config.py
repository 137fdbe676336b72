"""Settings of the service, read once from the environment and a `.env` file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/dienbot.db"


class ConfigError(ValueError):
    """A configuration value is malformed; the message names the variable."""


class Settings(BaseSettings):
    """Every `DIENBOT_*` variable of the configuration contract (docs: README, interfaces.md)."""

    model_config = SettingsConfigDict(
        env_prefix="DIENBOT_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = DEFAULT_DATABASE_URL
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    timezone: str = "Asia/Ho_Chi_Minh"

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    # One or more forum supergroups of agents, comma-separated (docs/telegram.md "Agent group").
    telegram_agent_chat_id: Annotated[tuple[int, ...], NoDecode] = ()
    telegram_send_rate: float = Field(default=25.0, gt=0, le=1000)

    zalo_app_id: str | None = None
    zalo_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_refresh_token: SecretStr | None = None
    zalo_api_url: str | None = None
    zns_templates: dict[str, str] = Field(default_factory=dict)
    zalo_send_rate: float = Field(default=10.0, gt=0, le=1000)  # docs/zalo.md "Scheduled messages"

    sms_url: str | None = None
    push_window: str = "07:00-21:00"
    agent_password: SecretStr | None = None
    agent_hours: str = "07:00-21:00"  # when agents answer chats; outside, the hotline is given
    # Seconds added to the wall clock wherever the service reads the time (bot/clock.py): for
    # tests and rehearsals only, 0 in production.
    clock_offset: float = Field(default=0.0, allow_inf_nan=False)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql+psycopg://", "postgresql://")):
            raise ValueError("only sqlite:///… and postgresql+psycopg://… URLs are supported")
        return value

    @field_validator("push_window", "agent_hours")
    @classmethod
    def _window_shape(cls, value: str) -> str:
        parse_window(value)
        return value

    @field_validator("zns_templates", mode="before")
    @classmethod
    def _templates_json(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @field_validator("telegram_agent_chat_id", mode="before")
    @classmethod
    def _chat_ids(cls, value: object) -> object:
        if isinstance(value, int):
            value = (value,)
        elif isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, tuple | list):
            try:
                ids = tuple(int(part) for part in value)
            except (TypeError, ValueError):
                raise ValueError("expected group chat ids separated by commas") from None
            if any(chat_id >= 0 for chat_id in ids):
                raise ValueError("group chat ids are negative (-100…)")
            return ids
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The time zone of schedules and of "today"."""
        return ZoneInfo(self.timezone)

    @property
    def telegram_enabled(self) -> bool:
        """Whether a Telegram token is configured."""
        return self.telegram_token is not None

    @property
    def zalo_enabled(self) -> bool:
        """Whether every Zalo OA credential is configured."""
        return None not in (
            self.zalo_app_id,
            self.zalo_app_secret,
            self.zalo_oa_secret_key,
            self.zalo_refresh_token,
        )

    @property
    def agent_window(self) -> tuple[time, time]:
        """The agents' business hours as (start, end)."""
        return parse_window(self.agent_hours)

    @property
    def push_hours(self) -> tuple[time, time]:
        """The delivery window of scheduled messages as (start, end)."""
        return parse_window(self.push_window)

    def sqlite_path(self) -> Path | None:
        """The database file of a SQLite URL, or None for other databases."""
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return None


def parse_window(value: str) -> tuple[time, time]:
    """Parse `HH:MM-HH:MM` into two times, the first earlier than the second."""
    try:
        start_text, end_text = value.split("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError as error:
        raise ValueError(f"expected HH:MM-HH:MM, got {value!r}") from error
    if start >= end:
        raise ValueError(f"the window {value!r} must start before it ends")
    return start, end


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | None = ".env"
) -> Settings:
    """Build the settings from `environ` (the process environment by default) and `.env`."""
    from pydantic import ValidationError

    try:
        if environ is None:
            return Settings(_env_file=env_file)
        values: dict[str, Any] = {
            key.removeprefix("DIENBOT_").lower(): value
            for key, value in environ.items()
            if key.startswith("DIENBOT_")
        }
        return Settings(_env_file=env_file, **values)
    except ValidationError as error:
        problems = "; ".join(
            f"DIENBOT_{'_'.join(str(part) for part in issue['loc']).upper()}: {issue['msg']}"
            for issue in error.errors()
        )
        raise ConfigError(f"bad configuration: {problems}") from None


def describe(settings: Settings) -> dict[str, str]:
    """The settings as printable text, every secret replaced by '***'."""
    shown: dict[str, str] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            shown[name] = "***"
        elif value is None:
            shown[name] = "(unset)"
        else:
            shown[name] = str(value)
    return shown
