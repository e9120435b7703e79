"""Neighbourhood collaborative filtering: item-based Pearson, and user- or item-based cosine.

Both predict a rating from the most similar neighbours that have one, and
rank movies for top-N by how strongly the viewer's own ratings point at them.

- `PearsonItemCF`: the correlation of two movies' ratings over the viewers
  who rated both (each movie's mean taken over those common viewers, as
  pandas' `DataFrame.corr` does), zero below `min_common` common viewers.
  A viewer's top-N scores movie i by Σ_j sim(i, j) · r_j over the movies j
  they rated, as the Keras/Spark notebook did.
- `CosineCF(by="user" | "item")`: the cosine of raw rating vectors (missing
  ratings are zeros), as the poster blog did.

Prediction (both): the target's mean plus the similarity-weighted mean
offset of its `neighbours` nearest neighbours that have a rating, clipped to
the star scale; with no such neighbour, the target's mean.

Dense matrices: fine for ML-100K and ML-1M (3,706² floats = 55 MB); the
similarity products are the cost of `fit` (seconds on ML-100K).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .base import Interactions, RatingModel, Recommender, Side, top_k

__all__ = ["CosineCF", "PearsonItemCF", "cosine_similarity", "pearson_common"]


def pearson_common(ratings: np.ndarray, rated: np.ndarray, min_common: int = 1) -> np.ndarray:
    """Column-by-column Pearson correlation over the rows where both columns have a value.

    `ratings` holds the values (anything where `rated` is False is ignored);
    pairs with fewer than `min_common` common rows, or no variance over them,
    get 0. The diagonal is 1 where defined.
    """
    r = np.where(rated, ratings, 0.0).astype(np.float64)
    m = rated.astype(np.float64)
    common = m.T @ m
    sums = r.T @ m                       # sums[i, j] = Σ over common rows of column i
    squares = (r * r).T @ m
    products = r.T @ r
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(common > 0, common, np.nan)
        covariance = products - sums * sums.T / n
        variance_i = squares - sums ** 2 / n
        variance_j = variance_i.T
        correlation = covariance / np.sqrt(variance_i * variance_j)
    correlation[~np.isfinite(correlation) | (common < max(min_common, 2))] = 0.0
    return np.clip(correlation, -1.0, 1.0)


def cosine_similarity(vectors: np.ndarray) -> np.ndarray:
    """Cosine of every pair of rows; 0 for an all-zero row."""
    vectors = vectors.astype(np.float64)
    norms = np.linalg.norm(vectors, axis=1)
    unit = vectors / np.where(norms > 0, norms, 1.0)[:, None]
    return unit @ unit.T


class _NeighbourCF(Recommender, RatingModel):
    """Shared parts: the rating matrix, means, neighbour prediction, save and load."""

    neighbours = 40

    def _matrix(self, interactions: Interactions) -> None:
        self._index(interactions)
        self.ratings = np.zeros((len(self.user_ids), len(self.movie_ids)), dtype=np.float32)
        self.ratings[np.searchsorted(self.user_ids, interactions.user_ids),
                     np.searchsorted(self.movie_ids, interactions.movie_ids)] = interactions.stars
        self._means()

    def _means(self) -> None:
        """The rated mask and the global, per-viewer and per-movie means, all from `ratings`."""
        self.rated = self.ratings > 0
        counts_u, counts_m = self.rated.sum(axis=1), self.rated.sum(axis=0)
        self.global_mean = float(self.ratings[self.rated].mean()) if self.rated.any() else 0.0
        self.user_mean = np.where(counts_u > 0, self.ratings.sum(axis=1) / np.maximum(counts_u, 1),
                                  self.global_mean)
        self.movie_mean = np.where(counts_m > 0, self.ratings.sum(axis=0) / np.maximum(counts_m, 1),
                                   self.global_mean)

    def _neighbour_estimate(self, similarities: np.ndarray, offsets: np.ndarray, has: np.ndarray) -> float | None:
        """Σ sim · offset / Σ |sim| over the `neighbours` most similar that have a rating."""
        candidates = np.flatnonzero(has & (similarities != 0))
        if not len(candidates):
            return None
        nearest = candidates[np.argsort(-np.abs(similarities[candidates]), kind="stable")[:self.neighbours]]
        weights = similarities[nearest]
        return float(weights @ offsets[nearest] / np.abs(weights).sum())

    def predict(self, user_ids, movie_ids) -> np.ndarray:
        """Predicted stars for each (viewer, movie) pair; unknown ones get the known means."""
        out = np.empty(len(user_ids))
        for n, (user, movie) in enumerate(zip(np.asarray(user_ids).tolist(), np.asarray(movie_ids).tolist())):
            u, m = self._user_row.get(int(user)), self._movie_row.get(int(movie))
            out[n] = self._predict_one(u, m)
        return np.clip(out, 0.5, 5.0)

    def _predict_one(self, u: int | None, m: int | None) -> float:
        if u is None and m is None:
            return self.global_mean
        if u is None:
            return float(self.movie_mean[m])
        if m is None:
            return float(self.user_mean[u])
        return self._estimate(u, m)

    def save(self, path: Path) -> None:
        np.savez(path, user_ids=self.user_ids, movie_ids=self.movie_ids, ratings=self.ratings,
                 similarity=self.similarity, neighbours=self.neighbours)

    def _restore(self, data) -> None:
        self._set_movies(data["movie_ids"])
        self.user_ids = data["user_ids"]
        self._user_row = {int(u): i for i, u in enumerate(self.user_ids)}
        self.ratings, self.similarity = data["ratings"], data["similarity"]
        self.neighbours = int(data["neighbours"])
        self._means()
        rows, cols = np.nonzero(self.rated)
        self._seen_rows, self._seen_cols = rows, cols
        self._seen_start = np.searchsorted(rows, np.arange(len(self.user_ids) + 1))


class PearsonItemCF(_NeighbourCF):
    name = "pearson-item"

    def __init__(self, min_common: int = 5, neighbours: int = 40):
        self.min_common, self.neighbours = min_common, neighbours

    def fit(self, interactions: Interactions, side: Side | None = None) -> "PearsonItemCF":
        self._matrix(interactions)
        self.similarity = pearson_common(self.ratings, self.rated, self.min_common).astype(np.float32)
        np.fill_diagonal(self.similarity, 0.0)
        return self

    def _estimate(self, u: int, m: int) -> float:
        offset = self._neighbour_estimate(self.similarity[m], self.ratings[u] - self.movie_mean, self.rated[u])
        return float(self.movie_mean[m] + (offset or 0.0))

    def scores(self, user_row: int) -> np.ndarray:
        # Positive correlations only: "people who rated X like you did also rated Y like this".
        return np.maximum(self.similarity, 0.0) @ self.ratings[user_row]

    def similar_items(self, movie_id: int, k: int = 10) -> list[tuple[int, float]]:
        row = self._movie_row[int(movie_id)]
        scores = self.similarity[row].astype(np.float64, copy=True)
        scores[row] = -np.inf
        return [(int(self.movie_ids[i]), float(scores[i])) for i in top_k(scores, k)]

    @classmethod
    def load(cls, path: Path) -> "PearsonItemCF":
        data = np.load(path)
        model = cls(neighbours=int(data["neighbours"]))
        model._restore(data)
        return model


class CosineCF(_NeighbourCF):
    """Cosine similarity between viewers (`by="user"`) or between movies (`by="item"`)."""

    def __init__(self, by: str = "item", neighbours: int = 40):
        if by not in ("user", "item"):
            raise ValueError("by must be 'user' or 'item'")
        self.by, self.neighbours = by, neighbours
        self.name = f"cosine-{by}"

    def fit(self, interactions: Interactions, side: Side | None = None) -> "CosineCF":
        self._matrix(interactions)
        vectors = self.ratings if self.by == "user" else self.ratings.T
        self.similarity = cosine_similarity(vectors).astype(np.float32)
        np.fill_diagonal(self.similarity, 0.0)
        return self

    def _estimate(self, u: int, m: int) -> float:
        if self.by == "user":
            offsets = self.ratings[:, m] - self.user_mean
            offset = self._neighbour_estimate(self.similarity[u], offsets, self.rated[:, m])
            return float(self.user_mean[u] + (offset or 0.0))
        offset = self._neighbour_estimate(self.similarity[m], self.ratings[u] - self.movie_mean, self.rated[u])
        return float(self.movie_mean[m] + (offset or 0.0))

    def scores(self, user_row: int) -> np.ndarray:
        if self.by == "user":
            return self.similarity[user_row] @ self.ratings
        return self.similarity @ self.ratings[user_row]

    def similar_items(self, movie_id: int, k: int = 10) -> list[tuple[int, float]]:
        row = self._movie_row[int(movie_id)]
        vectors = self.ratings.T if self.by == "user" else None
        scores = (cosine_similarity(vectors)[row] if vectors is not None else self.similarity[row]).astype(
            np.float64, copy=True)
        scores[row] = -np.inf
        return [(int(self.movie_ids[i]), float(scores[i])) for i in top_k(scores, k)]

    def save(self, path: Path) -> None:
        np.savez(path, user_ids=self.user_ids, movie_ids=self.movie_ids, ratings=self.ratings,
                 similarity=self.similarity, neighbours=self.neighbours, by=self.by)

    @classmethod
    def load(cls, path: Path) -> "CosineCF":
        data = np.load(path)
        model = cls(by=str(data["by"]), neighbours=int(data["neighbours"]))
        model._restore(data)
        return model
