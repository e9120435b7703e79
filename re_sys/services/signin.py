"""Sign-in: one canonical form of a username, and one count of attempts, for every door.

Every sign-in (the site's form, the admin's, anything that calls Django's
`authenticate`) goes through `re_sys.auth_backends.ThrottledModelBackend`,
which asks here first. An attempt is *reserved* (counted) before the password
is checked and given back only when it succeeds, inside one row-locked
transaction: however many guesses arrive at once, at most `USERNAME_LIMIT` of
them are checked per account and window. (django-axes was considered and not
used for this reason: it checks the count before authenticating and records
the failure afterwards, so guesses that arrive together are all checked.)
"""
from __future__ import annotations

import hashlib
import math
import time
import unicodedata

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction

from ..models import AccountName, SignInCounter
from .clients import client_address

__all__ = ["ADDRESS_LIMIT", "USERNAME_LIMIT", "WINDOW_S", "account_find", "account_name_record",
           "attempt_reserve", "canonical_username", "client_address", "success_record"]

# At most this many attempts per window for one account, and (to stop one
# client cycling through usernames) a larger number from one address.
USERNAME_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW_S = 15 * 60


def canonical_username(username: str) -> str:
    """The form two usernames share when a person could not tell them apart.

    NFKC folds compatibility characters (a full-width `ａ` is `a`), case
    folding folds case beyond ASCII; NFKC again because folding can
    un-normalise. The same function serves sign-up, sign-in and the lock.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username.strip()).casefold())
    return folded


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    digest = hashlib.sha256(canonical_username(username).encode()).hexdigest()[:40]
    keys = [(f"user:{digest}", USERNAME_LIMIT)]
    if address:
        keys.append((f"addr:{address[:80]}", ADDRESS_LIMIT))
    return keys


def _counted(key: str, now: float) -> SignInCounter | None:
    """The row for `key`, locked for this transaction, if its window is still open."""
    row = SignInCounter.objects.select_for_update().filter(key=key).first()
    return row if row is not None and row.window_start + WINDOW_S > now else None


def attempt_reserve(username: str, address: str | None) -> int:
    """Count one attempt for the account and the address; 0 if it may be checked, else seconds to wait.

    A refused attempt is not counted (and writes no row), so waiting out the
    window always works, and guessing names from one address cannot grow the
    table past what was reserved. Rows of ended windows are removed as they go.
    """
    now = time.time()
    with transaction.atomic():
        keys = _keys(username, address)
        rows = {key: _counted(key, now) for key, _limit in keys}
        waits = [math.ceil(row.window_start + WINDOW_S - now) for key, limit in keys
                 if (row := rows[key]) is not None and row.count >= limit]
        if waits:
            return max(1, *waits)
        for key, _limit in keys:
            if rows[key] is not None:
                SignInCounter.objects.filter(key=key).update(count=models.F("count") + 1)
                continue
            # An ended window's row (locked above) starts again; a missing one is made.
            if SignInCounter.objects.filter(key=key).update(count=1, window_start=now):
                continue
            try:
                with transaction.atomic():
                    SignInCounter.objects.create(key=key, count=1, window_start=now)
            except IntegrityError:  # made by a concurrent attempt between our read and write
                SignInCounter.objects.filter(key=key).update(count=models.F("count") + 1)
        SignInCounter.objects.filter(window_start__lt=now - WINDOW_S).delete()
    return 0


def success_record(username: str, address: str | None) -> None:
    """A correct password: the account's count starts again, and the address gets its attempt back."""
    keys = [key for key, _limit in _keys(username, address)]
    with transaction.atomic():
        SignInCounter.objects.filter(key=keys[0]).delete()
        for key in keys[1:]:
            row = SignInCounter.objects.select_for_update().filter(key=key).first()
            if row is not None and row.count > 0:
                row.count -= 1
                row.save(update_fields=["count"])


def account_find(username: str):
    """The account a typed username means: its exact (NFKC) name first, else its canonical form."""
    model = get_user_model()
    typed = unicodedata.normalize("NFKC", username.strip())
    user = model._default_manager.filter(**{model.USERNAME_FIELD: typed}).first()
    if user is not None:
        return user
    entry = AccountName.objects.select_related("user").filter(key=canonical_username(username)).first()
    return entry.user if entry is not None else None


def account_name_record(user) -> bool:
    """Store the account's canonical name; False when another account already has it."""
    key = canonical_username(user.get_username())
    try:
        with transaction.atomic():
            AccountName.objects.update_or_create(user=user, defaults={"key": key})
    except IntegrityError:
        return False
    return True
