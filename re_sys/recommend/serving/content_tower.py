"""The text-CNN's movie tower in numpy: a vector for any film from its title and genres.

Training exports the tower's weights with every run (`movie_tower.npz`, written
by `textcnn.export.movie_tower_arrays`); serving evaluates them here, without
TensorFlow: title-word embeddings through the four convolutions with
max-pooling over time, the summed genre embeddings, the id embedding, each
through its dense layer, then the 200-d `tanh` layer. For a film the run
knows, the result equals the Keras tower's (tests/recommend/textcnn).

A film the run has never seen has no trained id embedding. It gets the mean
of the trained ones (of films with ratings, computed at export): the id part then says "a film like the average one",
neither of this kind nor of that, and the title and genres place it. (The
zero vector would be the other natural choice, but no trained film sits at
zero: the regulariser shrinks embeddings, it does not empty them, so zero
would be an unusual film rather than a neutral one.)

An older run without the file serves as before; new films then get no vector.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..data.dataset import PAD, UNKNOWN_WORD, title_words

__all__ = ["TOWER_FILE", "MovieTower"]

TOWER_FILE = "movie_tower.npz"
DENSE = ("movie_dense", "genre_dense", "movie_features")


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


class MovieTower:
    """`vectors_of_rows` for films the run knows, `vector_of` for any title and genres."""

    def __init__(self, arrays: dict[str, np.ndarray], *, words: Sequence[str], genres: Sequence[str]):
        self.arrays = {name: np.asarray(value, dtype=np.float32) for name, value in arrays.items()
                       if name not in ("windows", "title_length")}
        self.windows = [int(w) for w in np.asarray(arrays["windows"]).ravel()]
        self.title_length = int(np.asarray(arrays["title_length"]))
        self._word = {w: i for i, w in enumerate(words)}
        self._genre = {g: i + 1 for i, g in enumerate(genres)}    # 0 pads, as in DataSet
        # Exported with the run (the mean over films with ratings); the mean of all rows for a hand-made tower.
        self.unseen_id = self.arrays.get("unseen_id", self.arrays["movie_embedding"].mean(axis=0))

    @classmethod
    def load(cls, folder: Path) -> "MovieTower | None":
        """The run's tower, or None for a run written before towers were exported."""
        folder = Path(folder)
        if not (folder / TOWER_FILE).is_file():
            return None
        vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        with np.load(folder / TOWER_FILE) as arrays:
            return cls(dict(arrays), words=vocabulary["words"], genres=vocabulary["genres"])

    @property
    def feature_dim(self) -> int:
        return self.arrays["movie_features_kernel"].shape[1]

    # ------------------------------------------------------------------ encoding

    def encode_title(self, title: str) -> np.ndarray:
        """Word ids as training encoded them: unknown words as <unk>, padded or cut to the run's length."""
        ids = [self._word.get(w, UNKNOWN_WORD) for w in title_words(title)][:self.title_length]
        return np.asarray(ids + [PAD] * (self.title_length - len(ids)), dtype=np.int64)

    def encode_genres(self, names: Iterable[str], width: int | None = None) -> np.ndarray:
        """Genre ids (genres the run never saw are left out), padded with 0."""
        ids = [self._genre[name] for name in names if name in self._genre]
        width = max(width or 0, len(ids), 1)
        return np.asarray(ids + [0] * (width - len(ids)), dtype=np.int64)

    # ------------------------------------------------------------------ the tower

    def _dense(self, name: str, x: np.ndarray, activation) -> np.ndarray:
        return activation(x @ self.arrays[f"{name}_kernel"] + self.arrays[f"{name}_bias"])

    def _title(self, titles: np.ndarray) -> np.ndarray:
        x = self.arrays["word_embedding"][titles]                       # (n, words, word_dim)
        pooled = []
        for window in self.windows:
            kernel, bias = self.arrays[f"title_conv_{window}_kernel"], self.arrays[f"title_conv_{window}_bias"]
            steps = x.shape[1] - window + 1
            # A "valid" convolution: each output step sums `window` shifted word rows times the kernel.
            out = sum(x[:, k:k + steps, :] @ kernel[k] for k in range(window)) + bias
            pooled.append(_relu(out).max(axis=1))
        return np.concatenate(pooled, axis=1)

    def vectors(self, id_embeddings: np.ndarray, genres: np.ndarray, titles: np.ndarray) -> np.ndarray:
        """The tower on encoded inputs: (n, id_dim) embeddings, (n, g) genre ids, (n, words) word ids."""
        x_id = self._dense("movie_dense", id_embeddings, _relu)
        g = self.arrays["genre_embedding"][genres] * (genres > 0)[..., None]
        x_genre = self._dense("genre_dense", g.sum(axis=1), _relu)
        x = np.concatenate([x_id, x_genre, self._title(titles)], axis=1)
        return self._dense("movie_features", x, np.tanh).astype(np.float32)

    def vectors_of_rows(self, rows: np.ndarray, genres: np.ndarray, titles: np.ndarray) -> np.ndarray:
        """Vectors of films the run knows (`rows` into its id embedding), from the run's encodings."""
        return self.vectors(self.arrays["movie_embedding"][rows], genres, titles)

    def vector_of(self, title: str, genre_names: Iterable[str]) -> np.ndarray:
        """The vector of a film the run has never seen, from its title and genres alone."""
        return self.vectors(self.unseen_id[None, :], self.encode_genres(genre_names)[None, :],
                            self.encode_title(title)[None, :])[0]
