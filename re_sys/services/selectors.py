"""Read-only queries shared by pages, the API and commands."""
from __future__ import annotations

import random
import re

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from ..models import DatasetImport, Genre, HALF_STARS, Movie, Rating, Viewer
from ..recommend.data.titles import display_title
from ..search import closest_titles, search_terms

__all__ = ["MOVIES_PER_PAGE", "SORTS", "dataset_current", "dataset_occupations", "dataset_viewer", "genre_exists", "genre_named", "movie_hot_sample", "movie_list", "movie_of",
           "has_chinese_titles", "movie_page", "movie_rating_summary", "movie_search", "movie_suggestions", "movies_with_reasons", "onboarding_groups",
           "viewer_genre_stats", "viewer_history_page", "viewer_of", "viewer_ratings_list",
           "viewer_get", "viewer_summary", "viewer_top_rated", "year_has_movies"]

MOVIES_PER_PAGE = 24
# A movie needs about this many ratings before its own mean counts fully
# (a Bayesian average), so one 5-star rating never tops "best rated".
PRIOR_COUNT, PRIOR_MEAN = 25.0, 3.5

# name -> (label, ordering). Ties fall back to the id so pages never overlap.
SORTS = {
    "popular": (_("Most rated"), ("-rating_count", "id")),
    "rating": (_("Best rated"), ("-bayes", "id")),
    "newest": (_("Newest"), (F("year").desc(nulls_last=True), "id")),
    "oldest": (_("Oldest"), (F("year").asc(nulls_last=True), "id")),
    "title": (_("Title"), ("title", "id")),
}


def with_bayes(movies: QuerySet[Movie]) -> QuerySet[Movie]:
    count = Cast(F("rating_count"), FloatField())
    return movies.annotate(bayes=(count * F("rating_mean") + Value(PRIOR_COUNT * PRIOR_MEAN))
                           / (count + Value(PRIOR_COUNT)))


def movie_list(sort: str = "popular") -> QuerySet[Movie]:
    """Movies in one of `SORTS` (most rated by default), genres fetched in one extra query."""
    movies = Movie.objects.prefetch_related("genres")
    if sort == "rating":
        movies = with_bayes(movies.filter(rating_count__gt=0))
    return movies.order_by(*SORTS.get(sort, SORTS["popular"])[1])


def movie_page(*, page: str | int | None, genre: Genre | None = None, year: int | None = None,
               sort: str = "popular", per_page: int = MOVIES_PER_PAGE) -> Page:
    """One page of `movie_list`; out-of-range or junk page numbers get the nearest valid page."""
    movies = movie_list(sort)
    if genre is not None:
        movies = movies.filter(genres=genre)
    if year is not None:
        movies = movies.filter(year=year)
    return Paginator(movies, per_page).get_page(page)


def movie_hot_sample(*, k: int = 12, pool: int = 60, seed: int | None = None,
                     exclude: set[int] = frozenset()) -> list[Movie]:
    """A fresh sample of k 'hot' movies (many ratings, high Bayesian average) on each call.

    Sampled from the top `pool` so that repeat visits see different films that
    are all worth seeing; shown in the pool's order. `seed` makes it repeatable.
    """
    ids = list(with_bayes(Movie.objects.filter(rating_count__gt=0).exclude(pk__in=exclude))
               .order_by("-bayes", "id").values_list("id", flat=True)[:pool])
    chosen = set(random.Random(seed).sample(ids, min(k, len(ids))))
    movies = Movie.objects.prefetch_related("genres").in_bulk(chosen)
    return [movies[i] for i in ids if i in chosen]


def movie_rating_summary(movie: Movie) -> dict:
    """How a movie was rated: count, mean, highest, lowest and the count at each half star."""
    counts = dict(Rating.objects.filter(movie=movie).values_list("stars").annotate(n=Count("id")))
    total = sum(counts.values())
    steps = [s for s in HALF_STARS if s in counts or s == int(s)]  # whole stars always, halves when used
    most = max(counts.values(), default=0)
    return {
        "count": total,
        "mean": sum(s * n for s, n in counts.items()) / total if total else None,
        "highest": max(counts, default=None), "lowest": min(counts, default=None),
        "bars": [{"stars": s, "count": counts.get(s, 0),
                  "percent": 100 * counts.get(s, 0) / total if total else 0,
                  "width": 100 * counts.get(s, 0) / most if most else 0} for s in steps],
    }


def viewer_ratings_list(viewer: Viewer) -> list[dict]:
    """Every rating of one viewer, newest first, as the API gives them."""
    return [{"movie_id": movie, "stars": stars, "timestamp": when} for movie, stars, when in
            viewer.ratings.order_by("-timestamp", "movie_id").values_list("movie_id", "stars", "timestamp")]


def viewer_history_page(*, viewer: Viewer, page: str | int | None, per_page: int = 20) -> Page:
    ratings = viewer.ratings.select_related("movie").order_by("-timestamp", "movie_id")
    return Paginator(ratings, per_page).get_page(page)


def viewer_top_rated(*, viewer: Viewer, limit: int = 5) -> QuerySet[Rating]:
    return viewer.ratings.select_related("movie").order_by("-stars", "-timestamp", "movie_id")[:limit]


def viewer_summary(viewer: Viewer, rated: dict[int, float] | None = None) -> dict:
    """How many ratings the viewer gave and their mean; from `rated` (movie -> stars) when the page has it."""
    if rated is None:
        return viewer.ratings.aggregate(count=Count("id"), mean=Avg("stars"))
    return {"count": len(rated), "mean": sum(rated.values()) / len(rated) if rated else None}


def viewer_genre_stats(viewer: Viewer, limit: int = 8) -> list[dict]:
    """The viewer's favourite genres: how many of their ratings fall in each, and how high.

    Counted in Python from one row per (rating, genre): SQLite plans the
    equivalent GROUP BY over four joined tables far more slowly.
    """
    totals: dict[str, list[float]] = {}
    for stars, name in Rating.objects.filter(viewer=viewer, movie__genres__isnull=False) \
            .values_list("stars", "movie__genres__name"):
        entry = totals.setdefault(name, [0, 0, 0.0])
        entry[0] += 1
        entry[1] += stars >= 4
        entry[2] += stars
    best = sorted(totals.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:limit]
    # The bars show what the genres are ordered by, the 4★-or-more count, so they shorten down the list.
    most = max((liked for _name, (_n, liked, _s) in best), default=0)
    return [{"name": name, "count": n, "liked": liked, "mean": total / n,
             "width": 100 * liked / most if most else 0} for name, (n, liked, total) in best]


def movie_of(movie_id: int) -> Movie | None:
    """The movie with this id, or None (also for ids no database column can hold)."""
    return Movie.objects.filter(pk=movie_id).first() if 0 < movie_id < 2 ** 31 else None


def viewer_get(viewer_id: int) -> Viewer | None:
    """The viewer with this id, whoever they are: for local commands, which every door's rule does not bind."""
    return Viewer.objects.filter(pk=viewer_id).first() if 0 < viewer_id < 2 ** 31 else None


def dataset_viewer(viewer_id: int) -> Viewer | None:
    """A viewer of the imported dataset (never a site account): whom demo mode may browse as."""
    return Viewer.objects.filter(pk=viewer_id, user__isnull=True).first() if 0 < viewer_id < 2 ** 31 else None


def year_has_movies(year: int) -> bool:
    return 0 <= year < 2 ** 15 and Movie.objects.filter(year=year).exists()


def genre_exists(name: str) -> bool:
    return Genre.objects.filter(name=name).exists()


def genre_named(name: str) -> Genre | None:
    """The genre of that name, matched without regard to case (`sci-fi` is Sci-Fi); None if none."""
    return Genre.objects.filter(name=name).first() or Genre.objects.filter(name__iexact=name).first()


def dataset_occupations() -> list[str]:
    """The occupations the dataset's own viewers (not the site's members) give, sorted."""
    return sorted(set(Viewer.objects.filter(user__isnull=True).exclude(occupation="")
                      .values_list("occupation", flat=True).distinct()))


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
        if year is None and _YEAR.fullmatch(term) and 1870 <= int(term) <= 2100:
            # "godfather 1972": a year in the query matches the title or the release year.
            movies = movies.filter(Q(search_text__contains=term) | Q(year=int(term)))
        else:
            movies = movies.filter(search_text__contains=term)
    if genre is not None:
        movies = movies.filter(genres=genre)
    if year is not None:
        movies = movies.filter(year=year)
    return Paginator(movies, per_page).get_page(page)


# Titles compared for "did you mean": the most rated that share the query's first letters.
SUGGESTION_POOL = 1000
# ASCII digits only: str.isdigit() also takes '²' and Ethiopic digits, which int() refuses.
_YEAR = re.compile(r"[0-9]{4}")


def movie_suggestions(query: str, k: int = 5) -> list[Movie]:
    """Movies whose titles are spelled closest to a query that found nothing, most alike first."""
    terms = search_terms(query)
    if not terms:
        return []
    prefix = max(terms, key=len)[:2]
    pool = dict(Movie.objects.filter(search_text__contains=prefix).order_by("-rating_count", "id")
                .values_list("id", "title")[:SUGGESTION_POOL])
    ids = closest_titles(query, {pk: display_title(title) for pk, title in pool.items()}, n=k)
    found = Movie.objects.in_bulk(ids)
    return [found[pk] for pk in ids]


def has_chinese_titles() -> bool:
    return Movie.objects.exclude(title_zh="").exists()


def viewer_of(user) -> Viewer | None:
    """The signed-in account's Viewer if it has one yet (`ratings.viewer_for_user` creates it)."""
    if not user.is_authenticated:
        return None
    return Viewer.objects.filter(user=user).first()


# Groups a new viewer can like in one click, by genre; the first few found in
# the dataset are offered, each with its most-rated movies.
ONBOARDING_GENRES = ["Comedy", "Action", "Drama", "Sci-Fi", "Animation", "Romance", "Thriller",
                     "Horror", "Children's", "Children"]


def onboarding_groups(*, groups: int = 5, per_group: int = 6, more: str | None = None,
                      keep=()) -> list[tuple[str, list[Movie]]]:
    """A few groups of well-known movies to rate, none in two groups.

    `more` (a genre's name) asks for twice as many of that genre, shown
    first: the visitor said "I like these", so they get more to rate.
    `keep`: movies that must stay on the page (the ones already given stars),
    each added to the first of its genres shown, or to the first group.
    """
    taken: set[int] = set()
    found = []
    names = set(Genre.objects.filter(name__in=ONBOARDING_GENRES).values_list("name", flat=True))
    order = sorted((n for n in ONBOARDING_GENRES if n in names), key=lambda n: n != more)
    for name in order:
        size = per_group * 2 if name == more else per_group
        ids = list(Movie.objects.filter(genres__name=name, rating_count__gt=0).exclude(pk__in=taken)
                   .order_by("-rating_count", "id").values_list("id", flat=True)[:size])
        if len(ids) < 2:
            continue
        taken.update(ids)
        found.append((name, ids))
        if len(found) == groups:
            break
    missing = [m for m in keep if m not in taken]
    if missing and found:
        names = [name for name, _ids in found]
        genres_of: dict[int, list] = {}
        for movie_id, genre in Movie.objects.filter(pk__in=missing).values_list("id", "genres__name"):
            genres_of.setdefault(movie_id, []).append(genre)
        for movie_id, genres in genres_of.items():   # ids of no movie are not in it: dropped
            target = next((names.index(g) for g in genres if g in names), 0)
            taken.add(movie_id)
            found[target][1].append(movie_id)
    movies = Movie.objects.prefetch_related("genres").in_bulk(taken)
    return [(name, [movies[i] for i in ids]) for name, ids in found]
