"""'Looks like': movies whose posters are near in a CNN's feature space (cosine).

The features are computed offline by `manage.py poster_features` (TensorFlow)
and saved as one `.npz` beside the runs, `model/poster_features.npz`: posters
do not change when the rating model is retrained, so they outlive runs.
Serving reads them with numpy only.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Mapping

import numpy as np

from ...scores import top_k
from ..reasons import Reason, Term, gettext_noop
from ..results import Recommendation
from ...data.titles import display_title

__all__ = ["POSTER_FEATURES_FILE", "PosterIndex", "save_poster_features"]

POSTER_FEATURES_FILE = "poster_features.npz"


class PosterIndex:
    """Unit-length poster features of the movies that have a poster."""

    def __init__(self, movie_ids: np.ndarray, features: np.ndarray, architecture: str = "",
                 titles: Mapping[int, str] | None = None):
        if len(movie_ids) != len(features):
            raise ValueError("one feature row per movie id is needed")
        self.movie_ids = np.asarray(movie_ids, dtype=np.int64)
        norms = np.linalg.norm(features, axis=1, keepdims=True)
        self.features = (features / np.where(norms == 0, 1, norms)).astype(np.float32)
        self.architecture = architecture
        self.titles = titles or {}
        self._row = {int(m): i for i, m in enumerate(self.movie_ids)}

    @classmethod
    def load(cls, model_dir: Path, titles: Mapping[int, str] | None = None) -> "PosterIndex | None":
        """The saved index, or None when no features were computed (or the file is unreadable)."""
        path = Path(model_dir) / POSTER_FEATURES_FILE
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls(data["movie_ids"], data["features"], str(data["architecture"]), titles)
        except (OSError, KeyError, ValueError):
            return None

    def __contains__(self, movie_id: int) -> bool:
        return int(movie_id) in self._row

    def similar(self, movie_id: int, k: int = 10) -> list[Recommendation]:
        """The k posters nearest to this movie's, itself excluded; [] when it has none."""
        row = self._row.get(int(movie_id))
        if row is None:
            return []
        scores = self.features @ self.features[row]
        scores[row] = -np.inf
        title = display_title(self.titles[int(movie_id)]) if int(movie_id) in self.titles \
            else Term(gettext_noop("this movie"))
        return [Recommendation(int(self.movie_ids[i]), float(scores[i]), "poster",
                               Reason(gettext_noop("Its poster looks like {title}'s"), title=title))
                for i in top_k(scores, min(k, len(scores) - 1))]


def save_poster_features(model_dir: Path, movie_ids: np.ndarray, features: np.ndarray,
                         architecture: str) -> Path:
    """Write the index atomically: a reader sees the old file or the new one."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    target = model_dir / POSTER_FEATURES_FILE
    partial = model_dir / f".{POSTER_FEATURES_FILE}.{secrets.token_hex(4)}.partial.npz"
    try:
        np.savez(partial, movie_ids=np.asarray(movie_ids, dtype=np.int64),
                 features=np.asarray(features, dtype=np.float32),
                 architecture=np.array(architecture))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
