"""Rating models `evaluate` compares on held-out ratings: fitted into `predict(user_ids, movie_ids)`."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..algorithms.base import rows_in
from .rankers import RankerInputs

__all__ = ["ON_REQUEST", "RATING_MODELS", "Predict"]

Predict = Callable[[np.ndarray, np.ndarray], np.ndarray]


def global_mean(inputs: RankerInputs) -> Predict:
    mean = float(inputs.train.stars.mean())
    return lambda users, movies: np.full(len(users), mean)


def biases(inputs: RankerInputs, regularisation: float = 10.0, sweeps: int = 10) -> Predict:
    """mean + b_user + b_movie, ridge-regularised, fitted by alternating exact updates."""
    from ..algorithms.baseline_knn import ridge_biases

    train = inputs.train
    users, u = np.unique(train.user_ids, return_inverse=True)
    movies, m = np.unique(train.movie_ids, return_inverse=True)
    mean, b_u, b_m = ridge_biases(u, m, train.stars, len(users), len(movies), regularisation, sweeps)

    def predict(user_ids, movie_ids):
        ui, ui_ok = rows_in(users, user_ids)
        mi, mi_ok = rows_in(movies, movie_ids)
        return mean + np.where(ui_ok, b_u[ui], 0.0) + np.where(mi_ok, b_m[mi], 0.0)
    return predict


def text_cnn(inputs: RankerInputs) -> Predict:
    """The project's model, trained with its defaults (TensorFlow; the evaluating process only)."""
    import pandas as pd

    from ..textcnn import training
    from ..textcnn.config import TrainConfig
    from ..data.dataset import DataSet

    train = inputs.train
    frame = pd.DataFrame({"user_id": train.user_ids, "movie_id": train.movie_ids,
                          "stars": train.stars, "timestamp": train.timestamps})
    dataset = DataSet.from_frames(frame, inputs.movies, inputs.users)
    model = training.fit(dataset, train_config=TrainConfig(seed=inputs.seed)).towers.rating

    def predict(user_ids, movie_ids):
        features = dataset.user_inputs(np.array([dataset.user_index(int(x)) for x in user_ids]))
        features.update(dataset.movie_inputs(np.array([dataset.movie_index(int(x)) for x in movie_ids])))
        return training.predict_inputs(model, features)
    return predict


def factorization_machine(inputs: RankerInputs) -> Predict:
    from ..algorithms.fm import FactorizationMachine

    return FactorizationMachine(seed=inputs.seed).fit(inputs.train, inputs.users).predict


def _neighbours(make) -> Callable[[RankerInputs], Predict]:
    return lambda inputs: make().fit(inputs.train).predict


def _pearson():
    from ..algorithms.neighbours import PearsonItemCF
    return PearsonItemCF()


def _cosine(by: str):
    from ..algorithms.neighbours import CosineCF
    return lambda: CosineCF(by=by)


def _keras(kind: str) -> Callable[[RankerInputs], Predict]:
    def build(inputs: RankerInputs) -> Predict:
        from ..algorithms.keras_mf import KerasRatingModel, search

        settings = {}
        if inputs.search:
            settings, _rows = search(inputs.train, kind, seed=inputs.seed, log=inputs.log)
        return KerasRatingModel(kind, seed=inputs.seed, **settings).fit(inputs.train).predict
    return build


def _baseline_knn(by: str) -> Callable[[RankerInputs], Predict]:
    def build(inputs: RankerInputs) -> Predict:
        from ..algorithms.baseline_knn import BaselineKNN

        return BaselineKNN(by=by).fit(inputs.train).predict
    return build


def spark_als(inputs: RankerInputs) -> Predict:
    """Spark ML's ALS in local mode (needs pyspark and Java 17; on request only, see ON_REQUEST)."""
    from ..algorithms.spark_als import SparkALSRatings

    return SparkALSRatings(seed=inputs.seed).fit(inputs.train).predict


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
    columns = [RATING_MODELS[name][1](inner)(inner_held.user_ids, inner_held.movie_ids) for name in members]
    design = _stack(inner_train, inner_held.user_ids, inner_held.movie_ids, columns)
    penalty = 1e-3 * len(inner_held) * np.eye(design.shape[1])
    penalty[0, 0] = 0.0                                   # the intercept is not shrunk
    weights = np.linalg.solve(design.T @ design + penalty, design.T @ inner_held.stars.astype(np.float64))
    if inputs.log:
        inputs.log("blend weights: " + ", ".join(
            f"{n} {w:.3f}" for n, w in zip(("intercept", "viewer support", "movie support", *members), weights)))
    fitted = [RATING_MODELS[name][1](inputs) for name in members]

    def predict(user_ids, movie_ids):
        stacked = _stack(inputs.train, user_ids, movie_ids, [p(user_ids, movie_ids) for p in fitted])
        return np.clip(stacked @ weights, 0.5, 5.0)
    return predict


RATING_MODELS: dict[str, tuple[str, Callable[[RankerInputs], Predict]]] = {
    "global-mean": ("the mean of the training ratings", global_mean),
    "biases": ("mean + viewer bias + movie bias (ridge)", biases),
    "pearson-item": ("item-based CF, Pearson, ≥ 5 common raters, 40 neighbours", _neighbours(_pearson)),
    "cosine-user": ("user-based CF, cosine, 40 neighbours", _neighbours(_cosine("user"))),
    "cosine-item": ("item-based CF, cosine, 40 neighbours", _neighbours(_cosine("item"))),
    "knn-baseline-item": ("baseline + item neighbours' residuals, shrunk Pearson, 40", _baseline_knn("item")),
    "knn-baseline-user": ("baseline + user neighbours' residuals, shrunk Pearson, 40", _baseline_knn("user")),
    "fm": ("factorization machine: user, movie, gender, age, occupation, zip region", factorization_machine),
    "svd": ("Keras: μ + p_u·q_m", _keras("svd")),
    "rsvd": ("Keras: μ + b_u + b_m + p_u·q_m, L2", _keras("rsvd")),
    "nn": ("Keras: μ + MLP of the two embeddings", _keras("nn")),
    "text-cnn": ("the text-CNN two-tower model", text_cnn),
    "blend": ("every model above stacked, weights by support from a held-out 10 %", blend),
    "spark-als": ("Spark ML ALS, rank 32, λ 0.1, local mode", spark_als),
}

# Run only when named with --algo: they need more than the project's requirements
# (Spark ALS: pyspark and a Java runtime, and a JVM start per fit), so `all` stays
# runnable with requirements.txt alone.
ON_REQUEST = frozenset({"spark-als"})
