"""Whose recommendations a page shows."""
from __future__ import annotations

from django.conf import settings

from ..models import Viewer
from ..services import selectors


def viewer_shown(request) -> Viewer | None:
    """In demo mode, the MovieLens user being browsed as; otherwise the signed-in account's viewer.

    Only reads: a GET never creates a viewer, and writes (ratings, lists)
    always go to the signed-in account's own viewer.
    """
    if settings.RE_SYS_DEMO:
        demo_id = request.session.get("demo_viewer")
        if demo_id is not None:
            viewer = Viewer.objects.filter(pk=demo_id).first()
            if viewer is not None:
                return viewer
    return selectors.viewer_of(request.user)


def with_predictions(viewer: Viewer | None, movies, taste=None) -> None:
    """Set `movie.predicted` (the model's stars for this viewer, or None) on each movie card.

    `taste` is the page's `recommending.Taste` of the viewer, when it has one.
    """
    from ..services import recommending

    movies = list(movies)
    predicted = recommending.viewer_predictions(viewer=viewer, movie_ids=[m.pk for m in movies],
                                                taste=taste) if viewer is not None else {}
    for movie in movies:
        movie.predicted = predicted.get(movie.pk)
