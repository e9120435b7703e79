"""The Keras notebook's three rating models, and its small hyper-parameter search.

- "svd":  r̂ = μ + p_u · q_m (embeddings only, no biases, no penalty);
- "rsvd": r̂ = μ + b_u + b_m + p_u · q_m, with L2 on embeddings and biases;
- "nn":   r̂ = μ + MLP([p_u, q_m]): the two embeddings concatenated, through
  a 64-unit ReLU layer with dropout, to one output.

Each trains with Adam on squared error, stops when a held-out 10 % of its
training ratings stops improving, and keeps the best epoch's weights. Uses
TensorFlow: imported only by `evaluate` and `train`, never by the site.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from .base import Interactions, RatingModel, Side

__all__ = ["KINDS", "KerasRatingModel", "search"]

KINDS = ("svd", "rsvd", "nn")


@dataclass
class KerasRatingModel(RatingModel):
    kind: str = "rsvd"
    factors: int = 32
    l2: float = 1e-4
    epochs: int = 40
    batch_size: int = 1024
    lr: float = 2e-3
    seed: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")

    @property
    def name(self) -> str:
        return self.kind

    def _build(self, n_users: int, n_movies: int, mean: float):
        import keras
        from keras import layers

        penalty = keras.regularizers.l2(self.l2) if self.kind != "svd" and self.l2 > 0 else None
        user = keras.Input(shape=(), dtype="int32", name="user")
        movie = keras.Input(shape=(), dtype="int32", name="movie")
        init = keras.initializers.RandomNormal(stddev=0.05, seed=self.seed)
        p = layers.Embedding(n_users, self.factors, embeddings_initializer=init,
                             embeddings_regularizer=penalty, name="user_factors")(user)
        q = layers.Embedding(n_movies, self.factors, embeddings_initializer=init,
                             embeddings_regularizer=penalty, name="movie_factors")(movie)
        if self.kind == "nn":
            hidden = layers.Dense(64, activation="relu", kernel_regularizer=penalty)(layers.Concatenate()([p, q]))
            hidden = layers.Dropout(0.2, seed=self.seed)(hidden)
            out = layers.Dense(1)(hidden)[:, 0]
        else:
            out = layers.Dot(axes=1)([p, q])[:, 0]
            if self.kind == "rsvd":
                b_u = layers.Embedding(n_users, 1, embeddings_initializer="zeros", embeddings_regularizer=penalty,
                                       name="user_bias")(user)[:, 0]
                b_m = layers.Embedding(n_movies, 1, embeddings_initializer="zeros", embeddings_regularizer=penalty,
                                       name="movie_bias")(movie)[:, 0]
                out = out + b_u + b_m
        model = keras.Model([user, movie], out + mean)
        model.compile(optimizer=keras.optimizers.Adam(self.lr), loss="mse")
        return model

    def fit(self, interactions: Interactions, side: Side | None = None) -> "KerasRatingModel":
        import keras

        keras.utils.set_random_seed(self.seed)
        self.user_ids = np.unique(interactions.user_ids)
        self.movie_ids = np.unique(interactions.movie_ids)
        users = np.searchsorted(self.user_ids, interactions.user_ids).astype(np.int32)
        movies = np.searchsorted(self.movie_ids, interactions.movie_ids).astype(np.int32)
        stars = interactions.stars.astype(np.float32)
        order = np.random.default_rng(self.seed).permutation(len(stars))
        held = order[: max(1, len(order) // 10)]
        kept = order[len(held):]
        self.mean = float(stars[kept].mean())
        self.model = self._build(len(self.user_ids), len(self.movie_ids), self.mean)
        stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
        self.history = self.model.fit(
            {"user": users[kept], "movie": movies[kept]}, stars[kept],
            validation_data=({"user": users[held], "movie": movies[held]}, stars[held]),
            epochs=self.epochs, batch_size=self.batch_size, callbacks=[stop], verbose=0).history
        return self

    def predict(self, user_ids, movie_ids) -> np.ndarray:
        """Stars for each pair; a viewer or movie unseen in training gets the training mean."""
        user_ids, movie_ids = np.asarray(user_ids), np.asarray(movie_ids)
        u = np.searchsorted(self.user_ids, user_ids)
        m = np.searchsorted(self.movie_ids, movie_ids)
        known = (u < len(self.user_ids)) & (m < len(self.movie_ids))
        known &= (self.user_ids[np.minimum(u, len(self.user_ids) - 1)] == user_ids) & \
            (self.movie_ids[np.minimum(m, len(self.movie_ids) - 1)] == movie_ids)
        out = np.full(len(user_ids), self.mean)
        if known.any():
            out[known] = self.model.predict({"user": u[known].astype(np.int32), "movie": m[known].astype(np.int32)},
                                            batch_size=8192, verbose=0)
        return np.clip(out, 0.5, 5.0)


def search(interactions: Interactions, kind: str, *, factors=(16, 32, 64), l2=(1e-5, 1e-4, 1e-3),
           folds: int = 3, seed: int = 0, log=None) -> tuple[dict, list[tuple[int, float, float]]]:
    """k-fold cross-validated RMSE over a small grid (as the notebook did); the best settings and every row."""
    from ..metrics import rmse

    fold_of = np.random.default_rng(seed).integers(0, folds, len(interactions))
    rows = []
    for size, penalty in product(factors, l2 if kind != "svd" else (0.0,)):
        scores = []
        for fold in range(folds):
            train = interactions.subset(np.flatnonzero(fold_of != fold))
            valid = interactions.subset(np.flatnonzero(fold_of == fold))
            model = KerasRatingModel(kind, factors=size, l2=penalty, seed=seed).fit(train)
            scores.append(rmse(valid.stars, model.predict(valid.user_ids, valid.movie_ids)))
        rows.append((size, penalty, float(np.mean(scores))))
        if log:
            log(f"{kind}: {size} factors, L2 {penalty:g}: RMSE {rows[-1][2]:.4f} over {folds} folds")
    size, penalty, _ = min(rows, key=lambda r: r[2])
    return {"factors": size, "l2": penalty}, rows
