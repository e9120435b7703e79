"""The contract of a recall channel: one score for every movie of the run, for one viewer.

`Engine.for_user` asks every channel of the run for a `Query` (what the
request knows of the viewer) and ranks from the scores that come back. A
channel answers an array over the run's movie rows (higher is better; the
engine blocks rated and hidden movies itself), or None when it cannot score
for this viewer (the ALS channel for someone who rated nothing, the text-CNN
without a vector). `tests/recommend/serving/test_channel_contract.py` holds
every channel to this.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

__all__ = ["ALSChannel", "DemographicChannel", "ItemToItemChannel", "PopularChannel", "Query", "RecallChannel",
           "TextCNNChannel"]


@dataclass(frozen=True)
class Query:
    """What a request knows of the viewer: their rated movies (run rows), what each rating says
    (`feedback`, signed: below zero a dislike, see `serving/ranking.feedback`; None reads every
    rating as a plain "watched"), their text-CNN vector and bias if they have one, and the
    demographic segments the run knows for them.

    A channel that reads the viewer's movies builds only on the positive ones and answers None
    when there is none: a viewer who rated only 1★ gets no list built on those films.
    """

    rated_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    vector: tuple[np.ndarray, float] | None = None
    segments: Sequence[str] = ()
    feedback: np.ndarray | None = None


class RecallChannel(ABC):
    name = "channel"

    @abstractmethod
    def scores(self, query: Query) -> np.ndarray | None:
        """A float64 score for every movie row, or None when this channel has nothing for the viewer."""


class ItemToItemChannel(RecallChannel):
    """EASE's item-to-item weights over the viewer's rated movies, each weighted by its feedback:
    a dislike pushes its neighbours down, a 5★ pulls harder than a 4★."""

    name = "item-to-item"

    def __init__(self, weights: np.ndarray):
        self.weights = weights

    def scores(self, query: Query) -> np.ndarray | None:
        if not len(query.rated_rows):
            return None
        rows = np.asarray(self.weights[query.rated_rows], dtype=np.float64)
        if query.feedback is None:
            return rows.sum(axis=0)
        if not (query.feedback > 0).any():
            return None
        return np.asarray(query.feedback, dtype=np.float64) @ rows


class ALSChannel(RecallChannel):
    """Implicit ALS: the viewer's factors folded in from the movies they rated; those at or below
    the pivot (feedback ≤ 0, a typical viewer's 2★ included) with preference 0 (signed fold-in),
    where the item-to-item channel gives a rating at the pivot no weight at all."""

    name = "als"

    def __init__(self, als):
        self.als = als

    def scores(self, query: Query) -> np.ndarray | None:
        if not len(query.rated_rows):
            return None
        liked = None if query.feedback is None else query.feedback > 0
        if liked is not None and not liked.any():
            return None
        return self.als.scores(query.rated_rows, liked)


class TextCNNChannel(RecallChannel):
    """The text-CNN's predicted rating of every movie, from the viewer's vector."""

    name = "text-cnn"

    def __init__(self, movie_features: np.ndarray, movie_bias: np.ndarray, global_mean: float):
        self.movie_features, self.movie_bias, self.global_mean = movie_features, movie_bias, global_mean

    def scores(self, query: Query) -> np.ndarray | None:
        if query.vector is None:
            return None
        vector, bias = query.vector
        return (self.movie_features @ vector + self.movie_bias + bias + self.global_mean).astype(np.float64)


class DemographicChannel(RecallChannel):
    """Popular within the viewer's demographic segments (channels/demographic.py)."""

    name = "demographic"

    def __init__(self, demographic):
        self.demographic = demographic

    def scores(self, query: Query) -> np.ndarray | None:
        return self.demographic.scores(list(query.segments)) if query.segments else None


class PopularChannel(RecallChannel):
    """How much each movie was rated (log), for everyone: the channel that always answers."""

    name = "popular"

    def __init__(self, popularity: np.ndarray):
        self.log_popularity = np.log1p(np.maximum(np.asarray(popularity, dtype=np.float64), 0))

    def scores(self, query: Query) -> np.ndarray | None:
        return self.log_popularity.copy()
