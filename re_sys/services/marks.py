"""A viewer's watchlist and hidden movies: stored per viewer, honoured by every list."""
from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import Movie, MovieMark, Viewer

__all__ = ["hidden_ids", "mark_toggle", "marked_ids", "watchlist"]


def mark_toggle(*, viewer: Viewer, movie: Movie, kind: str) -> bool:
    """Add the mark if absent, remove it if present; return whether it is now set.

    Hiding a movie also takes it off the watchlist: a film one never wants
    recommended again is not one to save for later.
    """
    if kind not in dict(MovieMark.KINDS):
        raise ValueError(f"unknown mark {kind!r}")
    with transaction.atomic():
        deleted, _ = MovieMark.objects.filter(viewer=viewer, movie=movie, kind=kind).delete()
        if deleted:
            return False
        if kind == MovieMark.HIDDEN:
            MovieMark.objects.filter(viewer=viewer, movie=movie, kind=MovieMark.WATCHLIST).delete()
        try:
            with transaction.atomic():
                MovieMark.objects.create(viewer=viewer, movie=movie, kind=kind)
        except IntegrityError:
            pass  # a second click that raced the first: the mark is set either way
    return True


def marked_ids(viewer: Viewer | None, kind: str) -> set[int]:
    # Only members mark movies (views pass the signed-in account's own viewer),
    # so a dataset viewer without an account has none: no query for them.
    if viewer is None or viewer.user_id is None:
        return set()
    return set(MovieMark.objects.filter(viewer=viewer, kind=kind).values_list("movie_id", flat=True))


def hidden_ids(viewer: Viewer | None) -> set[int]:
    return marked_ids(viewer, MovieMark.HIDDEN)


def watchlist(viewer: Viewer):
    """The viewer's saved movies, newest first, with their genres."""
    return (Movie.objects.filter(marks__viewer=viewer, marks__kind=MovieMark.WATCHLIST)
            .prefetch_related("genres").order_by("-marks__created_at", "id"))
