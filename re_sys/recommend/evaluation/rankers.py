"""The rankers `evaluate` compares, each fitted on training ratings into `recommend(user_id, k)`.

Every one ranks all movies a viewer did not train on (never a sampled set)
and answers `[(movie_id, score)]`, best first. "for-you" is the serving
engine itself (`Engine.for_user` over a run built from the training
ratings), so its figures are what the site shows, not a re-implementation.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from ..algorithms import EASE, Interactions, Popularity
from ..algorithms.base import top_k
from .registry import Method, RankerInputs, Registry

__all__ = ["RANKERS", "RankerInputs", "Recommend", "served_engine", "served_stars"]

Recommend = Callable[[int, int], list]


def _history(train: Interactions) -> dict[int, np.ndarray]:
    """Each viewer's training movies, oldest first (ties by movie id)."""
    order = np.lexsort((train.movie_ids, train.timestamps, train.user_ids))
    users, movies = train.user_ids[order], train.movie_ids[order]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    return {int(users[s]): movies[s:e] for s, e in zip(starts, np.r_[starts[1:], len(users)])}


def random_ranker(inputs: RankerInputs) -> Recommend:
    """The floor every method must clear: a seeded shuffle of the unseen movies."""
    movie_ids = np.unique(inputs.train.movie_ids)
    seen = _history(inputs.train)

    def recommend(user, k):
        if user not in seen:
            raise KeyError(user)
        rng = np.random.default_rng([inputs.seed, int(user)])
        scores = rng.random(len(movie_ids))
        scores[np.searchsorted(movie_ids, seen[user])] = -np.inf
        return [(int(movie_ids[i]), float(scores[i])) for i in top_k(scores, k)]
    return recommend


def popularity_ranker(inputs: RankerInputs) -> Recommend:
    return Popularity().fit(inputs.train).recommend


def ease_ranker(inputs: RankerInputs) -> Recommend:
    return EASE().fit(inputs.train).recommend


def ease_sittings_ranker(inputs: RankerInputs) -> Recommend:
    """The site's item-to-item channel alone: EASE over ratings, sittings, genres and co-liking."""
    from ..data.dataset import movie_genre_lists
    from ..serving.channels.fitting import GENRE_WEIGHT, ITEM_REGULARISATION, LIKING_WEIGHT, SITTING_WEIGHT

    genres = dict(zip(inputs.movies["movie_id"].astype(int), movie_genre_lists(inputs.movies)))
    model = EASE(ITEM_REGULARISATION, SITTING_WEIGHT, genre_weight=GENRE_WEIGHT, liking_weight=LIKING_WEIGHT)
    return model.fit(inputs.train, genres=genres).recommend


def als_ranker(inputs: RankerInputs) -> Recommend:
    """implicit's ALS (Hu, Koren, Volinsky 2008) on the binary "rated it" matrix."""
    import scipy.sparse as sp
    from implicit.als import AlternatingLeastSquares

    train = inputs.train
    users, movies = np.unique(train.user_ids), np.unique(train.movie_ids)
    rows, cols = np.searchsorted(users, train.user_ids), np.searchsorted(movies, train.movie_ids)
    matrix = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(users), len(movies)))
    from threadpoolctl import threadpool_limits

    # implicit runs its own threads; BLAS threads inside them only contend (its own advice).
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(factors=64, regularization=0.05, iterations=15,
                                        random_state=inputs.seed)
        model.fit(matrix * 20.0, show_progress=False)  # confidence 1 + α·r with α = 20

    def recommend(user, k):
        row = int(np.searchsorted(users, user))
        if row >= len(users) or users[row] != user:
            raise KeyError(user)
        ids, scores = model.recommend(row, matrix[row], N=k, filter_already_liked_items=True)
        return [(int(movies[i]), float(s)) for i, s in zip(ids, scores)]
    return recommend


def _engine(inputs: RankerInputs, *, with_text_cnn: bool, dense_limit: int | None = None):
    """An Engine over a run built from the training ratings, as `manage.py train` would write it.

    Built once per inputs and kind: the for-you ranker and the judge of
    contradiction@k (`served_stars`) share the one with the text-CNN.
    """
    key = ("engine", with_text_cnn, dense_limit)
    if key not in inputs.cache:
        inputs.cache[key] = _built_engine(inputs, with_text_cnn=with_text_cnn, dense_limit=dense_limit)
    return inputs.cache[key]


def served_engine(inputs: RankerInputs):
    """The engine the site would serve from these training ratings (text-CNN included), built once."""
    return _engine(inputs, with_text_cnn=True)[0]


def served_stars(inputs: RankerInputs):
    """The stars the site would print under each movie: the served run's rating model, as predict(users, movies).

    A pair whose viewer or movie the run does not know gets the training mean.
    """
    engine = served_engine(inputs)
    mean = float(inputs.train.stars.mean())

    def predict(user_ids, movie_ids):
        out = np.full(len(user_ids), mean)
        user_ids, movie_ids = np.asarray(user_ids), np.asarray(movie_ids)
        for user in np.unique(user_ids):
            if not engine.knows_user(int(user)):
                continue
            at = np.flatnonzero(user_ids == user)
            stars = engine.predict_many(*engine.user_vector(int(user)), movie_ids[at].tolist())
            out[at] = [stars.get(int(m), mean) for m in movie_ids[at]]
        return out
    return predict


def _built_engine(inputs: RankerInputs, *, with_text_cnn: bool, dense_limit: int | None):
    """A run written by the one writer of runs (`serving.publish.run_publish`), as `train` writes it,
    into a scratch folder, loaded (its arrays in memory) and served."""
    import tempfile
    from pathlib import Path

    from ..algorithms.factors import Factors
    from ..data.dataset import DataSet
    from ..serving.channels.fitting import DENSE_ITEM_LIMIT
    from ..serving.engine import Engine
    from ..serving.publish import run_publish
    from ..serving.runs import Run

    train = inputs.train
    dataset = DataSet.from_frames(train.to_frame(), inputs.movies, inputs.users)
    if with_text_cnn:
        from ..textcnn import training
        from ..textcnn.config import TrainConfig

        factors = training.factors_of(training.fit(dataset, train_config=TrainConfig(seed=inputs.seed)), dataset)
    else:   # the collaborative channels only: a run whose rating model knows nothing
        factors = Factors(np.zeros((dataset.n_users, 1), np.float32), np.zeros((dataset.n_movies, 1), np.float32),
                          np.zeros(dataset.n_users, np.float32), np.zeros(dataset.n_movies, np.float32),
                          float(train.stars.mean()))
    options = {"seed": inputs.seed, "dense_limit": DENSE_ITEM_LIMIT if dense_limit is None else dense_limit}
    with tempfile.TemporaryDirectory() as scratch:
        folder = run_publish(factors, dataset, Path(scratch), algorithm="evaluation", settings={}, history={},
                             metrics={}, channel_options=options)
        run = Run.load(folder)
    return Engine(run), dataset


def for_you_ranker(inputs: RankerInputs, *, with_text_cnn: bool = True, dense_limit: int | None = None
                   ) -> Recommend:
    """The site's "for you" list: `Engine.for_user` with the viewer's ratings and demographics."""
    from ..serving.channels.demographic import segment_keys

    engine, dataset = _engine(inputs, with_text_cnn=with_text_cnn, dense_limit=dense_limit)
    rated: dict[int, dict[int, float]] = {}       # oldest first, as the site passes them
    train = inputs.train
    for row in np.lexsort((train.movie_ids, train.timestamps, train.user_ids)).tolist():
        rated.setdefault(int(train.user_ids[row]), {})[int(train.movie_ids[row])] = float(train.stars[row])
    users = inputs.users.set_index("user_id")

    def recommend(user, k):
        if user not in rated:
            raise KeyError(user)
        row = users.loc[user]
        segments = segment_keys(row.get("gender") or None, _age(row.get("age_group")),
                                row.get("occupation") or None)
        vector = engine.user_vector(user) if with_text_cnn else None
        return [(r.movie_id, r.score) for r in engine.for_user(rated[user], vector=vector, k=k,
                                                                segments=segments)]
    return recommend


def next_up_ranker(inputs: RankerInputs) -> Recommend:
    """The site's "next for you" row: `Engine.next_up` from each viewer's history in time order, with
    the floor of the run's predicted stars as the site keeps it."""
    engine, _dataset = _engine(inputs, with_text_cnn=True)
    history = _history(inputs.train)
    stars = {(u, m): s for u, m, s in zip(inputs.train.user_ids.tolist(), inputs.train.movie_ids.tolist(),
                                          inputs.train.stars.tolist())}

    def recommend(user, k):
        if user not in history:
            raise KeyError(user)
        rated = {m: stars[user, m] for m in history[user].tolist()}
        return [(r.movie_id, r.score) for r in engine.next_up(rated, k, vector=engine.user_vector(user))]
    return recommend


def _age(value) -> int | None:
    try:
        return int(value) if value == value and value is not None else None
    except (TypeError, ValueError):
        return None


def pearson_ranker(inputs: RankerInputs) -> Recommend:
    from ..algorithms.neighbours import PearsonItemCF

    return PearsonItemCF().fit(inputs.train).recommend


def cosine_item_ranker(inputs: RankerInputs) -> Recommend:
    from ..algorithms.neighbours import CosineCF

    return CosineCF(by="item").fit(inputs.train).recommend


# name -> (what it is, builder). Order: the floor, the baselines, then ours.
RANKERS: Registry = {
    "random": Method("a seeded shuffle", random_ranker),
    "popularity": Method("most rated first", popularity_ranker),
    "pearson-item": Method("Σ Pearson similarity × the viewer's stars", pearson_ranker),
    "cosine-item": Method("Σ cosine similarity × the viewer's stars", cosine_item_ranker),
    "als": Method("implicit ALS, 64 factors", als_ranker),
    "ease": Method("EASE, λ = 500", ease_ranker),
    "ease-sittings": Method("EASE over ratings, sittings, genres and co-liking (the item-to-item channel)",
                      ease_sittings_ranker),
    "for-you": Method("the site's for-you blend (Engine.for_user)", for_you_ranker),
    "for-you-large": Method("for-you as served above the dense limit: no EASE, ALS ranks",
                      lambda inputs: for_you_ranker(inputs, with_text_cnn=False, dense_limit=0)),
    "next-up": Method("the site's next-for-you channel (Engine.next_up)", next_up_ranker),
}


# ---------------------------------------------------------------- new viewers (no history)

def _segments_by_user(users: pd.DataFrame) -> dict[int, list[str]]:
    from ..serving.channels.demographic import segment_keys

    return {int(row.user_id): segment_keys(row.gender or None, _age(row.age_group), row.occupation or None)
            for row in users.fillna({"gender": "", "occupation": ""}).itertuples()}


def new_viewer_popular(inputs: RankerInputs) -> Recommend:
    """Most rated first, the same list for everyone."""
    movie_ids, counts = np.unique(inputs.train.movie_ids, return_counts=True)
    best = top_k(counts.astype(np.float64), len(counts))
    return lambda user, k: [(int(movie_ids[i]), float(counts[i])) for i in best[:k]]


def new_viewer_demographic(inputs: RankerInputs) -> Recommend:
    """The demographic channel: popular with the viewer's gender, age group and occupation."""
    engine, _dataset = _engine(inputs, with_text_cnn=False)
    segments = _segments_by_user(inputs.users)
    fallback = new_viewer_popular(inputs)

    def recommend(user, k):
        answer = engine.demographic(segments.get(int(user), []), k)
        return [(r.movie_id, r.score) for r in answer] if answer else fallback(user, k)
    return recommend


NEW_VIEWER_RANKERS: Registry = {
    "popularity": Method("most rated first", new_viewer_popular),
    "demographic": Method("popular with the viewer's demographic (Engine.demographic)", new_viewer_demographic),
}
