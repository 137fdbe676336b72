"""The `X-ZEvent-Signature` check of Zalo OA webhook events (research/platforms.md §4.2).

Zalo sends `mac=<hex>` where hex is `sha256(app_id + raw_body + timestamp + oa_secret_key)`:
a plain SHA-256 of the concatenation, not an HMAC. `timestamp` is the event's own field and
the OA secret key is the one of the webhook settings (not the app secret). The raw bytes are
hashed as received, never re-serialised JSON.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-ZEvent-Signature"


def expected_signature(app_id: str, raw: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The lowercase hex digest Zalo puts after `mac=` for this body."""
    message = app_id.encode() + raw + timestamp.encode() + oa_secret_key.encode()
    return hashlib.sha256(message).hexdigest()


def signature_matches(
    supplied: str, raw: bytes, timestamp: str, oa_secret_key: str, *, ids: tuple[str, ...]
) -> bool:
    """Whether `supplied` (with or without `mac=`) signs `raw` with the secret and one of `ids`.

    `ids` lists the app id first; some integrations report the OA id in its place
    (platforms.md §6), and either way only a holder of the OA secret key can sign.
    Every candidate is compared in constant time.
    """
    value = supplied.strip()
    if value[:4].lower() == "mac=":
        value = value[4:]
    given = value.strip().lower().encode("ascii", "replace")
    matched = False
    for identifier in ids:
        wanted = expected_signature(identifier, raw, timestamp, oa_secret_key).encode()
        matched |= hmac.compare_digest(wanted, given)
    return matched
