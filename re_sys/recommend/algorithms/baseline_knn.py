"""Neighbours on top of baselines (Koren 2008, "KNNBaseline"): the strongest classic rating kNN.

    r̂(u, i) = b(u, i) + Σ_j s(i, j) · (r(u, j) − b(u, j)) / Σ_j s(i, j)

over the `neighbours` movies j most similar to i that the viewer rated (by
movie, or the mirror image by viewer), where b(u, i) = μ + b_u + b_i are
ridge-regularised biases and s is the Pearson correlation of the baseline
residuals over the viewers who rated both, shrunk towards 0 when they are
few: s · (n − 1) / (n − 1 + shrinkage). Only positive similarities vote.

Taking the baseline out first is what lifts it above plain neighbours: the
similarity compares tastes, not how generous two movies' audiences are.
Dense matrices, as in `neighbours.py`: ML-100K and ML-1M sizes.
"""
from __future__ import annotations

import numpy as np

from .base import Interactions, RatingModel, Side, rows_in

__all__ = ["BaselineKNN", "ridge_biases", "shrunk_residual_correlation"]


def ridge_biases(users: np.ndarray, movies: np.ndarray, stars: np.ndarray, n_users: int, n_movies: int,
                 regularisation: float = 10.0, sweeps: int = 10) -> tuple[float, np.ndarray, np.ndarray]:
    """mean, b_user, b_movie of stars ≈ mean + b_u + b_m, ridge-regularised, by alternating exact updates."""
    stars = stars.astype(np.float64)
    mean = float(stars.mean())
    b_u, b_m = np.zeros(n_users), np.zeros(n_movies)
    n_u, n_m = np.bincount(users, minlength=n_users), np.bincount(movies, minlength=n_movies)
    for _ in range(sweeps):
        b_m = np.bincount(movies, stars - mean - b_u[users], n_movies) / (n_m + regularisation)
        b_u = np.bincount(users, stars - mean - b_m[movies], n_users) / (n_u + regularisation)
    return mean, b_u, b_m


def shrunk_residual_correlation(residuals: np.ndarray, rated: np.ndarray, shrinkage: float) -> np.ndarray:
    """Column-pair correlation of residuals over common rows (no centring: residuals are already
    centred by the baselines), times (n − 1) / (n − 1 + shrinkage) for n common rows; 0 diagonal."""
    r = np.where(rated, residuals, 0.0).astype(np.float64)
    m = rated.astype(np.float64)
    products = r.T @ r
    squares = (r * r).T @ m              # [i, j]: Σ r_i² over the rows where j is also rated
    common = m.T @ m
    with np.errstate(divide="ignore", invalid="ignore"):
        correlation = products / np.sqrt(squares * squares.T)
    correlation[~np.isfinite(correlation)] = 0.0
    support = np.maximum(common - 1, 0)
    shrunk = np.divide(support, support + shrinkage, out=np.zeros_like(support), where=support > 0)
    similarity = correlation * shrunk
    np.fill_diagonal(similarity, 0.0)
    return similarity


class BaselineKNN(RatingModel):
    """Rating prediction by baseline + neighbours' residuals; `by` is "item" (default) or "user"."""

    def __init__(self, by: str = "item", neighbours: int = 40, shrinkage: float = 100.0,
                 bias_regularisation: float = 10.0, sweeps: int = 10):
        if by not in ("item", "user"):
            raise ValueError(f"by must be 'item' or 'user', not {by!r}")
        self.by, self.neighbours, self.shrinkage = by, neighbours, shrinkage
        self.bias_regularisation, self.sweeps = bias_regularisation, sweeps

    def fit(self, interactions: Interactions, side: Side | None = None) -> "BaselineKNN":
        self.user_ids, u = np.unique(interactions.user_ids, return_inverse=True)
        self.movie_ids, m = np.unique(interactions.movie_ids, return_inverse=True)
        stars = interactions.stars.astype(np.float64)
        n_u, n_m = len(self.user_ids), len(self.movie_ids)
        self.mean, self.user_bias, self.movie_bias = ridge_biases(u, m, stars, n_u, n_m,
                                                                  self.bias_regularisation, self.sweeps)
        self.residuals = np.zeros((n_u, n_m))
        self.rated = np.zeros((n_u, n_m), dtype=bool)
        self.residuals[u, m] = stars - self.mean - self.user_bias[u] - self.movie_bias[m]
        self.rated[u, m] = True
        if self.by == "item":
            self.similarity = shrunk_residual_correlation(self.residuals, self.rated, self.shrinkage)
        else:
            self.similarity = shrunk_residual_correlation(self.residuals.T, self.rated.T, self.shrinkage)
        return self

    def _row(self, ids: np.ndarray, known: np.ndarray) -> np.ndarray:
        rows, found = rows_in(known, ids)
        return np.where(found, rows, -1)

    def predict(self, user_ids, movie_ids) -> np.ndarray:
        """Predicted stars, clipped to 0.5–5; unknown viewers or movies get what the biases know."""
        user_ids, movie_ids = np.asarray(user_ids), np.asarray(movie_ids)
        users, movies = self._row(user_ids, self.user_ids), self._row(movie_ids, self.movie_ids)
        answer = self.mean + np.where(users >= 0, self.user_bias[users], 0.0) + \
            np.where(movies >= 0, self.movie_bias[movies], 0.0)
        for at in np.flatnonzero((users >= 0) & (movies >= 0)):
            u, m = users[at], movies[at]
            if self.by == "item":
                others = np.flatnonzero(self.rated[u])
                weights, offsets = self.similarity[m, others], self.residuals[u, others]
            else:
                others = np.flatnonzero(self.rated[:, m])
                weights, offsets = self.similarity[u, others], self.residuals[others, m]
            if len(others) > self.neighbours:
                nearest = np.argpartition(-weights, self.neighbours)[:self.neighbours]
                weights, offsets = weights[nearest], offsets[nearest]
            voting = weights > 0
            if voting.any():
                answer[at] += weights[voting] @ offsets[voting] / weights[voting].sum()
        return np.clip(answer, 0.5, 5.0)
