"""The text-CNN as a rating model (`algorithms.base.RatingModel`), for `evaluate` and its blend."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..algorithms.base import Interactions, RatingModel, Side
from ..data.dataset import DataSet
from .config import TextCNNConfig, TrainConfig

__all__ = ["TextCNNRatings"]


class TextCNNRatings(RatingModel):
    """Trained with the project's defaults (TensorFlow: imported by `fit`, never by the site).

    Every viewer and movie of `side` gets a row, so one without training ratings
    is still placed by its demographics or its title and genres; a pair naming an
    id `side` does not hold gets the training mean.
    """

    name = "text-cnn"

    def __init__(self, seed: int = 0, model_config: TextCNNConfig | None = None,
                 train_config: TrainConfig | None = None):
        self.seed, self.model_config = seed, model_config
        self.train_config = train_config or TrainConfig(seed=seed)

    def fit(self, interactions: Interactions, side: Side | None = None) -> "TextCNNRatings":
        from . import training

        frame = interactions.to_frame()
        movie_ids = np.unique(interactions.movie_ids)
        movies = side.movies if side is not None and side.movies is not None else \
            pd.DataFrame({"movie_id": movie_ids, "title": "", "genres": [[] for _ in movie_ids]})
        users = side.users if side is not None and side.users is not None else \
            pd.DataFrame({"user_id": np.unique(interactions.user_ids), "gender": "", "age_group": np.nan,
                          "occupation": "", "zip_code": ""})
        self.dataset = DataSet.from_frames(frame, movies, users)
        self.mean = float(interactions.stars.mean())
        self._model = training.fit(self.dataset, model_config=self.model_config,
                                   train_config=self.train_config).towers.rating
        return self

    def predict(self, user_ids, movie_ids) -> np.ndarray:
        from . import training

        users = [self.dataset.user_row(x) for x in user_ids]
        movies = [self.dataset.movie_row(x) for x in movie_ids]
        known = np.array([u is not None and m is not None for u, m in zip(users, movies)], dtype=bool)
        out = np.full(len(known), self.mean, dtype=np.float32)
        if known.any():
            features = self.dataset.user_inputs(np.array([u for u, ok in zip(users, known) if ok]))
            features.update(self.dataset.movie_inputs(np.array([m for m, ok in zip(movies, known) if ok])))
            out[known] = training.predict_inputs(self._model, features)
        return out
