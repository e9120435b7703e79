"""The dataset at a glance, for the insights page: a few aggregates over every rating.

One pass over the ratings and a few over the movies: 15 s for 25 million
ratings in SQLite (docs/benchmarks.md). The result is cached with the
newest rating's id: a page view after the first costs one index lookup and a
cache read. A new rating or import recomputes it when that took under
SLOW_SECONDS; larger datasets show it up to CACHE_SECONDS old instead. A
removed or changed rating shows within the cache's lifetime.
"""
from __future__ import annotations

import time

from django.core.cache import cache
from django.db.models import Count, ExpressionWrapper, F, FloatField, Max, Q, Sum

from ..models import HALF_STARS, Genre, Movie, Rating, Viewer
from ..recommend.data.movielens import AGE_GROUPS
from .selectors import with_bayes

__all__ = ["dataset_insights"]

CACHE_KEY, CACHE_SECONDS = "re_sys:insights", 600
# A site with millions of ratings gets new ones every second and would re-scan
# them all for each page view; past this cost, a result stands its whole lifetime.
SLOW_SECONDS = 1.0


def _bars(rows, label_key: str, value_key: str = "n") -> list[dict]:
    """Rows of a bar chart: label, value, and the bar's width in percent of the largest."""
    rows = list(rows)
    most = max((r[value_key] for r in rows), default=0) or 1
    return [{"label": r[label_key], "value": r[value_key], "width": 100 * r[value_key] / most,
             **{k: v for k, v in r.items() if k not in (label_key, value_key)}} for r in rows]


def _viewer_pass() -> tuple[list[int], dict[str, dict], int, float]:
    """One pass over the ratings: the star histogram, and count, sum and viewers per age, occupation, gender.

    ML-25M on SQLite took 108 s with a join per chart, 30 s with a separate
    GROUP BY stars: each viewer's count, sum and count per star value are read
    along the viewer index, and the charts are added up from those in Python.
    """
    per_star = {f"s{i}": Count("id", filter=Q(stars=value)) for i, value in enumerate(HALF_STARS)}
    per_viewer = Rating.objects.order_by().values_list("viewer_id").annotate(n=Count("id"), total=Sum("stars"),
                                                                             **per_star)
    histogram = [0] * len(HALF_STARS)
    groups: dict[str, dict] = {"age": {}, "occupation": {}, "gender": {}}
    details = {pk: (age, occupation, gender) for pk, age, occupation, gender in
               Viewer.objects.values_list("id", "age_group", "occupation", "gender")}
    count = total = 0
    for viewer_id, n, stars, *by_star in per_viewer:
        count, total = count + n, total + stars
        histogram = [a + b for a, b in zip(histogram, by_star)]
        age, occupation, gender = details.get(viewer_id, (None, "", ""))
        for kind, key in (("age", age), ("occupation", occupation), ("gender", gender)):
            if key is None or key == "":
                continue
            entry = groups[kind].setdefault(key, [0, 0.0, 0])
            entry[0], entry[1], entry[2] = entry[0] + n, entry[1] + stars, entry[2] + 1
    return histogram, groups, count, total


def _movie_charts() -> dict:
    """Genre and decade charts and the movie lists, from the movies' own counts and means
    (which the importer and every rating write keep in step)."""
    weighted = ExpressionWrapper(F("movies__rating_count") * F("movies__rating_mean"), output_field=FloatField())
    per_genre = (Genre.objects.annotate(n=Sum("movies__rating_count"), total=Sum(weighted))
                 .filter(n__gt=0).values("name", "n", "total").order_by("-n", "name"))
    per_decade: dict[int, int] = {}
    for year, n in Movie.objects.filter(year__isnull=False, rating_count__gt=0).values_list("year") \
            .annotate(n=Sum("rating_count")).order_by():
        per_decade[year // 10 * 10] = per_decade.get(year // 10 * 10, 0) + n
    rated = Movie.objects.filter(rating_count__gt=0)
    douban = (rated.filter(douban__douban_rating__isnull=False)
              .annotate(douban_rating=F("douban__douban_rating"))
              .order_by("-rating_count", "id")
              .values("id", "title", "year", "rating_mean", "douban_rating")[:15])
    return {
        "per_genre": _bars(({"label": r["name"], "n": r["n"], "mean": r["total"] / r["n"]} for r in per_genre),
                           "label"),
        "per_decade": _bars(({"label": f"{d}s", "n": n} for d, n in sorted(per_decade.items())), "label"),
        "most_rated": list(rated.order_by("-rating_count", "id")
                           .values("id", "title", "year", "rating_count", "rating_mean")[:10]),
        "best_rated": list(with_bayes(rated).order_by("-bayes", "id")
                           .values("id", "title", "year", "rating_count", "rating_mean", "bayes")[:10]),
        # Douban rates out of 10; halved to sit beside MovieLens' five stars.
        "douban": [{**r, "douban_stars": r["douban_rating"] / 2} for r in douban],
    }


def _compute() -> dict:
    histogram, groups, count, total = _viewer_pass()

    def chart(kind: str, label, order, viewers: bool = False) -> list[dict]:
        rows = [{"label": label(key), "n": n, "mean": s / n, **({"viewers": v} if viewers else {})}
                for key, (n, s, v) in sorted(groups[kind].items(), key=order)]
        return _bars(rows, "label")

    genders = dict(Viewer.GENDERS)
    return {
        "distribution": _bars(({"label": f"{value:g}", "n": n} for value, n in zip(HALF_STARS, histogram) if n),
                              "label"),
        "by_age": chart("age", lambda age: AGE_GROUPS.get(age, age), lambda item: item[0], viewers=True),
        "by_occupation": chart("occupation", str, lambda item: (-item[1][0], item[0])),
        "by_gender": chart("gender", lambda g: genders.get(g, g), lambda item: item[0]),
        **_movie_charts(),
        "totals": {"ratings": count, "movies": Movie.objects.count(),
                   "viewers": Viewer.objects.count(),
                   # The home page gives the dataset as imported; members who joined since are the difference.
                   "members": Viewer.objects.filter(user__isnull=False).count(),
                   "mean": total / count if count else None},
    }


def dataset_insights() -> dict:
    """The aggregates: recomputed after a new rating or import (an index lookup tells) when that
    is quick; when it took over SLOW_SECONDS they stand for CACHE_SECONDS whatever is rated."""
    latest = Rating.objects.order_by().aggregate(latest=Max("id"))["latest"]
    kept = cache.get(CACHE_KEY)
    if kept is not None and (kept["latest"] == latest or kept["seconds"] > SLOW_SECONDS):
        return kept["data"]
    started = time.perf_counter()
    data = _compute()
    cache.set(CACHE_KEY, {"latest": latest, "seconds": time.perf_counter() - started, "data": data},
              CACHE_SECONDS)
    return data
