"""Most-rated movies first: the baseline every ranker must beat."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .base import Interactions, Recommender, top_k


class Popularity(Recommender):
    name = "popularity"

    def fit(self, interactions: Interactions) -> "Popularity":
        self._index(interactions)
        self.counts = np.bincount(np.searchsorted(self.movie_ids, interactions.movie_ids),
                                  minlength=len(self.movie_ids)).astype(np.float32)
        return self

    def scores(self, user_row: int) -> np.ndarray:
        return self.counts

    def similar_items(self, movie_id: int, k: int = 10) -> list[tuple[int, float]]:
        """Knows nothing of similarity: the most rated other movies."""
        scores = self.counts.astype(np.float64, copy=True)
        row = self._movie_row.get(int(movie_id))
        if row is None:
            raise KeyError(f"movie {movie_id} was not in the training data")
        scores[row] = -np.inf
        return [(int(self.movie_ids[i]), float(scores[i])) for i in top_k(scores, k)]

    def save(self, path: Path) -> None:
        np.savez(path, movie_ids=self.movie_ids, counts=self.counts)

    @classmethod
    def load(cls, path: Path) -> "Popularity":
        """Item queries only: per-user recommend needs the training interactions (fit)."""
        data = np.load(path)
        model = cls()
        model._set_movies(data["movie_ids"])
        model.counts = data["counts"]
        return model
