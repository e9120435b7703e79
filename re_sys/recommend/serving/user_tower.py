"""The text-CNN's user tower in numpy: a vector for a viewer the run never saw.

Training exports the tower's weights with every run (`user_tower.npz`, written
by `textcnn.export.user_tower_arrays`); serving evaluates them here, without
TensorFlow. The inputs are those of training: the id embedding, gender, age
group and occupation, each through its dense layer, and, where the run was
trained with them, the films the viewer rated, pooled as SVD++ pools them
(Σ y_j / √n over their learned embeddings); then the 200-d `tanh` layer. For
a viewer the run knows, with the films they rated in training, the result
equals the Keras tower's (tests/recommend/textcnn).

A viewer the run never saw has no trained id embedding; they get the mean
of the trained ones, as a new film does (`content_tower`). Their vector is
then placed by their details and their films: `Engine.fold_in` uses it as
the point the ridge fold-in shrinks towards, instead of zero.

An older run without the file serves as before (the fold-in shrinks to zero).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..data.dataset import GENDER_CODES

__all__ = ["PARTS", "USER_TOWER_FILE", "UserTower"]

USER_TOWER_FILE = "user_tower.npz"
PARTS = ("user", "gender", "age", "occupation")


class UserTower:
    """`vector` for a viewer from their details and rated films; `vectors_of_rows` for the run's own viewers."""

    def __init__(self, arrays: dict[str, np.ndarray], *, occupations: Sequence[str], age_codes: Sequence[int]):
        self.arrays = {name: np.asarray(value, dtype=np.float32) for name, value in arrays.items()}
        self._occupation = {o: i + 1 for i, o in enumerate(occupations)}
        self._age = {int(c): i + 1 for i, c in enumerate(age_codes)}
        self.unseen_id = self.arrays.get("unseen_id", self.arrays["user_embedding"].mean(axis=0))
        self.implicit = "rated_embedding" in self.arrays

    @classmethod
    def load(cls, folder: Path) -> "UserTower | None":
        """The run's tower, or None for a run written before user towers were exported."""
        folder = Path(folder)
        if not (folder / USER_TOWER_FILE).is_file():
            return None
        vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        with np.load(folder / USER_TOWER_FILE) as arrays:
            return cls(dict(arrays), occupations=vocabulary.get("occupations", []),
                       age_codes=vocabulary.get("age_codes", []))

    @property
    def feature_dim(self) -> int:
        return self.arrays["user_features_kernel"].shape[1]

    def encode(self, gender: str | None, age_group: int | None, occupation: str | None) -> tuple[int, int, int]:
        """The codes training gave these details; 0 for what is unknown or was never seen."""
        known_age = age_group is not None and age_group == age_group      # neither None nor NaN
        age = self._age.get(int(age_group), 0) if known_age else 0
        return GENDER_CODES.get(gender or "", 0), age, self._occupation.get(occupation or "", 0)

    def _dense(self, name: str, x: np.ndarray, activation) -> np.ndarray:
        return activation(x @ self.arrays[f"{name}_kernel"] + self.arrays[f"{name}_bias"])

    def _pooled(self, rated: Sequence[np.ndarray]) -> np.ndarray:
        table = self.arrays["rated_embedding"]
        out = np.zeros((len(rated), table.shape[1]), dtype=np.float32)
        for i, rows in enumerate(rated):
            rows = np.asarray(rows, dtype=np.int64)
            if len(rows):
                out[i] = table[rows].sum(axis=0) / np.sqrt(len(rows))
        return out

    def vectors(self, id_embeddings: np.ndarray, gender: np.ndarray, age: np.ndarray, occupation: np.ndarray,
                rated: Sequence[np.ndarray] = ()) -> np.ndarray:
        """The tower on encoded inputs: (n, id_dim) embeddings, three (n,) codes, and each viewer's rated rows."""
        relu = lambda x: np.maximum(x, 0.0)      # noqa: E731
        codes = {"gender": gender, "age": age, "occupation": occupation}
        parts = [self._dense("user_dense", id_embeddings, relu)]
        parts += [self._dense(f"{name}_dense", self.arrays[f"{name}_embedding"][np.asarray(codes[name])], relu)
                  for name in PARTS[1:]]
        if self.implicit:
            rated = list(rated) or [np.zeros(0, dtype=np.int64)] * len(id_embeddings)
            parts.append(self._dense("rated_dense", self._pooled(rated), relu))
        return self._dense("user_features", np.concatenate(parts, axis=1), np.tanh).astype(np.float32)

    def vectors_of_rows(self, rows: np.ndarray, gender, age, occupation, rated: Sequence[np.ndarray] = ()) -> np.ndarray:
        """Vectors of viewers the run knows (`rows` into its id embedding)."""
        return self.vectors(self.arrays["user_embedding"][np.asarray(rows)], gender, age, occupation, rated)

    def vector(self, *, gender: str | None = None, age_group: int | None = None, occupation: str | None = None,
               rated_rows: Iterable[int] = ()) -> np.ndarray:
        """The vector of a viewer the run never saw, from their details and the run's rows of films they rated."""
        g, a, o = self.encode(gender, age_group, occupation)
        rows = np.fromiter((int(r) for r in rated_rows), dtype=np.int64)
        return self.vectors(self.unseen_id[None, :], np.array([g]), np.array([a]), np.array([o]), [rows])[0]
