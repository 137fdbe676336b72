"""Settings of the service, read once from the environment and a `.env` file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import time, timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from handlers.hotlines import HotlineTable, hotline_table, parse_hotlines
from meters.link_guard import LinkLimits
from meters.rate_store import RateLimit

DEFAULT_DATABASE_URL = "sqlite:///var/dienbot.db"
REDACTED = "***"
# Query parameters whose values are credentials: the lower-cased name (`-` read as `_`) contains
# one of the first words, or has one of the second as a whole word (`api_key`, `x_sig`).
SECRET_QUERY_NAME = re.compile(
    r"token|secret|passw|signature|apikey|credential|auth"
    r"|(^|_)(key|sig|pass|pwd|hash|otp|session)($|_)"
)
ProxyNetwork = IPv4Network | IPv6Network


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
    # Hotlines by code prefix over the five corporations' (docs/conversation.md "Hotlines").
    hotlines: str = ""
    # Behind a reverse proxy (docs/security.md "Behind a proxy"); both extend interfaces.md.
    public_url: str | None = None
    trusted_proxies: Annotated[tuple[ProxyNetwork, ...], NoDecode] = ()
    # Zalo events whose `timestamp` is further from now than this are refused (docs/zalo.md).
    zalo_event_window_minutes: float = Field(default=10.0, gt=0, le=1440)
    # Linking by one-time code (docs/security.md "Linking"): customer code lookups per client
    # address (the platform user on Telegram and Zalo) and by everyone, codes per customer code
    # and per phone, wrong codes per customer code in 24 hours before its linking pauses.
    link_lookups_per_address_minute: int = Field(default=5, ge=1, le=1000)
    link_lookups_per_address_hour: int = Field(default=20, ge=1, le=10_000)
    link_lookups_per_minute: int = Field(default=60, ge=1, le=100_000)
    link_code_gap_seconds: int = Field(default=60, ge=1, le=3600)
    link_codes_per_15_minutes: int = Field(default=3, ge=1, le=100)
    link_codes_per_day: int = Field(default=10, ge=1, le=1000)
    link_wrong_codes_per_day: int = Field(default=10, ge=1, le=1000)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """What `repr` shows: URLs without their credentials (secrets are already hidden)."""
        for name, value in super().__repr_args__():
            if name is not None and name.endswith("_url") and isinstance(value, str):
                yield name, redact_url(value)
            else:
                yield name, value

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

    @field_validator("hotlines")
    @classmethod
    def _hotlines_shape(cls, value: str) -> str:
        parse_hotlines(value)
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_networks(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, tuple | list):
            try:
                return tuple(ip_network(str(part), strict=False) for part in value)
            except ValueError as error:
                raise ValueError(
                    f"expected addresses or networks separated by commas ({error})"
                ) from None
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url_shape(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("expected an http:// or https:// base URL")
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
    def hotline_table(self) -> HotlineTable:
        """The hotlines by unit and corporation: the default table with `hotlines` over it."""
        return hotline_table(self.hotlines)

    @property
    def push_hours(self) -> tuple[time, time]:
        """The delivery window of scheduled messages as (start, end)."""
        return parse_window(self.push_window)

    @property
    def link_limits(self) -> LinkLimits:
        """The linking limits of the DIENBOT_LINK_* settings."""
        return LinkLimits(
            lookups_per_client=(
                RateLimit(self.link_lookups_per_address_minute, timedelta(minutes=1)),
                RateLimit(self.link_lookups_per_address_hour, timedelta(hours=1)),
            ),
            lookups=RateLimit(self.link_lookups_per_minute, timedelta(minutes=1)),
            codes=(
                RateLimit(1, timedelta(seconds=self.link_code_gap_seconds)),
                RateLimit(self.link_codes_per_15_minutes, timedelta(minutes=15)),
                RateLimit(self.link_codes_per_day, timedelta(days=1)),
            ),
            wrong_codes=RateLimit(self.link_wrong_codes_per_day, timedelta(days=1)),
        )

    @property
    def public_https(self) -> bool:
        """Whether the service is reached over https (DIENBOT_PUBLIC_URL): cookies are Secure."""
        return self.public_url is not None and self.public_url.lower().startswith("https://")

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


def redact_url(url: str) -> str:
    """`url` as it may be logged: its user-info and secret-looking query values as '***'.

    `postgresql://dienbot:pw@db/x?sslpassword=y&app=z` -> `postgresql://***@db/x?sslpassword=***&app=z`.
    Something that does not parse as a URL is hidden whole.
    """
    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return REDACTED
    shown = url
    if "@" in parts.netloc:  # the user name can be a credential too (an API key as user)
        shown = shown.replace(parts.netloc, REDACTED + "@" + parts.netloc.rpartition("@")[2], 1)
    secret = [SECRET_QUERY_NAME.search(name.lower().replace("-", "_")) for name, _ in pairs]
    if any(secret):
        query = [
            (name, REDACTED if hidden else value)
            for (name, value), hidden in zip(pairs, secret, strict=True)
        ]
        start = shown.index("?") + 1
        shown = shown[:start] + urlencode(query, safe="*") + shown[start + len(parts.query) :]
    return shown


def describe(settings: Settings) -> dict[str, str]:
    """The settings as printable text: every secret, and the credentials in URLs, as '***'."""
    shown: dict[str, str] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            shown[name] = REDACTED
        elif value is None:
            shown[name] = "(unset)"
        elif name.endswith("_url") and isinstance(value, str):
            shown[name] = redact_url(value)
        elif isinstance(value, tuple):
            shown[name] = ",".join(str(part) for part in value)
        else:
            shown[name] = str(value)
    return shown
