"""What each page shows, assembled in one call: the views parse, call one of these, and render.

Each function returns the page's template context: its movies with their
reasons and the predicted stars of the viewer being shown (`movie.predicted`
on each card), and whatever else that page lists. Who may be shown is
decided before (`access.viewer_visible`, the views' `viewer_shown`).
"""
from __future__ import annotations

import random

from django.utils.translation import gettext_lazy as _

from ..models import Genre, Movie, MovieMark, Rating, Viewer
from . import recommending, selectors, tokens

__all__ = ["FOR_YOU_LENGTH", "NEXT_UP_LENGTH", "ROW_LENGTH", "for_you_page", "home_page", "listing_page",
           "movie_page", "predictions_set", "profile_page", "search_page"]

ROW_LENGTH = 8
FOR_YOU_LENGTH = 24
NEXT_UP_LENGTH = 8
# The home page is a landing page: a short grid; genres and years browse the rest.
HOME_GRID = 12


def predictions_set(viewer: Viewer | None, movies, taste=None) -> None:
    """Set `movie.predicted` (the model's stars for this viewer, or None) on each movie card.

    `taste` is the page's `recommending.Taste` of the viewer, when it has one.
    """
    movies = list(movies)
    predicted = recommending.viewer_predictions(viewer=viewer, movie_ids=[m.pk for m in movies],
                                                taste=taste) if viewer is not None else {}
    for movie in movies:
        movie.predicted = predicted.get(movie.pk)


def _taste(viewer: Viewer | None):
    return recommending.Taste(viewer) if viewer is not None else None


def home_page(*, shown: Viewer | None, sort: str, page) -> dict:
    taste = _taste(shown)
    hot = selectors.movie_hot_sample(k=12, exclude=taste.hidden if taste else set())
    for_you = []
    if shown is not None:
        for_you = selectors.movies_with_reasons(
            # A fresh draw among the best on each visit, like the hot sample above it.
            recommending.viewer_recommendations(viewer=shown, k=ROW_LENGTH, taste=taste,
                                                variety=random.randrange(2**32)))
    grid = selectors.movie_page(page=page, sort=sort, per_page=HOME_GRID)
    predictions_set(shown, [*hot, *grid.object_list, *(m for m, _r in for_you)], taste)
    return {"hot": hot, "for_you": for_you, "page": grid, "genres": Genre.objects.all(),
            "dataset": selectors.dataset_current()}


def listing_page(*, shown: Viewer | None, sort: str, page, genre=None, year=None) -> dict:
    listed = selectors.movie_page(page=page, genre=genre, year=year, sort=sort)
    predictions_set(shown, listed.object_list)
    return {"page": listed, "genres": Genre.objects.all()}


def search_page(*, shown: Viewer | None, query: str, genre, year, page):
    found = selectors.movie_search(query=query, genre=genre, year=year, page=page)
    predictions_set(shown, found.object_list)
    return found


def movie_page(*, movie: Movie, shown: Viewer | None, own: Viewer | None) -> dict:
    """A movie with its rows (similar, also liked, looks like), the member's own rating and marks,
    and the predicted stars of the viewer shown."""
    mine = Rating.objects.filter(viewer=own, movie=movie).first() if own is not None else None
    marked = set(MovieMark.objects.filter(viewer=own, movie=movie).values_list("kind", flat=True)) \
        if own is not None else set()
    taste = _taste(shown)
    predicted = recommending.viewer_predictions(viewer=shown, movie_ids=[movie.pk], taste=taste).get(movie.pk) \
        if shown is not None else None
    hidden = taste.hidden if taste else set()
    rows = [
        (_("Similar movies"), recommending.movie_similar(movie_id=movie.pk, k=ROW_LENGTH, exclude=hidden)),
        (_("Viewers also liked"), recommending.movie_also_liked(movie_id=movie.pk, k=ROW_LENGTH, exclude=hidden)),
        (_("Looks like"), recommending.movie_looks_like(movie_id=movie.pk, k=ROW_LENGTH)),
    ]
    rows = [(title, selectors.movies_with_reasons(recs)) for title, recs in rows if recs]
    predictions_set(shown, [m for _title, items in rows for m, _r in items], taste)
    return {"movie": movie, "mine": mine, "predicted": predicted, "summary": selectors.movie_rating_summary(movie),
            "on_watchlist": MovieMark.WATCHLIST in marked, "is_hidden": MovieMark.HIDDEN in marked, "rows": rows}


def for_you_page(*, shown: Viewer | None, own: Viewer | None) -> dict:
    """Recommendations with reasons and "next for you" for the viewer shown; popular for a visitor."""
    taste = _taste(shown)
    if shown is not None:
        recs = recommending.viewer_recommendations(viewer=shown, k=FOR_YOU_LENGTH, taste=taste)
        rated = len(taste.rated)
    else:
        recs, rated = recommending.movie_popular(k=FOR_YOU_LENGTH), 0
    items = selectors.movies_with_reasons(recs)
    next_up = selectors.movies_with_reasons(
        recommending.viewer_next_up(viewer=shown, k=NEXT_UP_LENGTH, taste=taste)) if shown is not None else []
    predictions_set(shown, [m for m, _r in (*items, *next_up)], taste)
    return {"viewer": shown, "rated": rated, "items": items, "next_up": next_up,
            "min_ratings": recommending.MIN_FOLD_IN_RATINGS,
            "controls": own is not None and own == shown}


def profile_page(*, viewer: Viewer, user, of_another: bool, page) -> dict:
    """A viewer's profile as `user` may see it (the caller checked `access.viewer_visible`)."""
    own = user.is_authenticated and viewer.user_id == user.pk
    taste = recommending.Taste(viewer)
    recs = selectors.movies_with_reasons(recommending.viewer_recommendations(viewer=viewer, k=8, taste=taste))
    predictions_set(viewer, [m for m, _r in recs], taste)
    return {
        "viewer": viewer, "own": own, "summary": selectors.viewer_summary(viewer, taste.rated),
        "genres": selectors.viewer_genre_stats(viewer), "top": selectors.viewer_top_rated(viewer=viewer),
        "history": selectors.viewer_history_page(viewer=viewer, page=page),
        "recommendations": recs, "of_another": of_another and not own,
        "hidden": Movie.objects.filter(marks__viewer=viewer, marks__kind=MovieMark.HIDDEN) if own else [],
        "tokens": tokens.tokens_of(user) if own else [],
    }
