"""One-time linking codes by SMS, through the company's HTTP SMS gateway (DIENBOT_SMS_URL).

The gateway receives `POST {"phone": "0912345678", "message": "…"}` as JSON; any 2xx answer
means it accepted the message. Phone numbers are masked in every log line (last 3 digits).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from handlers import texts
from handlers.privacy import mask_phone
from handlers.types import SendOneTimeCode

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The SMS gateway did not accept a message."""


class SmsGateway:
    """Sends one-time codes through the SMS gateway over one shared `ClientSession`."""

    def __init__(self, url: str, *, timeout: float = 10) -> None:
        self.url = url
        self._timeout = ClientTimeout(total=timeout)
        self._session: ClientSession | None = None

    async def open(self) -> None:
        """Create the session."""
        self._session = ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        """Close the session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def lifespan(self, _app: web.Application) -> AsyncIterator[None]:
        """The gateway's cleanup context: the session lives as long as the application."""
        await self.open()
        try:
            yield
        finally:
            await self.close()

    async def send_code(self, effect: SendOneTimeCode) -> None:
        """Send the code to the contract phone; raise `SmsError` unless the gateway took it."""
        if self._session is None:
            raise RuntimeError("the SMS gateway is not open (its cleanup context)")
        masked = mask_phone(effect.phone)
        message = texts.ONE_TIME_CODE_SMS.format(
            code=effect.code, customer_code=effect.customer_code
        )
        if effect.warned:
            message += " " + texts.ONE_TIME_CODE_SMS_WARNING
        try:
            async with self._session.post(
                self.url, json={"phone": effect.phone, "message": message}
            ) as response:
                status = response.status
                await response.read()
        except (ClientError, TimeoutError) as error:
            logger.warning("SMS to %s failed: %s", masked, type(error).__name__)
            raise SmsError(
                f"SMS gateway unreachable for {masked}: {type(error).__name__}"
            ) from None
        if not 200 <= status < 300:
            logger.warning("SMS to %s refused by the gateway (HTTP %d)", masked, status)
            raise SmsError(f"SMS gateway answered HTTP {status} for {masked}")
        logger.info("one-time code sent by SMS to %s", masked)


SMS_GATEWAY = web.AppKey("sms_gateway", SmsGateway)


def install_sms(app: web.Application, url: str) -> SmsGateway:
    """Add the SMS gateway to the service (its session lives in a cleanup context)."""
    gateway = SmsGateway(url)
    app[SMS_GATEWAY] = gateway
    app.cleanup_ctx.append(gateway.lifespan)
    return gateway
