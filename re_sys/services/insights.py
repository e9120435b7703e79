"""The dataset at a glance, for the insights page: a few aggregates over every rating.

On ML-1M these scan a million rows (about a second in all), so the result is
cached under the newest rating's id: a page view after the first costs one
index lookup and a cache read; a new rating or import starts a new entry, and
a removed or changed rating shows within the cache's lifetime.
"""
from __future__ import annotations

from django.core.cache import cache
from django.db.models import Avg, Count, F, Max

from ..models import Genre, Movie, Rating, Viewer
from ..recommend.movielens import AGE_GROUPS
from .selectors import with_bayes

__all__ = ["dataset_insights"]

CACHE_SECONDS = 600


def _bars(rows, label_key: str, value_key: str = "n") -> list[dict]:
    """Rows of a bar chart: label, value, and the bar's width in percent of the largest."""
    rows = list(rows)
    most = max((r[value_key] for r in rows), default=0) or 1
    return [{"label": r[label_key], "value": r[value_key], "width": 100 * r[value_key] / most,
             **{k: v for k, v in r.items() if k not in (label_key, value_key)}} for r in rows]


def _compute() -> dict:
    ratings = Rating.objects.order_by()
    distribution = ratings.values("stars").annotate(n=Count("id")).order_by("stars")
    per_genre = (Genre.objects.annotate(n=Count("movies__ratings"), mean=Avg("movies__ratings__stars"))
                 .filter(n__gt=0).values("name", "n", "mean").order_by("-n", "name"))
    per_decade: dict[int, int] = {}
    for year, n in ratings.filter(movie__year__isnull=False).values_list("movie__year") \
            .annotate(n=Count("id")).order_by():
        per_decade[year // 10 * 10] = per_decade.get(year // 10 * 10, 0) + n
    by_age = (ratings.filter(viewer__age_group__isnull=False).values("viewer__age_group")
              .annotate(n=Count("id"), viewers=Count("viewer", distinct=True), mean=Avg("stars"))
              .order_by("viewer__age_group"))
    by_occupation = (ratings.exclude(viewer__occupation="").values("viewer__occupation")
                     .annotate(n=Count("id"), mean=Avg("stars")).order_by("-n", "viewer__occupation"))
    by_gender = (ratings.exclude(viewer__gender="").values("viewer__gender")
                 .annotate(n=Count("id"), mean=Avg("stars")).order_by("viewer__gender"))
    most_rated = Movie.objects.filter(rating_count__gt=0).order_by("-rating_count", "id") \
        .values("id", "title", "year", "rating_count", "rating_mean")[:10]
    best_rated = with_bayes(Movie.objects.filter(rating_count__gt=0)).order_by("-bayes", "id") \
        .values("id", "title", "year", "rating_count", "rating_mean", "bayes")[:10]
    douban = (Movie.objects.filter(douban__douban_rating__isnull=False, rating_count__gt=0)
              .annotate(douban_rating=F("douban__douban_rating"))
              .order_by("-rating_count", "id")
              .values("id", "title", "year", "rating_mean", "douban_rating")[:15])
    genders = dict(Viewer.GENDERS)
    return {
        "distribution": _bars(({"label": f"{r['stars']:g}", "n": r["n"]} for r in distribution), "label"),
        "per_genre": _bars(({"label": r["name"], "n": r["n"], "mean": r["mean"]} for r in per_genre), "label"),
        "per_decade": _bars(({"label": f"{d}s", "n": n} for d, n in sorted(per_decade.items())), "label"),
        "by_age": _bars(({"label": AGE_GROUPS.get(r["viewer__age_group"], r["viewer__age_group"]),
                          "n": r["n"], "viewers": r["viewers"], "mean": r["mean"]} for r in by_age), "label"),
        "by_occupation": _bars(({"label": r["viewer__occupation"], "n": r["n"], "mean": r["mean"]}
                                for r in by_occupation), "label"),
        "by_gender": _bars(({"label": genders.get(r["viewer__gender"], r["viewer__gender"]), "n": r["n"],
                             "mean": r["mean"]} for r in by_gender), "label"),
        "most_rated": list(most_rated),
        "best_rated": list(best_rated),
        # Douban rates out of 10; halved to sit beside MovieLens' five stars.
        "douban": [{**r, "douban_stars": r["douban_rating"] / 2} for r in douban],
        "totals": {"ratings": ratings.count(), "movies": Movie.objects.count(),
                   "viewers": Viewer.objects.count(),
                   "mean": ratings.aggregate(mean=Avg("stars"))["mean"]},
    }


def dataset_insights() -> dict:
    """The aggregates, recomputed after a new rating or import (an index lookup tells)."""
    latest = Rating.objects.order_by().aggregate(latest=Max("id"))["latest"]
    key = f"re_sys:insights:{latest}"
    found = cache.get(key)
    if found is None:
        found = _compute()
        cache.set(key, found, CACHE_SECONDS)
    return found
