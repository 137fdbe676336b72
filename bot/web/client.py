"""Who sent a request and how: the client's address and whether it came over https.

Behind a reverse proxy the peer of every request is the proxy. Its `X-Forwarded-For` and
`X-Forwarded-Proto` headers are believed only when the peer is one of `DIENBOT_TRUSTED_PROXIES`;
anyone else can write those headers, so for them the peer itself is the client. The proxy
appends the address it saw to `X-Forwarded-For`, so the list is read from the right: the first
address that is not itself a trusted proxy is the client (what a visitor wrote to the left of
it is never believed).
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address

from aiohttp import web

from bot.config import ProxyNetwork
from bot.web.keys import SETTINGS

UNKNOWN = "unknown"  # the peer of a UNIX socket, or an address that does not parse

IPAddress = IPv4Address | IPv6Address


def _parsed(text: str) -> IPAddress | None:
    try:
        return ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: IPAddress | None, proxies: Sequence[ProxyNetwork]) -> bool:
    return address is not None and any(address in network for network in proxies)


def _peer(request: web.Request) -> IPAddress | None:
    return _parsed(request.remote) if request.remote else None


def _proxies(request: web.Request) -> Sequence[ProxyNetwork]:
    settings = request.app.get(SETTINGS)
    return settings.trusted_proxies if settings is not None else ()


def client_address(request: web.Request) -> str:
    """The address of the client: `X-Forwarded-For` from a trusted proxy, else the peer."""
    proxies = _proxies(request)
    peer = _peer(request)
    if peer is None:
        return UNKNOWN
    if not _trusted(peer, proxies):
        return str(peer)
    hops = [
        hop
        for header in request.headers.getall("X-Forwarded-For", ())
        for hop in header.split(",")
    ]
    client = peer
    for hop in reversed(hops):
        address = _parsed(hop)
        if address is None:  # a proxy writes addresses: something else is not one of theirs
            break
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)


def is_https(request: web.Request) -> bool:
    """Whether the client reached us over https: TLS here, `X-Forwarded-Proto: https` from a
    trusted proxy, or a `DIENBOT_PUBLIC_URL` that starts with https (cookies are then Secure)."""
    if request.secure:
        return True
    settings = request.app.get(SETTINGS)
    if settings is not None and settings.public_https:
        return True
    if not _trusted(_peer(request), _proxies(request)):
        return False
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return forwarded.rpartition(",")[2].strip().lower() == "https"
