"""The simplest rating models, the floor every other one must clear: the mean, and mean plus biases."""
from __future__ import annotations

import numpy as np

from .base import Interactions, RatingModel, Side, rows_in
from .baseline_knn import ridge_biases

__all__ = ["Biases", "GlobalMean"]


class GlobalMean(RatingModel):
    name = "global-mean"

    def fit(self, interactions: Interactions, side: Side | None = None) -> "GlobalMean":
        self.mean = float(interactions.stars.mean())
        return self

    def predict(self, user_ids, movie_ids) -> np.ndarray:
        return np.full(len(user_ids), self.mean)


class Biases(RatingModel):
    """mean + b_user + b_movie, ridge-regularised, fitted by alternating exact updates."""

    name = "biases"

    def __init__(self, regularisation: float = 10.0, sweeps: int = 10):
        self.regularisation, self.sweeps = regularisation, sweeps

    def fit(self, interactions: Interactions, side: Side | None = None) -> "Biases":
        self.users, u = np.unique(interactions.user_ids, return_inverse=True)
        self.movies, m = np.unique(interactions.movie_ids, return_inverse=True)
        self.mean, self.user_bias, self.movie_bias = ridge_biases(
            u, m, interactions.stars, len(self.users), len(self.movies), self.regularisation, self.sweeps)
        return self

    def predict(self, user_ids, movie_ids) -> np.ndarray:
        ui, ui_ok = rows_in(self.users, user_ids)
        mi, mi_ok = rows_in(self.movies, movie_ids)
        return self.mean + np.where(ui_ok, self.user_bias[ui], 0.0) + np.where(mi_ok, self.movie_bias[mi], 0.0)
