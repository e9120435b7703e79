"""The contract every algorithm honours, documented once here.

- `fit(interactions) -> self`
- `recommend(user_id, k, exclude=()) -> [(movie_id, score)]`, best first;
  movies the user rated in training are always left out, `exclude` adds more.
- `similar_items(movie_id, k) -> [(movie_id, score)]`
- `save(path)` / `load(path)`
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from ..scores import top_k

__all__ = ["Interactions", "RatingModel", "Recommender", "Side", "rows_in", "top_k"]


@dataclass(frozen=True)
class Interactions:
    """Ratings as parallel arrays of MovieLens ids."""

    user_ids: np.ndarray
    movie_ids: np.ndarray
    stars: np.ndarray
    timestamps: np.ndarray

    @classmethod
    def from_frame(cls, frame) -> "Interactions":
        return cls(frame["user_id"].to_numpy(np.int64), frame["movie_id"].to_numpy(np.int64),
                   frame["stars"].to_numpy(np.float32), frame["timestamp"].to_numpy(np.int64))

    def to_frame(self):
        """The ratings frame `from_frame` reads (user_id, movie_id, stars, timestamp): its inverse."""
        import pandas as pd

        return pd.DataFrame({"user_id": self.user_ids, "movie_id": self.movie_ids, "stars": self.stars,
                             "timestamp": self.timestamps})

    def subset(self, rows: np.ndarray) -> "Interactions":
        return Interactions(self.user_ids[rows], self.movie_ids[rows], self.stars[rows],
                            self.timestamps[rows])

    def __len__(self) -> int:
        return len(self.stars)


def rows_in(known: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of `ids`, its row in the sorted `known` (0 where absent) and whether it is there."""
    ids = np.asarray(ids)
    if len(known) == 0:
        return np.zeros(len(ids), np.int64), np.zeros(len(ids), bool)
    rows = np.minimum(np.searchsorted(known, ids), len(known) - 1)
    return rows, known[rows] == ids


class Recommender(ABC):
    """The contract of every top-N scorer (EASE, neighbours, popularity), and its shared parts.

    - `fit(interactions)` learns from these ratings and returns the model.
    - `scores(user_row)` scores every movie for one viewer; `recommend(user_id,
      k, exclude)` (here) lists at most k, best first, never a movie the viewer
      rated or one in `exclude`, and raises KeyError for a viewer `fit` never saw.
    - `similar_items(movie_id, k)` lists movies to show beside one, itself left out.
    - `save(path)` / `load(path)` keep what item queries need: `similar_items`
      answers the same after a load (per-viewer queries need `fit`).

    `tests/recommend/algorithms/test_recommender_contract.py` holds every
    implementation to this, on planted data where each must beat popularity.
    """

    name = "base"

    def _set_movies(self, movie_ids: np.ndarray) -> None:
        self.movie_ids = np.asarray(movie_ids)
        self._movie_row = {int(m): i for i, m in enumerate(self.movie_ids)}

    def _index(self, interactions: Interactions) -> None:
        self.user_ids = np.unique(interactions.user_ids)
        self._set_movies(np.unique(interactions.movie_ids))
        self._user_row = {int(u): i for i, u in enumerate(self.user_ids)}
        rows = np.searchsorted(self.user_ids, interactions.user_ids)
        cols = np.searchsorted(self.movie_ids, interactions.movie_ids)
        order = np.argsort(rows, kind="stable")
        self._seen_rows, self._seen_cols = rows[order], cols[order]
        self._seen_start = np.searchsorted(self._seen_rows, np.arange(len(self.user_ids) + 1))

    def seen(self, user_row: int) -> np.ndarray:
        return self._seen_cols[self._seen_start[user_row]:self._seen_start[user_row + 1]]

    @abstractmethod
    def fit(self, interactions: Interactions) -> "Recommender": ...

    @abstractmethod
    def scores(self, user_row: int) -> np.ndarray:
        """A score for every movie (column order of `movie_ids`) for one user row."""

    def recommend(self, user_id: int, k: int = 10, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        row = self._user_row.get(int(user_id))
        if row is None:
            raise KeyError(f"user {user_id} was not in the training data")
        scores = self.scores(row).astype(np.float64, copy=True)
        scores[self.seen(row)] = -np.inf
        extra = [self._movie_row[int(m)] for m in exclude if int(m) in self._movie_row]
        scores[extra] = -np.inf
        return [(int(self.movie_ids[i]), float(scores[i])) for i in top_k(scores, k)]

    @abstractmethod
    def similar_items(self, movie_id: int, k: int = 10) -> list[tuple[int, float]]:
        """Movies to show beside `movie_id`, best first, the movie itself left out."""

    @abstractmethod
    def save(self, path: Path) -> None: ...

    @classmethod
    @abstractmethod
    def load(cls, path: Path) -> "Recommender": ...


@dataclass(frozen=True)
class Side:
    """What some rating models read beside the ratings: the movies (movie_id, title, genres)
    and the viewers (user_id, gender, age_group, occupation, zip_code), as data frames."""

    movies: object = None
    users: object = None


class RatingModel(ABC):
    """The contract of every model that predicts stars (the text-CNN, neighbours, factor models...).

    - `fit(interactions, side=None)` learns from these training ratings only
      (and, for models that read them, the movies and viewers in `side`) and
      returns the model itself.
    - `predict(user_ids, movie_ids)` gives one finite float per pair, on the star
      scale (callers clip to 0.5–5). A viewer or movie `fit` never saw still gets
      a finite figure: the model's fallback (a bias, a mean).
    - The same settings and seed give the same predictions.

    `tests/recommend/algorithms/test_rating_model_contract.py` holds every
    implementation to this, on planted data where each must beat the mean.
    """

    name = "rating-model"

    @abstractmethod
    def fit(self, interactions: Interactions, side: Side | None = None) -> "RatingModel": ...

    @abstractmethod
    def predict(self, user_ids, movie_ids) -> np.ndarray: ...
