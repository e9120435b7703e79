"""Recommendations for pages, the API and commands: the engine plus what the database knows.

One `ModelStore` per process serves `model/current`; viewers the run does not
know yet (site sign-ups, or anyone who rated since the last training) are
folded in from their ratings in the database, so each new rating shows on the
next page load. With no usable model, popular movies are served instead.
"""
from __future__ import annotations

import os
import threading
import weakref
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Sum

from ..models import Movie, Rating, Viewer
from ..recommend.serving.channels.also_liked import also_liked_reason, co_liking_score
from ..recommend.serving.channels.demographic import segment_keys
from ..recommend.serving.engine import Engine
from ..recommend.serving.results import Recommendation, UnknownId
from ..recommend.serving.store import ModelStore
from ..recommend.serving.reasons import Reason, Term, gettext_noop
from ..recommend.data.titles import display_title
from ..recommend.stars import LOVED_STARS
from .selectors import with_bayes

__all__ = ["MIN_FOLD_IN_RATINGS", "Recommendation", "Taste", "UnknownId", "engine_current",
           "model_error", "movie_also_liked", "catalogue_fingerprint", "movie_titles", "new_movie_placements", "served_run_id", "movie_looks_like", "movie_popular", "movie_similar", "rating_predict",
           "viewer_next_up", "viewer_predictions", "viewer_recommendations"]

# Below this many ratings a folded-in vector is mostly noise; popular is better.
MIN_FOLD_IN_RATINGS = 3


@lru_cache(maxsize=4)
def _store(model_dir: str) -> ModelStore:
    return ModelStore(model_dir, titles_loader=lambda: dict(Movie.objects.values_list("id", "title")))


def engine_current() -> Engine | None:
    """The engine for RE_SYS_MODEL_DIR/current, or None when there is nothing to serve."""
    return _store(str(settings.RE_SYS_MODEL_DIR)).get()


def served_run_id() -> str | None:
    """The id of the run being served, or None while popular lists stand in."""
    engine = engine_current()
    return engine.run.run_id if engine is not None else None


def movie_titles(movie_ids) -> dict[int, str]:
    """Stored titles of these movies: from the served engine where it knows them, else the database.

    The engine holds every title it knew at load; only movies imported since cost a query.
    """
    engine = engine_current()
    known = engine.titles if engine is not None else {}
    titles = {m: known[m] for m in movie_ids if m in known}
    missing = [m for m in movie_ids if m not in titles]
    if missing:
        titles.update(Movie.objects.filter(pk__in=missing).values_list("id", "title"))
    return titles


def model_error() -> str | None:
    store = _store(str(settings.RE_SYS_MODEL_DIR))
    store.get()
    return store.error


def movie_popular(*, k: int = 10, genre: str | None = None,
                  exclude: set[int] = frozenset()) -> list[Recommendation]:
    """'Hot' movies: a Bayesian average that needs many ratings to reach the top."""
    movies = Movie.objects.filter(rating_count__gt=0)
    if genre:
        movies = movies.filter(genres__name=genre)
    scored = with_bayes(movies).exclude(pk__in=exclude).order_by("-bayes", "id") \
        .values_list("id", "bayes", "rating_count")[:k]
    return [Recommendation(m, float(score), "popular", _popular_reason(genre, count)) for m, score, count in scored]


def _popular_reason(genre: str | None, count: int) -> Reason:
    if genre:
        return Reason(gettext_noop("Popular in {genre} ({count} ratings)"), genre=Term(genre), count=f"{count:,}")
    return Reason(gettext_noop("Popular with everyone ({count} ratings)"), count=f"{count:,}")


def movie_similar(*, movie_id: int, k: int = 10, exclude: set[int] = frozenset()) -> list[Recommendation]:
    """Films like this one. A film added since the run was trained is placed by the run's movie
    tower from its title and genres in the database (UnknownId only where the run has no tower)."""
    engine = engine_current()
    if engine is None:
        return []
    if engine.knows_movie(movie_id):
        return engine.similar(movie_id, k, exclude=exclude, new_movies=new_movie_placements(engine))
    movie = Movie.objects.filter(pk=movie_id).prefetch_related("genres").first()
    vector = engine.content_vector(movie.title, [g.name for g in movie.genres.all()]) if movie else None
    if vector is None:
        raise UnknownId(f"movie {movie_id} is not in the served model")
    return engine.similar_to_content(vector, movie.title, k, exclude={movie_id, *exclude})


# engine -> (the catalogue's fingerprint, the ids of the films its run never saw)
_new_ids: "weakref.WeakKeyDictionary[Engine, tuple[tuple, list[int]]]" = weakref.WeakKeyDictionary()


# Films added since training that the lists consider, the newest (highest ids) first: a large
# import after training is for a new training to place, not for every request to rank.
MAX_NEW_FILMS = 1000


def catalogue_fingerprint() -> tuple:
    """The catalogue's count and sum of ids: one aggregate query, changed by any film added or deleted."""
    found = Movie.objects.aggregate(n=Count("pk"), total=Sum("id"))
    return found["n"], found["total"]


def _new_movie_ids(engine: Engine) -> list[int]:
    """Ids of the films in the database that the served run never saw (added since it was trained),
    at most MAX_NEW_FILMS of them, the newest first.

    One aggregate query per call: the list is read again only when the
    catalogue's fingerprint has changed, that is when a film was added or
    deleted.
    """
    fingerprint = catalogue_fingerprint()
    kept = _new_ids.get(engine)
    if kept is not None and kept[0] == fingerprint:
        return kept[1]
    ids = [m for m in Movie.objects.order_by("-id").values_list("id", flat=True).iterator(chunk_size=5000)
           if not engine.knows_movie(m)][:MAX_NEW_FILMS]
    _new_ids[engine] = (fingerprint, ids)
    return ids


def new_movie_placements(engine: Engine) -> dict:
    """Where the movie tower places the films added since training (`Engine.content_placement`), from
    their title and genres as stored now (an edit in the admin shows on the next request); {} for a
    run without a tower, or when nothing is new."""
    if engine.movie_tower is None:
        return {}
    ids = _new_movie_ids(engine)
    return _placements(engine, Movie.objects.filter(pk__in=ids)) if ids else {}


def _placements(engine: Engine, movies) -> dict:
    placed = {}
    for movie in movies.prefetch_related("genres"):
        placement = engine.content_placement(movie.title, [g.name for g in movie.genres.all()], movie.year)
        if placement is not None:
            placed[movie.pk] = placement
    return placed


def viewer_ratings(viewer_id: int) -> list[tuple[int, float, int]]:
    """(movie id, stars, timestamp) of one viewer, oldest first.

    Every recommendation request asks this, so it is written as SQL: the
    ORM spent more time compiling the query (0.6 ms) than the database
    spent answering it (bench/bench_load.py, API only).
    """
    qn = connection.ops.quote_name
    movie, stars, when, viewer = (qn(Rating._meta.get_field(name).column)
                                  for name in ("movie", "stars", "timestamp", "viewer"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {movie}, {stars}, {when} FROM {qn(Rating._meta.db_table)} "
                       f"WHERE {viewer} = %s ORDER BY {when}, {movie}", [viewer_id])
        return [(int(movie), float(stars), int(when)) for movie, stars, when in cursor.fetchall()]


class Taste:
    """What one request needs to know of a viewer, each part read from the database once.

    A page that shows a viewer's recommendations and the predicted stars on
    its cards asks for the same ratings, hidden movies and folded-in vector
    several times; passing one Taste to each call reads them once.
    """

    def __init__(self, viewer: Viewer):
        self.viewer = viewer
        self._vectors = {}

    @cached_property
    def _ratings(self) -> list[tuple[int, float, int]]:
        return viewer_ratings(self.viewer.pk)

    @cached_property
    def rated(self) -> dict[int, float]:
        """movie id -> stars, in the order they were rated (oldest first)."""
        return {movie: stars for movie, stars, _when in self._ratings}

    def rated_since(self, moment: float | None) -> bool:
        """Whether the viewer rated anything after `moment` (seconds since 1970)."""
        return moment is not None and bool(self._ratings) and self._ratings[-1][2] > int(moment)

    @property
    def segments(self) -> list[str]:
        """The demographic segments the viewer's own details put them in."""
        return segment_keys(self.viewer.gender or None, self.viewer.age_group, self.viewer.occupation or None)

    @cached_property
    def hidden(self) -> set[int]:
        from .marks import hidden_ids

        return hidden_ids(self.viewer)

    def vector(self, engine: Engine):
        """The trained vector, or one folded in when the viewer is new or rated since training."""
        key = id(engine)
        if key not in self._vectors:
            self._vectors[key] = self._vector(engine)
        return self._vectors[key]

    def _vector(self, engine: Engine):
        viewer_id = self.viewer.pk
        if engine.knows_user(viewer_id) and not self.rated_since(engine.run.trained_at):
            return engine.user_vector(viewer_id)
        if len(self.rated) >= MIN_FOLD_IN_RATINGS:
            # Shrunk towards where the user tower puts them (their details and films): on ML-100K a
            # viewer folded in from five ratings is predicted far better so (bench/bench_foldin.py).
            # One the run knows (who rated since training) is shrunk towards their own trained vector.
            viewer = self.viewer
            if engine.knows_user(viewer.pk):
                prior = engine.user_vector(viewer.pk)[0]
            else:
                prior = engine.tower_vector(self.rated, gender=viewer.gender or None, age_group=viewer.age_group,
                                            occupation=viewer.occupation or None)
            return engine.fold_in(self.rated, prior=prior)
        return engine.user_vector(viewer_id) if engine.knows_user(viewer_id) else None


def viewer_recommendations(*, viewer: Viewer, k: int = 10, order: str | None = None,
                           taste: Taste | None = None, variety: int | None = None) -> list[Recommendation]:
    """Top-k for one viewer, never a movie they rated or hid.

    `order` is the recommender that ranks (default: the viewer's own
    choice); `variety` a seed for a fresh draw among the best (see
    `Engine.for_user`). A viewer the model cannot place yet gets what is
    popular with people like them, or with everyone.
    """
    taste = taste or Taste(viewer)
    rated, hidden = taste.rated, taste.hidden
    order = order or viewer.recommender
    engine = engine_current()
    if engine is None:
        return movie_popular(k=k, exclude=set(rated) | hidden)
    vector = taste.vector(engine)
    if order == Viewer.POPULAR:
        return _popular_above_floor(engine, vector, k, exclude=set(rated) | hidden)
    if vector is None and (engine.run.item_weights is None or not rated):
        return engine.demographic(taste.segments, k, exclude=set(rated) | hidden) or \
            movie_popular(k=k, exclude=set(rated) | hidden)
    return engine.for_user(rated, vector=vector, k=k, exclude=hidden, order=order,
                           segments=taste.segments, variety=variety,
                           new_movies=new_movie_placements(engine) if vector is not None else None)


# How far down the popular list `_popular_above_floor` looks for films above the viewer's floor:
# every film of ML-100K, more than half of ML-1M's.
POPULAR_FLOOR_POOL = 2_000


def _popular_above_floor(engine: Engine, vector, k: int, exclude: set[int]) -> list[Recommendation]:
    """The popular list, with what the run predicts below its floor for this viewer moved after the rest:
    the same rule as every other choice (`serving/ranking.RankingPolicy.floor`)."""
    policy = engine.policy
    if vector is None or policy.floor is None:
        return movie_popular(k=k, exclude=exclude)
    # Most viewers find k above the floor among the 3k most popular; one whose taste runs against the
    # crowd's may not, and "only where nothing better is left" means looking further before giving up.
    for pool in (3 * k, POPULAR_FLOOR_POOL):
        candidates = movie_popular(k=max(pool, k), exclude=exclude)
        stars = engine.predict_many(*vector, [r.movie_id for r in candidates])
        below = np.array([stars.get(r.movie_id, policy.floor) < policy.floor for r in candidates], dtype=bool)
        if (~below).sum() >= k or len(candidates) < max(pool, k):    # enough, or the whole catalogue
            break
    # The popular order as scores, and the engine's own rule for what falls below its floor.
    chosen = policy.chosen(-np.arange(len(candidates), dtype=np.float64), below, k)
    return [candidates[i] for i in chosen]


def viewer_next_up(*, viewer: Viewer, k: int = 10, taste: Taste | None = None,
                   exclude: set[int] = frozenset()) -> list[Recommendation]:
    """'Next for you': what people watch after the films this viewer liked last; [] when nothing to go on.

    `exclude`: films the page lists already (the for-you list above it), besides the hidden ones.
    """
    engine = engine_current()
    if engine is None:
        return []
    taste = taste or Taste(viewer)
    return engine.next_up(taste.rated, k, exclude={*taste.hidden, *exclude}, vector=taste.vector(engine))


def viewer_predictions(*, viewer: Viewer | None, movie_ids,
                       taste: Taste | None = None) -> dict[int, float]:
    """The model's stars for a viewer on many movies at once (for movie cards); {} when it cannot say."""
    engine = engine_current()
    if viewer is None or engine is None:
        return {}
    vector = (taste or Taste(viewer)).vector(engine)
    if vector is None:
        return {}
    movie_ids = list(movie_ids)
    predicted = engine.predict_many(*vector, movie_ids)
    new = [m for m in movie_ids if not engine.knows_movie(m)]
    if new and engine.movie_tower is not None:    # films added since training, placed by their content
        predicted.update(engine.predict_content(*vector, _placements(engine, Movie.objects.filter(pk__in=new))))
    return predicted


def rating_predict(*, viewer: Viewer, movie_id: int) -> float | None:
    """The model's rating for a viewer and movie (the same figure as on its card), or None."""
    return viewer_predictions(viewer=viewer, movie_ids=[movie_id]).get(movie_id)


# The SQL fallback re-scores only the most co-loved movies: enough for any page's list, and one
# IN (...) of bounded size whatever the catalogue.
FALLBACK_CANDIDATES = 500


def movie_also_liked(*, movie_id: int, k: int = 10, exclude: set[int] = frozenset(),
                     liked: float = LOVED_STARS) -> list[Recommendation]:
    """Viewers who loved the movie -> what else they loved, more than everyone does.

    Served from the run's precomputed lists (a row lookup); without a model,
    or for a movie the run does not know, the same score
    (`channels.also_liked.co_liking_score`) is computed from the live
    ratings: the fans' summed weight (how far above the 'loved' line their
    stars are) over each other movie's own number of fans, damped.
    """
    from django.db.models import Count, Sum

    engine = engine_current()
    # A list is public: a pair only a few fans share would show those few people's likes.
    min_fans = settings.RE_SYS_ALSO_LIKED_MIN_FANS
    if engine is not None and engine.has_also_liked and engine.knows_movie(movie_id):
        return engine.also_liked(movie_id, k=k, exclude=exclude, min_fans=min_fans)
    fans = Rating.objects.filter(movie_id=movie_id, stars__gte=liked).values("viewer_id")
    rows = list(Rating.objects.filter(viewer_id__in=fans, stars__gte=liked)
                .exclude(movie_id=movie_id).exclude(movie_id__in=exclude)
                .values("movie_id").annotate(fans=Count("id"), weight=Sum(F("stars") - liked + 1.0))
                .filter(fans__gte=min_fans).order_by("-weight", "movie_id")[:FALLBACK_CANDIDATES])
    fans_of = dict(Rating.objects.filter(movie_id__in=[r["movie_id"] for r in rows], stars__gte=liked)
                   .values("movie_id").annotate(n=Count("id")).values_list("movie_id", "n"))
    scores = co_liking_score([r["weight"] for r in rows], [fans_of.get(r["movie_id"], 0) for r in rows])
    stored = Movie.objects.filter(pk=movie_id).values_list("title", flat=True).first()
    title = display_title(stored) if stored else Term(gettext_noop("this movie"))
    scored = sorted(((float(score), r["movie_id"], r["fans"]) for score, r in zip(scores, rows)),
                    key=lambda t: (-t[0], t[1]))[:k]
    return [Recommendation(m, score, "also-liked", also_liked_reason(fans, title)) for score, m, fans in scored]


class _PosterIndexCache:
    """The 'looks like' index, reloaded when `poster_features` rewrites its file."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key, self._index = None, None

    def get(self, model_dir: Path):
        from ..recommend.serving.channels.posters import POSTER_FEATURES_FILE, PosterIndex

        path = model_dir / POSTER_FEATURES_FILE
        try:
            key = (str(path), os.stat(path).st_mtime_ns)
        except OSError:
            return None
        with self._lock:
            if key != self._key:
                titles = dict(Movie.objects.values_list("id", "title"))
                self._key, self._index = key, PosterIndex.load(model_dir, titles)
            return self._index


_poster_indexes = _PosterIndexCache()


def movie_looks_like(*, movie_id: int, k: int = 10) -> list[Recommendation]:
    """Movies whose posters look like this one's; [] until `poster_features` has run."""
    index = _poster_indexes.get(Path(settings.RE_SYS_MODEL_DIR))
    return index.similar(movie_id, k) if index is not None else []
