"""Who is asking, as the limits count them: the client's address behind the site's own proxies.

Behind nginx or Caddy every request comes from the proxy's address, so
counting by REMOTE_ADDR would put every visitor in one bucket (one attacker
could lock everyone out). The proxies listed in RE_SYS_TRUSTED_PROXIES are
skipped from the right of X-Forwarded-For, which each of them appends to; the
first address that is not one of ours is the client. IPv6 clients are
counted by their /64, the smallest block a subscriber is usually given, so
rotating addresses inside it does not reset a limit.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

__all__ = ["client_address"]


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(net, strict=False) for net in proxies)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.RE_SYS_TRUSTED_PROXIES)))


def _counted(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_address(request) -> str | None:
    """The address to count this request under; None without a request (a local `authenticate`)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    if _trusted(address):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        while hops and _trusted(hops[-1]):
            hops.pop()
        if hops:
            address = hops[-1]
    return _counted(address)
