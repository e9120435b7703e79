"""`train --algo rsvd|svd|fm`: other rating models written as runs the engine serves.

Each of these factors exactly as mean + user bias + movie bias + user · movie,
which is all the engine needs (similar, for-you, predictions, fold-in):

- rsvd / svd (Keras, algorithms/keras_mf.py): the embeddings and biases as
  they are (svd has no biases);
- fm (algorithms/fm.py): a viewer's vector is the sum of the vectors of their
  id, gender, age group, occupation and zip region; their bias is those
  features' weights plus the pairwise terms among them; a movie's vector and
  bias are its own. The FM's prediction is then w0 + user bias + movie bias +
  user · movie, term for term.

The model is fitted on the training part of the same seeded split the
text-CNN uses and measured on the rest; the served model is that one (no
refit).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.dataset import DataSet
from ..metrics import mae, rmse
from .base import Interactions, Side, rows_in
from .factors import Factors

__all__ = ["FACTOR_ALGORITHMS", "Factors", "fit_factors"]

FACTOR_ALGORITHMS = ("rsvd", "svd", "fm")


def _keras_factors(model, dataset: DataSet) -> Factors:
    p = model.model.get_layer("user_factors").get_weights()[0]
    q = model.model.get_layer("movie_factors").get_weights()[0]
    u_pos, u_ok = rows_in(model.user_ids, dataset.user_ids)
    m_pos, m_ok = rows_in(model.movie_ids, dataset.movie_ids)
    users = np.where(u_ok[:, None], p[u_pos], 0.0)
    movies = np.where(m_ok[:, None], q[m_pos], 0.0)
    user_bias, movie_bias = np.zeros(dataset.n_users), np.zeros(dataset.n_movies)
    if model.kind == "rsvd":
        user_bias = np.where(u_ok, model.model.get_layer("user_bias").get_weights()[0][u_pos, 0], 0.0)
        movie_bias = np.where(m_ok, model.model.get_layer("movie_bias").get_weights()[0][m_pos, 0], 0.0)
    return Factors(users, movies, user_bias, movie_bias, model.mean)


def _fm_factors(fm, dataset: DataSet) -> Factors:
    rows = fm._rows(dataset.user_ids, np.full(dataset.n_users, -1))
    user_side = np.delete(rows, 1, axis=1)              # every field but the movie
    mask = (user_side >= 0)[:, :, None]
    vectors = fm.v[np.where(user_side >= 0, user_side, 0)] * mask
    summed = vectors.sum(axis=1)
    pairs = 0.5 * ((summed ** 2).sum(axis=1) - (vectors ** 2).sum(axis=(1, 2)))
    user_bias = (fm.w[np.where(user_side >= 0, user_side, 0)] * mask[:, :, 0]).sum(axis=1) + pairs
    movie_rows = np.array([fm.index.get(("movie", int(m)), -1) for m in dataset.movie_ids])
    known = movie_rows >= 0
    movies = np.where(known[:, None], fm.v[np.maximum(movie_rows, 0)], 0.0)
    movie_bias = np.where(known, fm.w[np.maximum(movie_rows, 0)], 0.0)
    return Factors(summed, movies, user_bias, movie_bias, fm.w0)


def fit_factors(dataset: DataSet, users: pd.DataFrame, algorithm: str, *, seed: int = 0,
                val_fraction: float = 0.1, log=None) -> tuple[Factors, dict, dict, dict]:
    """Fit on the seeded training split; return the factors, settings, history and validation metrics."""
    if algorithm not in FACTOR_ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; choose one of {', '.join(FACTOR_ALGORITHMS)}")
    log = log or (lambda message: None)
    split = dataset.split(val_fraction, seed)

    def part(positions) -> Interactions:
        return Interactions(dataset.user_ids[dataset.rating_users[positions]].astype(np.int64),
                            dataset.movie_ids[dataset.rating_movies[positions]].astype(np.int64),
                            dataset.rating_stars[positions], dataset.rating_timestamps[positions])

    train, valid = part(split.train), part(split.valid)
    log(f"{algorithm}: {len(train):,} training and {len(valid):,} validation ratings")
    history: dict = {}
    if algorithm == "fm":
        from .fm import FactorizationMachine

        model = FactorizationMachine(seed=seed).fit(train, Side(users=users))
        factors = _fm_factors(model, dataset)
        settings = {"factors": model.factors, "epochs": model.epochs, "lr": model.lr, "l2": model.l2}
    else:
        from .keras_mf import KerasRatingModel

        model = KerasRatingModel(algorithm, seed=seed).fit(train)
        factors = _keras_factors(model, dataset)
        settings = {"factors": model.factors, "l2": model.l2, "lr": model.lr}
        # losses are mean squared errors (plus the L2 penalty): shown as RMSE
        history = {"rmse": [float(np.sqrt(v)) for v in model.history["loss"]],
                   "val_rmse": [float(np.sqrt(v)) for v in model.history["val_loss"]]}
    predicted = np.clip(model.predict(valid.user_ids, valid.movie_ids), 0.5, 5.0)
    mean = float(train.stars.mean())
    metrics = {"valid_rmse": rmse(valid.stars, predicted), "valid_mae": mae(valid.stars, predicted),
               "baseline_rmse": rmse(valid.stars, np.full(len(valid), mean)),
               "baseline_mae": mae(valid.stars, np.full(len(valid), mean)),
               "n_train": len(train), "n_valid": len(valid), "refit": False,
               "epochs_run": len(history.get("rmse", [])) or None}
    log(f"{algorithm}: validation RMSE {metrics['valid_rmse']:.4f} (global mean {metrics['baseline_rmse']:.4f})")
    return factors, settings, history, metrics
