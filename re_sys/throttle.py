"""Sign-in throttling: repeated failures for one account or from one address pause sign-ins.

Counts live in Django's cache with a window that starts at the first failure,
so a person who mistypes twice is never bothered and a password-guessing
script is slowed to a few tries per window. Production settings point the
cache at a folder that every gunicorn worker shares.
"""
from __future__ import annotations

import hashlib
import math
import time

from django.core.cache import cache

# At most this many failures per window for one username, and (to stop one
# client cycling through usernames) a larger number from one address.
USERNAME_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW_S = 15 * 60


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return [(f"signin-fail:user:{digest}", USERNAME_LIMIT), (f"signin-fail:addr:{address}", ADDRESS_LIMIT)]


def wait_seconds(username: str, address: str) -> int:
    """0 if a sign-in may be tried now, else how many seconds until it may."""
    now = time.time()
    waits = []
    for key, limit in _keys(username, address):
        count, started = cache.get(key, (0, now))
        remaining = started + WINDOW_S - now
        if count >= limit and remaining > 0:
            waits.append(max(1, math.ceil(remaining)))
    return max(waits, default=0)


def failure_record(username: str, address: str) -> None:
    now = time.time()
    for key, _ in _keys(username, address):
        count, started = cache.get(key, (0, now))
        remaining = started + WINDOW_S - now
        if remaining <= 0:
            count, started, remaining = 0, now, WINDOW_S
        cache.set(key, (count + 1, started), timeout=math.ceil(remaining))


def success_record(username: str, address: str) -> None:
    """A correct password clears that account's count (not the address's)."""
    cache.delete(_keys(username, address)[0][0])


def client_address(request) -> str:
    # REMOTE_ADDR is the proxy's address behind one; gunicorn's forwarded_allow_ips
    # and the proxy's X-Forwarded-For decide what reaches here, not the client.
    return request.META.get("REMOTE_ADDR", "") or "unknown"
