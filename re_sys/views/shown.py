"""Whose recommendations a page shows."""
from __future__ import annotations

from django.conf import settings

from ..models import Viewer
from ..services import selectors


def viewers(request) -> tuple[Viewer | None, Viewer | None]:
    """(the viewer shown, the signed-in member's own viewer), with one query for the member."""
    own = selectors.viewer_of(request.user)
    return viewer_shown(request, own=own), own


def viewer_shown(request, *, own: Viewer | None | bool = False) -> Viewer | None:
    """In demo mode, the MovieLens user being browsed as; otherwise the signed-in account's viewer.

    `own`: the member's viewer when the caller has it already (False: look it up).
    Only reads: a GET never creates a viewer, and writes (ratings, lists)
    always go to the signed-in account's own viewer.
    """
    if settings.RE_SYS_DEMO:
        demo_id = request.session.get("demo_viewer")
        if demo_id is not None:
            viewer = selectors.dataset_viewer(int(demo_id))
            if viewer is not None:
                return viewer
            # Gone (a new import): stop browsing as them, so the page and its controls agree.
            request.session.pop("demo_viewer", None)
    return selectors.viewer_of(request.user) if own is False else own
