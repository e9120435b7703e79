"""Members' API tokens: made, listed, revoked, and turned back into an account.

Written here rather than taken from Django REST framework's `authtoken` (it
stores tokens in plain text, one per account, and needs DRF views) or
`django-rest-knox` (hashed, but also built on DRF): the API is plain Django
views, and what a token needs is small — 32 random bytes, shown once, kept
only as their SHA-256. A fast hash is right for random tokens (a guess costs
2^256 tries), unlike for passwords.
"""
from __future__ import annotations

import hashlib
import secrets

from django.db import DatabaseError
from django.utils import timezone

from ..models import ApiToken

__all__ = ["TOKEN_PREFIX", "token_create", "token_issue", "token_revoke", "token_user", "tokens_of"]

TOKEN_PREFIX = "rsk_"
# last_used_at is written at most this often per token: not one write per request.
TOUCH_SECONDS = 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_issue(token: ApiToken) -> str:
    """Give an unsaved token its secret and save it; the secret is returned, never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token.name = token.name.strip()[:60] or "API token"
    token.prefix, token.digest = secret[:len(TOKEN_PREFIX) + 6], _digest(secret)
    token.save()
    return secret


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the second value is the token itself, shown to them once."""
    token = ApiToken(user=user, name=name)
    return token, token_issue(token)


def tokens_of(user):
    return ApiToken.objects.filter(user=user)


def token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of `user`'s own tokens; False when it is not theirs or already gone."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def token_user(secret: str):
    """The active account a token belongs to, or None for an unknown, revoked or inactive one."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    tried = _touched.get(token.digest)
    stale = token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_SECONDS
    if stale and (tried is None or (now - tried).total_seconds() > TOUCH_SECONDS):
        # Tried once a minute per process even when it fails: a write-locked database (an import
        # running) must not make every token request wait for the lock.
        _touched[token.digest] = now
        try:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        except DatabaseError:  # a read-only or locked database still answers reads
            pass
    return token.user


# When this process last tried to note each token's use (its digest -> time).
_touched: dict[str, object] = {}
