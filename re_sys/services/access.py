"""Who may see a viewer: the one rule that every door (page, API, profile) asks.

A member's ratings and all that is derived from them (recommendations,
predicted stars, reasons, hidden movies, watchlist, demographics) are theirs
and staff's. A MovieLens viewer of the imported dataset is public only in demo
mode. Anyone else gets exactly what an unknown id gets, so that asking cannot
tell a private viewer from one that does not exist.
"""
from __future__ import annotations

import re

from django.conf import settings

from ..models import Viewer

__all__ = ["NotVisible", "is_own_or_staff", "may_see", "viewer_visible"]

# Viewer ids are whole numbers written in ASCII digits: `²` and `٣` are not ids.
_ID = re.compile(r"[0-9]{1,10}")


class NotVisible(LookupError):
    """No such viewer, or not one this caller may see: the two are answered alike."""


def is_own_or_staff(user, viewer: Viewer) -> bool:
    """The viewer is the caller's own, or the caller is staff (demo mode opens nothing here)."""
    return user is not None and user.is_authenticated and (user.is_staff or viewer.user_id == user.pk)


def may_see(user, viewer: Viewer) -> bool:
    return is_own_or_staff(user, viewer) or (bool(settings.RE_SYS_DEMO) and viewer.user_id is None)


def viewer_visible(user, viewer_id) -> Viewer:
    """The viewer with this id if `user` may see it; else `NotVisible`, whether it exists or not."""
    raw = str(viewer_id)
    if not _ID.fullmatch(raw):
        raise NotVisible(raw)
    viewer = Viewer.objects.filter(pk=int(raw)).first()
    if viewer is None or not may_see(user, viewer):
        raise NotVisible(raw)
    return viewer
