"""The Zalo Official Account channel (docs/zalo.md)."""

from bot.zalo.channel import ZaloChannel, install_zalo

__all__ = ["ZaloChannel", "install_zalo"]
