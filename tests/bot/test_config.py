"""Settings come from the environment and `.env`, are validated, and never show secrets."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, describe, load_settings
from handlers.hotlines import Hotline
from meters.rate_store import RateLimit


def test_defaults_are_the_embedded_service(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=None)
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8080)
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.telegram_send_rate == 25
    assert settings.push_hours == (time(7), time(21))
    assert not settings.telegram_enabled
    assert not settings.zalo_enabled


def test_every_contract_variable_is_read() -> None:
    environ = {
        "DIENBOT_DATABASE_URL": "postgresql+psycopg://u@h/db",
        "DIENBOT_HTTP_HOST": "127.0.0.2",
        "DIENBOT_HTTP_PORT": "9000",
        "DIENBOT_TIMEZONE": "UTC",
        "DIENBOT_TELEGRAM_TOKEN": "123:abc",
        "DIENBOT_TELEGRAM_API_URL": "http://127.0.0.1:8081/bot",
        "DIENBOT_TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
        "DIENBOT_TELEGRAM_WEBHOOK_SECRET": "s3cret",
        "DIENBOT_TELEGRAM_AGENT_CHAT_ID": "-100123",
        "DIENBOT_ZALO_APP_ID": "app",
        "DIENBOT_ZALO_APP_SECRET": "appsecret",
        "DIENBOT_ZALO_OA_SECRET_KEY": "oakey",
        "DIENBOT_ZALO_REFRESH_TOKEN": "refresh",
        "DIENBOT_ZALO_API_URL": "http://127.0.0.1:8082",
        "DIENBOT_ZNS_TEMPLATES": '{"otp": "123", "outage": "456"}',
        "DIENBOT_SMS_URL": "http://127.0.0.1:8083/sms",
        "DIENBOT_TELEGRAM_SEND_RATE": "1000",
        "DIENBOT_PUSH_WINDOW": "06:30-20:00",
        "DIENBOT_AGENT_PASSWORD": "agentpw",
    }
    settings = load_settings(environ, env_file=None)
    assert settings.http_port == 9000
    assert settings.telegram_agent_chat_id == (-100123,)
    assert settings.zns_templates == {"otp": "123", "outage": "456"}
    assert settings.push_hours == (time(6, 30), time(20))
    assert settings.telegram_enabled
    assert settings.zalo_enabled
    assert settings.telegram_token is not None
    assert settings.telegram_token.get_secret_value() == "123:abc"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "DIENBOT_HTTP_PORT=8181\nDIENBOT_TIMEZONE=Asia/Bangkok\n", encoding="utf-8"
    )
    settings = load_settings({}, env_file=str(env_file))
    assert settings.http_port == 8181
    assert settings.timezone == "Asia/Bangkok"


def test_secrets_never_appear_in_repr_or_description() -> None:
    secrets = {
        "DIENBOT_TELEGRAM_TOKEN": "123:tok-en",
        "DIENBOT_TELEGRAM_WEBHOOK_SECRET": "hook-secret",
        "DIENBOT_ZALO_APP_SECRET": "zalo-secret",
        "DIENBOT_ZALO_OA_SECRET_KEY": "oa-secret",
        "DIENBOT_ZALO_REFRESH_TOKEN": "refresh-secret",
        "DIENBOT_AGENT_PASSWORD": "agent-secret",
    }
    settings = load_settings(secrets, env_file=None)
    shown = repr(settings) + str(settings) + str(describe(settings))
    for value in secrets.values():
        assert value not in shown
    assert describe(settings)["telegram_token"] == "***"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DIENBOT_HTTP_PORT", "eighty"),
        ("DIENBOT_HTTP_PORT", "70000"),
        ("DIENBOT_TIMEZONE", "Mars/Olympus"),
        ("DIENBOT_DATABASE_URL", "mysql://x"),
        ("DIENBOT_PUSH_WINDOW", "21:00-07:00"),
        ("DIENBOT_PUSH_WINDOW", "morning"),
        ("DIENBOT_TELEGRAM_SEND_RATE", "0"),
        ("DIENBOT_ZNS_TEMPLATES", "{not json"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: value}, env_file=None)


def test_hotlines_extend_the_five_corporations() -> None:
    settings = load_settings(
        {"DIENBOT_HOTLINES": "PP0100=Điện lực Hải Châu 0236 3822 222; PX=EVNTEST 1900 0000"},
        env_file=None,
    )
    table = settings.hotline_table
    assert table.of("PP01005355786") == Hotline("Điện lực Hải Châu", "0236 3822 222")
    assert table.of("PX01000000001") == Hotline("EVNTEST", "1900 0000")
    assert table.of("PE04003479681") == Hotline("EVNHCMC", "1900 545454")  # default kept
    assert load_settings({}, env_file=None).hotline_table.of("PX01000000001") is None


def test_a_malformed_hotline_table_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"DIENBOT_HOTLINES: .*is not a code prefix"):
        load_settings({"DIENBOT_HOTLINES": "EVN=EVNHCMC 1900 545454"}, env_file=None)


def test_the_linking_limits_default_to_what_no_customer_meets_and_can_be_set() -> None:
    minute, hour, day = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
    limits = load_settings({}, env_file=None).link_limits
    assert limits.lookups_per_client == (RateLimit(5, minute), RateLimit(20, hour))
    assert limits.lookups == RateLimit(60, minute)
    assert limits.codes == (
        RateLimit(1, minute),
        RateLimit(3, timedelta(minutes=15)),
        RateLimit(10, day),
    )
    assert limits.wrong_codes == RateLimit(10, day)
    environ = {
        "DIENBOT_LINK_LOOKUPS_PER_ADDRESS_MINUTE": "8",
        "DIENBOT_LINK_LOOKUPS_PER_ADDRESS_HOUR": "40",
        "DIENBOT_LINK_LOOKUPS_PER_MINUTE": "300",
        "DIENBOT_LINK_CODE_GAP_SECONDS": "90",
        "DIENBOT_LINK_CODES_PER_15_MINUTES": "4",
        "DIENBOT_LINK_CODES_PER_DAY": "12",
        "DIENBOT_LINK_WRONG_CODES_PER_DAY": "15",
    }
    limits = load_settings(environ, env_file=None).link_limits
    assert limits.lookups_per_client == (RateLimit(8, minute), RateLimit(40, hour))
    assert limits.lookups == RateLimit(300, minute)
    assert limits.codes == (
        RateLimit(1, timedelta(seconds=90)),
        RateLimit(4, timedelta(minutes=15)),
        RateLimit(12, day),
    )
    assert limits.wrong_codes == RateLimit(15, day)


@pytest.mark.parametrize(
    "variable", ["DIENBOT_LINK_LOOKUPS_PER_MINUTE", "DIENBOT_LINK_WRONG_CODES_PER_DAY"]
)
@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_a_linking_limit_that_is_not_a_positive_count_names_the_variable(
    variable: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: value}, env_file=None)
