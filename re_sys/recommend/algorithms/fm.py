"""A factorization machine (Rendle 2010) over viewer, movie and the viewer's details.

Each rating is a row of one-hot fields: user id, movie id, gender, age group,
occupation and zip region (the first digit of the zip code). With x the set
of active features (one per field, value 1):

    ŷ = w0 + Σ_f w_f + Σ_{f < g} <v_f, v_g>
      = w0 + Σ_f w_f + ½ (‖Σ_f v_f‖² − Σ_f ‖v_f‖²)

The pair sum runs over distinct features only. The Flask seed's version
added ‖v_f‖² for every f, a feature "interacting with itself"; subtracting
Σ‖v_f‖² removes exactly that. Trained on squared error with L2 by
mini-batch Adam in numpy.

Per-feature recall (the seed's demographic channel): the movies with the
highest w_m + <v_feature, v_m> for one gender, age group or occupation.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .base import Interactions, RatingModel, Side

__all__ = ["FIELDS", "FactorizationMachine"]

FIELDS = ("user", "movie", "gender", "age", "occupation", "zip")


def _zip_region(zip_code) -> str:
    text = str(zip_code or "").strip()
    return text[0] if text[:1].isdigit() else ""


class FactorizationMachine(RatingModel):
    name = "fm"

    # Defaults from a sweep on ML-100K's 90/10 split (docs/benchmarks.md): 0.926 RMSE.
    # Weaker penalties overfit (1e-4: 0.991); stronger ones underfit (1e-2: 0.947).
    def __init__(self, factors: int = 16, epochs: int = 10, lr: float = 0.002, l2: float = 2e-3,
                 batch_size: int = 256, seed: int = 0):
        self.factors, self.epochs, self.lr, self.l2 = factors, epochs, lr, l2
        self.batch_size, self.seed = batch_size, seed

    # ------------------------------------------------------------------ features

    def _vocabulary(self, users: pd.DataFrame, movie_ids: np.ndarray) -> None:
        details = users.set_index("user_id")
        values: dict[str, list] = {
            "user": sorted(int(u) for u in details.index),
            "movie": sorted(int(m) for m in movie_ids),
            "gender": sorted({str(g) for g in details.get("gender", pd.Series(dtype=str)).fillna("") if g}),
            "age": sorted({int(a) for a in details.get("age_group", pd.Series(dtype=float)).dropna()}),
            "occupation": sorted({str(o) for o in details.get("occupation", pd.Series(dtype=str)).fillna("") if o}),
            "zip": sorted({z for z in map(_zip_region, details.get("zip_code", pd.Series(dtype=str)).fillna(""))
                           if z}),
        }
        self.index: dict[tuple[str, object], int] = {}
        for field in FIELDS:
            for value in values[field]:
                self.index[(field, value)] = len(self.index)
        # Each viewer's detail features, looked up once per rating row.
        self._user_details: dict[int, list[int]] = {}
        for user_id, row in details.iterrows():
            feats = []
            for field, value in (("gender", row.get("gender")), ("age", row.get("age_group")),
                                 ("occupation", row.get("occupation")), ("zip", _zip_region(row.get("zip_code")))):
                if field == "age":
                    value = int(value) if value == value and value is not None else None
                key = (field, value)
                feats.append(self.index.get(key, -1))
            self._user_details[int(user_id)] = feats

    def _rows(self, user_ids, movie_ids) -> np.ndarray:
        """Active feature indices per rating, one column per field; -1 where a field is unknown."""
        out = np.full((len(user_ids), len(FIELDS)), -1, dtype=np.int64)
        for n, (u, m) in enumerate(zip(np.asarray(user_ids).tolist(), np.asarray(movie_ids).tolist())):
            out[n, 0] = self.index.get(("user", int(u)), -1)
            out[n, 1] = self.index.get(("movie", int(m)), -1)
            out[n, 2:] = self._user_details.get(int(u), [-1] * 4)
        return out

    # ------------------------------------------------------------------ model

    def _forward(self, rows: np.ndarray):
        mask = (rows >= 0)[:, :, None]
        safe = np.where(rows >= 0, rows, 0)
        vectors = self.v[safe] * mask                      # (batch, fields, factors)
        summed = vectors.sum(axis=1)
        pairs = 0.5 * ((summed ** 2).sum(axis=1) - (vectors ** 2).sum(axis=(1, 2)))
        linear = (self.w[safe] * mask[:, :, 0]).sum(axis=1)
        return self.w0 + linear + pairs, vectors, summed, mask

    def fit(self, interactions: Interactions, side: Side | None = None) -> "FactorizationMachine":
        """`side.users` gives the demographic fields; without it only viewer and movie are features."""
        users = side.users if side is not None and side.users is not None else \
            pd.DataFrame({"user_id": np.unique(interactions.user_ids)})
        self._vocabulary(users, np.unique(interactions.movie_ids))
        rng = np.random.default_rng(self.seed)
        n = len(self.index)
        self.w0 = float(interactions.stars.mean())
        self.w = np.zeros(n)
        self.v = rng.normal(0, 0.01, (n, self.factors))
        rows = self._rows(interactions.user_ids, interactions.movie_ids)
        target = interactions.stars.astype(np.float64)
        moments = {name: [np.zeros_like(p), np.zeros_like(p)] for name, p in (("w", self.w), ("v", self.v))}
        step = 0
        for _epoch in range(self.epochs):
            for batch in np.array_split(rng.permutation(len(target)), max(1, len(target) // self.batch_size)):
                step += 1
                predicted, vectors, summed, mask = self._forward(rows[batch])
                error = (predicted - target[batch]) / len(batch)       # d(½ mean squared error)/dŷ
                safe = np.where(rows[batch] >= 0, rows[batch], 0)
                grad_w = np.zeros_like(self.w)
                np.add.at(grad_w, safe, error[:, None] * mask[:, :, 0])
                # dŷ/dv_f = Σ_g v_g − v_f for an active f: the other features' vectors.
                grad_vectors = (summed[:, None, :] - vectors) * error[:, None, None] * mask
                grad_v = np.zeros_like(self.v)
                np.add.at(grad_v, safe, grad_vectors)
                touched = np.unique(safe[rows[batch] >= 0])
                grad_w[touched] += self.l2 * self.w[touched]
                grad_v[touched] += self.l2 * self.v[touched]
                self._adam("w", self.w, grad_w, moments, step, touched)
                self._adam("v", self.v, grad_v, moments, step, touched)
        return self

    def _adam(self, name, param, grad, moments, step, rows, beta1=0.9, beta2=0.999, eps=1e-8):
        first, second = moments[name]
        first[rows] = beta1 * first[rows] + (1 - beta1) * grad[rows]
        second[rows] = beta2 * second[rows] + (1 - beta2) * grad[rows] ** 2
        correction = np.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        param[rows] -= self.lr * correction * first[rows] / (np.sqrt(second[rows]) + eps)

    def predict(self, user_ids, movie_ids) -> np.ndarray:
        predicted, *_ = self._forward(self._rows(user_ids, movie_ids))
        return np.clip(predicted, 0.5, 5.0)

    def feature_recall(self, field: str, value, k: int = 10) -> list[tuple[int, float]]:
        """Movies people with this one feature (a gender, age group, occupation…) would rate highest."""
        feature = self.index.get((field, value))
        if feature is None:
            raise KeyError(f"{field} {value!r} was not in the training data")
        movies = [(m, i) for (f, m), i in self.index.items() if f == "movie"]
        ids = np.array([m for m, _ in movies])
        rows = np.array([i for _, i in movies])
        scores = self.w[rows] + self.v[rows] @ self.v[feature]
        best = np.argsort(-scores, kind="stable")[:k]
        return [(int(ids[i]), float(scores[i])) for i in best]
