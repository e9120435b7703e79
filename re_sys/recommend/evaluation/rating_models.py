"""Rating models `evaluate` compares on held-out ratings, each an `algorithms.base.RatingModel`.

The registry maps a name to its description and a builder: given a protocol's
training inputs, the fitted model's `predict(user_ids, movie_ids)`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..algorithms.base import RatingModel, Side, rows_in
from .registry import Method, RankerInputs, Registry

__all__ = ["ON_REQUEST", "RATING_MODELS", "Predict"]

Predict = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _fitted(make: Callable[[RankerInputs], RatingModel]) -> Callable[[RankerInputs], Predict]:
    """A registry entry: build the model for these inputs, fit it on their training ratings."""
    return lambda inputs: make(inputs).fit(inputs.train, Side(movies=inputs.movies, users=inputs.users)).predict


def _global_mean(inputs: RankerInputs) -> RatingModel:
    from ..algorithms.biases import GlobalMean
    return GlobalMean()


def _biases(inputs: RankerInputs) -> RatingModel:
    from ..algorithms.biases import Biases
    return Biases()


def _text_cnn(inputs: RankerInputs) -> RatingModel:
    from ..textcnn.ratings import TextCNNRatings
    return TextCNNRatings(seed=inputs.seed)


def _factorization_machine(inputs: RankerInputs) -> RatingModel:
    from ..algorithms.fm import FactorizationMachine
    return FactorizationMachine(seed=inputs.seed)


def _pearson(inputs: RankerInputs) -> RatingModel:
    from ..algorithms.neighbours import PearsonItemCF
    return PearsonItemCF()


def _cosine(by: str) -> Callable[[RankerInputs], RatingModel]:
    def make(inputs: RankerInputs) -> RatingModel:
        from ..algorithms.neighbours import CosineCF
        return CosineCF(by=by)
    return make


def _keras(kind: str) -> Callable[[RankerInputs], RatingModel]:
    def make(inputs: RankerInputs) -> RatingModel:
        from ..algorithms.keras_mf import KerasRatingModel, search

        settings = {}
        if inputs.search:
            settings, _rows = search(inputs.train, kind, seed=inputs.seed, log=inputs.log)
        return KerasRatingModel(kind, seed=inputs.seed, **settings)
    return make


def _baseline_knn(by: str) -> Callable[[RankerInputs], RatingModel]:
    def make(inputs: RankerInputs) -> RatingModel:
        from ..algorithms.baseline_knn import BaselineKNN
        return BaselineKNN(by=by)
    return make


def _spark_als(inputs: RankerInputs) -> RatingModel:
    """Spark ML's ALS in local mode (needs pyspark and Java 17; on request only, see ON_REQUEST)."""
    from ..algorithms.spark_als import SparkALSRatings
    return SparkALSRatings(seed=inputs.seed)


# The blend's members: every rating model here but the global mean. Each kind
# of signal (content and demographics, neighbours with and without baselines,
# factor models, plain biases) errs differently; the ridge weights sort out
# which to trust. Adding the baseline kNNs and the rest to the first four
# members took seed 1's RMSE from 0.897 to 0.890 (docs/benchmarks.md).
BLEND_MEMBERS = ("text-cnn", "knn-baseline-item", "knn-baseline-user", "cosine-item", "cosine-user",
                 "pearson-item", "nn", "rsvd", "svd", "fm", "biases")


def _support(train, user_ids: np.ndarray, movie_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(1 + how many training ratings) of each pair's viewer and movie."""
    def counts(known_ids, asked):
        ids, n = np.unique(known_ids, return_counts=True)
        at, found = rows_in(ids, asked)
        return np.log1p(np.where(found, n[at], 0))
    return counts(train.user_ids, user_ids), counts(train.movie_ids, movie_ids)


def _stack(train, user_ids, movie_ids, columns: list[np.ndarray]) -> np.ndarray:
    """The blender's inputs: each prediction, and each again scaled by the viewer's and the movie's
    support (feature-weighted stacking, Sill et al. 2009): a neighbour model is worth more for a
    movie with many ratings, a bias model for a viewer with few."""
    users, movies = _support(train, user_ids, movie_ids)
    return np.column_stack([np.ones(len(user_ids)), users, movies, *columns,
                            *(c * users for c in columns), *(c * movies for c in columns)])


def blend(inputs: RankerInputs, members=BLEND_MEMBERS, held_share: float = 0.1) -> Predict:
    """Stacking: each member fitted on 90 % of the training ratings predicts the other 10 %; a
    ridge regression on those predictions (and on them scaled by support) gives the weights;
    every member is then refitted on all the training ratings and the weights combine them."""
    from dataclasses import replace

    from .protocols import holdout_split

    inner_train, inner_held = holdout_split(inputs.train, held_share, inputs.seed + 1)
    inner = replace(inputs, train=inner_train)
    columns = [RATING_MODELS[name].build(inner)(inner_held.user_ids, inner_held.movie_ids) for name in members]
    design = _stack(inner_train, inner_held.user_ids, inner_held.movie_ids, columns)
    penalty = 1e-3 * len(inner_held) * np.eye(design.shape[1])
    penalty[0, 0] = 0.0                                   # the intercept is not shrunk
    weights = np.linalg.solve(design.T @ design + penalty, design.T @ inner_held.stars.astype(np.float64))
    if inputs.log:
        inputs.log("blend weights: " + ", ".join(
            f"{n} {w:.3f}" for n, w in zip(("intercept", "viewer support", "movie support", *members), weights)))
    fitted = [RATING_MODELS[name].build(inputs) for name in members]

    def predict(user_ids, movie_ids):
        stacked = _stack(inputs.train, user_ids, movie_ids, [p(user_ids, movie_ids) for p in fitted])
        return np.clip(stacked @ weights, 0.5, 5.0)
    return predict


RATING_MODELS: Registry = {
    "global-mean": Method("the mean of the training ratings", _fitted(_global_mean)),
    "biases": Method("mean + viewer bias + movie bias (ridge)", _fitted(_biases)),
    "pearson-item": Method("item-based CF, Pearson, ≥ 5 common raters, 40 neighbours", _fitted(_pearson)),
    "cosine-user": Method("user-based CF, cosine, 40 neighbours", _fitted(_cosine("user"))),
    "cosine-item": Method("item-based CF, cosine, 40 neighbours", _fitted(_cosine("item"))),
    "knn-baseline-item": Method("baseline + item neighbours' residuals, shrunk Pearson, 40", _fitted(_baseline_knn("item"))),
    "knn-baseline-user": Method("baseline + user neighbours' residuals, shrunk Pearson, 40", _fitted(_baseline_knn("user"))),
    "fm": Method("factorization machine: user, movie, gender, age, occupation, zip region",
           _fitted(_factorization_machine)),
    "svd": Method("Keras: μ + p_u·q_m", _fitted(_keras("svd"))),
    "rsvd": Method("Keras: μ + b_u + b_m + p_u·q_m, L2", _fitted(_keras("rsvd"))),
    "nn": Method("Keras: μ + MLP of the two embeddings", _fitted(_keras("nn"))),
    "text-cnn": Method("the text-CNN two-tower model", _fitted(_text_cnn)),
    "blend": Method("every model above stacked, weights by support from a held-out 10 %", blend),
    # Needs pyspark and a Java runtime, and a JVM start per fit: `all` stays runnable with requirements.txt.
    "spark-als": Method("Spark ML ALS, rank 32, λ 0.1, local mode", _fitted(_spark_als), on_request=True),
}

ON_REQUEST = frozenset(name for name, method in RATING_MODELS.items() if method.on_request)
