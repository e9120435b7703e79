"""Read-only queries shared by pages, the API and commands."""
from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from ..models import DatasetImport, Genre, Movie, Rating, Viewer
from ..search import search_terms

__all__ = ["MOVIES_PER_PAGE", "dataset_current", "movie_list", "movie_page", "movie_search",
           "movies_with_reasons", "viewer_of", "viewer_recent_ratings"]

MOVIES_PER_PAGE = 24


def movie_list() -> QuerySet[Movie]:
    """Movies, most rated first, with their genres fetched in one extra query."""
    return Movie.objects.order_by("-rating_count", "id").prefetch_related("genres")


def movie_page(*, page: str | int | None, genre: Genre | None = None,
               per_page: int = MOVIES_PER_PAGE) -> Page:
    """One page of `movie_list`; out-of-range or junk page numbers get the nearest valid page."""
    movies = movie_list() if genre is None else movie_list().filter(genres=genre)
    return Paginator(movies, per_page).get_page(page)


def viewer_recent_ratings(*, viewer: Viewer, limit: int = 20) -> QuerySet[Rating]:
    return viewer.ratings.select_related("movie").order_by("-timestamp", "movie_id")[:limit]


def dataset_current() -> DatasetImport | None:
    return DatasetImport.objects.first()


def movies_with_reasons(recommendations) -> list[tuple[Movie, object]]:
    """(movie, recommendation) pairs in the recommendations' order, in two queries."""
    ids = [r.movie_id for r in recommendations]
    movies = Movie.objects.prefetch_related("genres").in_bulk(ids)
    return [(movies[r.movie_id], r) for r in recommendations if r.movie_id in movies]


def movie_search(*, query: str, genre: Genre | None = None, year: int | None = None,
                 page: str | int | None = None, per_page: int = MOVIES_PER_PAGE) -> Page:
    """Movies whose English or Chinese title holds every word of the query (any case,
    any accents), optionally of one genre and year; most rated first. The ORM
    parameterises every term."""
    movies = movie_list()
    for term in search_terms(query):
        movies = movies.filter(search_text__contains=term)
    if genre is not None:
        movies = movies.filter(genres=genre)
    if year is not None:
        movies = movies.filter(year=year)
    return Paginator(movies, per_page).get_page(page)


def viewer_of(user) -> Viewer | None:
    """The signed-in account's Viewer if it has one yet (`ratings.viewer_for_user` creates it)."""
    if not user.is_authenticated:
        return None
    return Viewer.objects.filter(user=user).first()
