"""Zalo's error codes, what each kind means for us, and how a failure is logged (one place).

Sources: research/platforms.md §4.2 (hoangnd25 table); ZNS's -118/-119 from the ZNS error table
(zalo.cloud/zns/guidelines/handle-error-code). Zalo answers HTTP 200 with
`{"error": <code>, "message": …}`; 0 is success.
"""

from __future__ import annotations

import logging
from enum import StrEnum

logger = logging.getLogger(__name__)


class ErrorKind(StrEnum):
    """What a failed call means for the caller."""

    TOKEN = "token"  # noqa: S105 - a kind, not a secret; invalid or expired access token: refresh once, retry once
    UNREACHABLE = "unreachable"  # the user cannot get this message now: log, never retry
    QUOTA = "quota"  # rate limit, quota or money ran out: log
    REJECTED = "rejected"  # our request is wrong (parameters, template, permission)
    UNAVAILABLE = "unavailable"  # no usable answer (network, 5xx, not JSON)


TOKEN_CODES = frozenset({-216, -220, -124})
UNREACHABLE_CODES = {
    -213: "the user does not follow the OA",
    -217: "the user blocked messages from the OA",
    -227: "the user is banned or inactive for more than 45 days",
    -230: "the user has not interacted with the OA in the past 7 days",
    -232: "the user has no recent interaction, or it expired",
    -234: "the message cannot be sent at night (22:00-06:00)",
    -244: "the user restricted this kind of message",
    -118: "ZNS: no Zalo account has this phone number, or it is disabled",
    -119: "ZNS: this Zalo account cannot receive ZNS messages",
}
QUOTA_CODES = {
    -32: "the app's rate limit per minute is reached",
    -211: "the quota is used up",
    -224: "the OA's tier package is missing",
    -320: "the Zalo Cloud Account is missing",
    -321: "the Zalo Cloud Account is out of money",
}


def kind_of(code: int) -> ErrorKind:
    """The kind of Zalo error `code`."""
    if code in TOKEN_CODES:
        return ErrorKind.TOKEN
    if code in UNREACHABLE_CODES:
        return ErrorKind.UNREACHABLE
    if code in QUOTA_CODES:
        return ErrorKind.QUOTA
    return ErrorKind.REJECTED


class ZaloError(Exception):
    """A Zalo call failed; `code` is Zalo's error code (or the negated HTTP status)."""

    def __init__(
        self, code: int, message: str, *, call: str, kind: ErrorKind | None = None
    ) -> None:
        super().__init__(f"{call}: Zalo error {code} ({message})")
        self.code = code
        self.message = message
        self.call = call
        self.kind = kind if kind is not None else kind_of(code)


class ZaloAuthError(ZaloError):
    """OAuth refused to renew the tokens: an administrator must authorise the app again."""


def log_failure(error: ZaloError, what: str) -> None:
    """Log a failed Zalo call once, at the level its kind deserves; nothing is retried here."""
    if error.kind is ErrorKind.UNREACHABLE:
        reason = UNREACHABLE_CODES.get(error.code, error.message)
        logger.info("%s not delivered, not retried: %s (Zalo %d)", what, reason, error.code)
    elif error.kind is ErrorKind.QUOTA:
        reason = QUOTA_CODES.get(error.code, error.message)
        logger.warning("%s not delivered: %s (Zalo %d)", what, reason, error.code)
    elif isinstance(error, ZaloAuthError):
        logger.error(
            "%s not delivered: Zalo refused to renew the OA tokens (%d %s); authorise the app "
            "again and set DIENBOT_ZALO_REFRESH_TOKEN to the new refresh token",
            what,
            error.code,
            error.message,
        )
    else:
        logger.error("%s not delivered: %s", what, error)
