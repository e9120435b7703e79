"""A viewer's watchlist and hidden movies: stored per viewer, honoured by every list."""
from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import Movie, MovieMark, Viewer

__all__ = ["hidden_ids", "mark_set", "mark_toggle", "marked_ids", "marks_of", "watchlist"]


def mark_set(*, viewer: Viewer, movie: Movie, kind: str, on: bool) -> bool:
    """Set or clear one mark; return whether it is now set. Saying the same twice changes nothing,
    so a repeated click or an undo can never flip it the wrong way.

    Hiding a movie also takes it off the watchlist: a film one never wants
    recommended again is not one to save for later.
    """
    if kind not in dict(MovieMark.KINDS):
        raise ValueError(f"unknown mark {kind!r}")
    with transaction.atomic():
        if not on:
            MovieMark.objects.filter(viewer=viewer, movie=movie, kind=kind).delete()
            return False
        if kind == MovieMark.HIDDEN:
            MovieMark.objects.filter(viewer=viewer, movie=movie, kind=MovieMark.WATCHLIST).delete()
        try:
            with transaction.atomic():
                MovieMark.objects.create(viewer=viewer, movie=movie, kind=kind)
        except IntegrityError:
            pass  # a second click that raced the first: the mark is set either way
    return True


def mark_toggle(*, viewer: Viewer, movie: Movie, kind: str) -> bool:
    """Add the mark if absent, remove it if present; return whether it is now set."""
    present = MovieMark.objects.filter(viewer=viewer, movie=movie, kind=kind).exists()
    return mark_set(viewer=viewer, movie=movie, kind=kind, on=not present)


def marks_of(viewer: Viewer | None, movie_ids) -> dict[int, set[str]]:
    """The kinds of mark each of `movie_ids` has (only those with any), in one query."""
    if viewer is None or viewer.user_id is None:
        return {}
    found: dict[int, set[str]] = {}
    for movie_id, kind in MovieMark.objects.filter(viewer=viewer, movie_id__in=list(movie_ids)) \
            .values_list("movie_id", "kind"):
        found.setdefault(movie_id, set()).add(kind)
    return found


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
