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
from ..search import has_chinese
from . import marks, recommending, selectors, tokens

__all__ = ["FOR_YOU_LENGTH", "NEXT_UP_LENGTH", "ROW_LENGTH", "for_you_page", "home_page", "listing_page",
           "movie_page", "own_state_set", "predictions_set", "profile_page", "search_page", "watchlist_page"]

ROW_LENGTH = 8
FOR_YOU_LENGTH = 24
NEXT_UP_LENGTH = 8
# The home page is a landing page: one screenful of the grid; genres and years browse the rest.
HOME_GRID = 24


def predictions_set(viewer: Viewer | None, movies, taste=None) -> None:
    """Set `movie.predicted` (the model's stars for this viewer, or None) on each movie card, and
    `movie.their_stars`: the viewer's own stars where they rated it (then no prediction is shown).

    `taste` is the page's `recommending.Taste` of the viewer, when it has one.
    """
    movies = list(movies)
    taste = taste or (recommending.Taste(viewer) if viewer is not None else None)
    predicted = recommending.viewer_predictions(viewer=viewer, movie_ids=[m.pk for m in movies],
                                                taste=taste) if viewer is not None else {}
    rated = taste.rated if taste is not None and predicted else {}
    for movie in movies:
        # A film the viewer rated shows their stars, not a guess beside them.
        movie.predicted = None if movie.pk in rated else predicted.get(movie.pk)
        movie.their_stars = rated.get(movie.pk)


def own_state_set(own: Viewer | None, movies, taste=None) -> None:
    """Set what the signed-in member did with each card's movie: `movie.my_stars` (or None),
    `movie.saved` and `movie.is_hidden`, so every card's stars and buttons show it.

    `own` is the member's own viewer, never a demo viewer browsed as: the
    controls write to the member's account, so they show its state. Two queries,
    one when `taste` is the member's own (its ratings are read already).
    """
    movies = list(movies)
    ids = [m.pk for m in movies]
    if taste is not None and own is not None and taste.viewer.pk == own.pk:
        stars = taste.rated
    else:
        stars = dict(Rating.objects.filter(viewer=own, movie_id__in=ids).values_list("movie_id", "stars")) \
            if own is not None and ids else {}
    marked = marks.marks_of(own, ids) if ids else {}
    for movie in movies:
        movie.my_stars = stars.get(movie.pk)
        kinds = marked.get(movie.pk, ())
        movie.saved, movie.is_hidden = MovieMark.WATCHLIST in kinds, MovieMark.HIDDEN in kinds


def _cards_set(shown: Viewer | None, own: Viewer | None, movies, taste=None) -> None:
    movies = list(movies)
    predictions_set(shown, movies, taste)
    own_state_set(own, movies, taste)


def _taste(viewer: Viewer | None):
    return recommending.Taste(viewer) if viewer is not None else None


def home_page(*, shown: Viewer | None, own: Viewer | None = None, sort: str, page) -> dict:
    """The landing page: the member's row, a hot sample, one page of the whole grid."""
    taste = _taste(shown)
    hot = selectors.movie_hot_sample(k=12, exclude=taste.hidden if taste else set())
    for_you = []
    if shown is not None:
        for_you = selectors.movies_with_reasons(
            # A fresh draw among the best on each visit, like the hot sample above it.
            recommending.viewer_recommendations(viewer=shown, k=ROW_LENGTH, taste=taste,
                                                variety=random.randrange(2**32)))
    grid = selectors.movie_page(page=page, sort=sort, per_page=HOME_GRID)
    _cards_set(shown, own, [*hot, *grid.object_list, *(m for m, _r in for_you)], taste)
    return {"hot": hot, "for_you": for_you, "page": grid, "genres": Genre.objects.all(),
            "dataset": selectors.dataset_current(), "chinese_titles": selectors.has_chinese_titles()}


def listing_page(*, shown: Viewer | None, own: Viewer | None = None, sort: str, page, genre=None, year=None) -> dict:
    listed = selectors.movie_page(page=page, genre=genre, year=year, sort=sort)
    _cards_set(shown, own, listed.object_list, _taste(shown))
    return {"page": listed, "genres": Genre.objects.all()}


def search_page(*, shown: Viewer | None, own: Viewer | None = None, query: str, genre, year, page):
    """The results, and for a query that found nothing: titles spelled like it, or (for a
    Chinese query on a catalogue without Chinese titles yet) that reason."""
    found = selectors.movie_search(query=query, genre=genre, year=year, page=page)
    _cards_set(shown, own, found.object_list, _taste(shown))
    chinese_titles = selectors.has_chinese_titles()
    chinese_query = has_chinese(query)
    suggestions = selectors.movie_suggestions(query) if query and not found.object_list \
        and not chinese_query else []
    return {"page": found, "suggestions": suggestions, "chinese_titles": chinese_titles,
            "no_chinese_titles": chinese_query and not found.object_list and not chinese_titles}


def _similar(movie_id: int, hidden: set[int]) -> list:
    try:
        return recommending.movie_similar(movie_id=movie_id, k=ROW_LENGTH, exclude=hidden)
    except recommending.UnknownId:   # newer than a run that has no movie tower to place it: no row
        return []


def movie_page(*, movie: Movie, shown: Viewer | None, own: Viewer | None) -> dict:
    """A movie with its rows (similar, also liked, looks like), the predicted stars of the viewer
    shown, and the member's own stars and marks on it and on every card (`own_state_set`)."""
    taste = _taste(shown)
    predicted = recommending.viewer_predictions(viewer=shown, movie_ids=[movie.pk], taste=taste).get(movie.pk) \
        if shown is not None else None
    hidden = taste.hidden if taste else set()
    similar = _similar(movie.pk, hidden)
    # Each row shows films the rows above it do not: two rows of the same films say nothing new.
    rows = [
        (_("Similar movies"), similar),
        (_("Viewers also liked"), recommending.movie_also_liked(
            movie_id=movie.pk, k=ROW_LENGTH, exclude={*hidden, *(r.movie_id for r in similar)})),
        (_("Looks like"), recommending.movie_looks_like(movie_id=movie.pk, k=ROW_LENGTH)),
    ]
    rows = [(title, selectors.movies_with_reasons(recs)) for title, recs in rows if recs]
    cards = [m for _title, items in rows for m, _r in items]
    predictions_set(shown, cards, taste)
    own_state_set(own, [movie, *cards], taste)
    theirs = taste.rated.get(movie.pk) if taste is not None and shown != own else None
    # Once rated, the stars given say more than the stars predicted (as on every card).
    if taste is not None and movie.pk in taste.rated:
        predicted = None
    return {"movie": movie, "mine": movie.my_stars, "predicted": predicted, "theirs": theirs,
            "summary": selectors.movie_rating_summary(movie), "rows": rows}


def for_you_page(*, shown: Viewer | None, own: Viewer | None) -> dict:
    """Recommendations with reasons and "next for you" for the viewer shown; popular for a visitor."""
    taste = _taste(shown)
    if shown is not None:
        recs = recommending.viewer_recommendations(viewer=shown, k=FOR_YOU_LENGTH, taste=taste)
        rated = len(taste.rated)
    else:
        recs, rated = recommending.movie_popular(k=FOR_YOU_LENGTH), 0
    items = selectors.movies_with_reasons(recs)
    # Films the list above already shows are not offered again in "next for you".
    next_up = selectors.movies_with_reasons(recommending.viewer_next_up(
        viewer=shown, k=NEXT_UP_LENGTH, taste=taste, exclude={r.movie_id for r in recs})) if shown is not None else []
    _cards_set(shown, own, [m for m, _r in (*items, *next_up)], taste)
    return {"viewer": shown, "rated": rated, "items": items, "next_up": next_up,
            "min_ratings": recommending.MIN_FOLD_IN_RATINGS,
            "controls": own is not None and own == shown}


def watchlist_page(*, own: Viewer) -> dict:
    """The member's saved movies, newest first, as cards with their own state."""
    movies = list(marks.watchlist(own))
    _cards_set(own, own, movies)
    return {"movies": movies}


def profile_page(*, viewer: Viewer, user, of_another: bool, page) -> dict:
    """A viewer's profile as `user` may see it (the caller checked `access.viewer_visible`)."""
    own = user.is_authenticated and viewer.user_id == user.pk
    taste = recommending.Taste(viewer)
    recs = selectors.movies_with_reasons(recommending.viewer_recommendations(viewer=viewer, k=8, taste=taste))
    predictions_set(viewer, [m for m, _r in recs], taste)
    own_state_set(selectors.viewer_of(user), [m for m, _r in recs])
    return {
        "viewer": viewer, "own": own, "summary": selectors.viewer_summary(viewer, taste.rated),
        "genres": selectors.viewer_genre_stats(viewer), "top": selectors.viewer_top_rated(viewer=viewer),
        "history": selectors.viewer_history_page(viewer=viewer, page=page),
        "recommendations": recs, "of_another": of_another and not own,
        "hidden": Movie.objects.filter(marks__viewer=viewer, marks__kind=MovieMark.HIDDEN) if own else [],
        "tokens": tokens.tokens_of(user) if own else [],
    }
