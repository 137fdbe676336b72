"""The Telegram channel (python-telegram-bot 22 as transport); see docs/telegram.md."""

from bot.telegram.channel import TelegramChannel, install_telegram

__all__ = ["TelegramChannel", "install_telegram"]
