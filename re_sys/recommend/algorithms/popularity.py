"""Most-rated movies first: the baseline every ranker must beat."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .base import Interactions, Recommender


class Popularity(Recommender):
    name = "popularity"

    def fit(self, interactions: Interactions) -> "Popularity":
        self._index(interactions)
        self.counts = np.bincount(np.searchsorted(self.movie_ids, interactions.movie_ids),
                                  minlength=len(self.movie_ids)).astype(np.float32)
        return self

    def scores(self, user_row: int) -> np.ndarray:
        return self.counts

    def save(self, path: Path) -> None:
        np.savez(path, movie_ids=self.movie_ids, counts=self.counts)

    @classmethod
    def load(cls, path: Path) -> "Popularity":
        raise NotImplementedError("popularity is refitted from the database, never loaded")
