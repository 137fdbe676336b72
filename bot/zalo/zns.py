"""One-time linking codes sent as Zalo ZNS template messages to the contract phone.

ZNS addresses a phone number (`84xxxxxxxxx`), so the customer need not follow the OA. The
approved template (DIENBOT_ZNS_TEMPLATES `otp`) has one parameter, `otp`. A template's text is
fixed at approval, so the first code after a customer's linking paused (`warned`: someone
typed wrong codes) goes by the `otp_warning` template, which says so, when one is configured.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from bot.zalo.api import OaClient
from bot.zalo.errors import ZaloError, log_failure
from handlers.privacy import mask_phone
from handlers.types import SendOneTimeCode

logger = logging.getLogger(__name__)

OTP_TEMPLATE = "otp"
OTP_WARNING_TEMPLATE = "otp_warning"
_NOT_DIGITS = re.compile(r"\D")


def zns_phone(phone: str) -> str:
    """A Vietnamese phone number as ZNS wants it (84 and 9 digits); ValueError otherwise."""
    digits = _NOT_DIGITS.sub("", phone)
    if digits.startswith("0") and len(digits) == 10:
        digits = "84" + digits[1:]
    if not (digits.startswith("84") and len(digits) == 11):
        raise ValueError(f"not a Vietnamese mobile number: {mask_phone(phone)}")
    return digits


class ZnsCodeSender:
    """Delivers one-time codes through ZNS (registered for Channel.ZALO)."""

    def __init__(
        self, client: Callable[[], OaClient], template_id: str, warning_id: str | None = None
    ) -> None:
        self._client = client
        self._template_id = template_id
        self._warning_id = warning_id

    async def send_code(self, effect: SendOneTimeCode) -> None:
        """Send the code to the contract phone; raise when Zalo does not accept it."""
        phone = zns_phone(effect.phone)
        tracking_id = f"otp-{uuid.uuid4().hex}"
        template_id = self._template_id
        if effect.warned and self._warning_id:
            template_id = self._warning_id
        elif effect.warned:
            logger.warning(
                "no ZNS %r template: the code to %s does not say that someone tried",
                OTP_WARNING_TEMPLATE,
                mask_phone(phone),
            )
        try:
            await self._client().send_template(
                phone, template_id, {"otp": effect.code}, tracking_id
            )
        except ZaloError as error:
            log_failure(error, f"ZNS one-time code to {mask_phone(phone)}")
            raise
        logger.info("ZNS one-time code sent to %s (%s)", mask_phone(phone), tracking_id)
