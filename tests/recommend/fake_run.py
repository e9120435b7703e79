"""Run folders written directly from arrays: engine tests need no TensorFlow."""
import json
from pathlib import Path

import numpy as np

from re_sys.recommend.serving.runs import RUN_FORMAT


def write_run(folder: Path, *, user_features, movie_features, user_ids=None, movie_ids=None,
              user_bias=None, movie_bias=None, global_mean=3.5, run_id=None) -> Path:
    folder.mkdir(parents=True)
    user_features = np.asarray(user_features, dtype=np.float32)
    movie_features = np.asarray(movie_features, dtype=np.float32)
    n_users, n_movies = len(user_features), len(movie_features)
    arrays = {
        "user_ids": np.arange(1, n_users + 1) if user_ids is None else np.asarray(user_ids),
        "movie_ids": np.arange(1, n_movies + 1) if movie_ids is None else np.asarray(movie_ids),
        "user_features": user_features, "movie_features": movie_features,
        "user_bias": np.zeros(n_users, np.float32) if user_bias is None else np.asarray(user_bias, np.float32),
        "movie_bias": np.zeros(n_movies, np.float32) if movie_bias is None else np.asarray(movie_bias, np.float32),
    }
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", array)
    (folder / "config.json").write_text(json.dumps({"format": RUN_FORMAT, "run_id": run_id or folder.name}))
    (folder / "metrics.json").write_text(json.dumps({"global_mean": global_mean}))
    return folder


def two_kinds_run(folder: Path, n_movies: int = 10, dim: int = 4, seed: int = 0) -> Path:
    """Odd movies point one way, even movies the other; user 1 likes odd, user 2 even."""
    rng = np.random.default_rng(seed)
    kind = np.arange(n_movies) % 2
    movies = np.where(kind[:, None] == 0, 1.0, -1.0) * np.eye(dim)[0] + 0.1 * rng.normal(size=(n_movies, dim))
    users = np.array([np.eye(dim)[0], -np.eye(dim)[0]])
    return write_run(folder, user_features=users, movie_features=movies)


def with_item_channel(folder: Path, weights, popularity) -> Path:
    np.save(folder / "item_weights.npy", np.asarray(weights, dtype=np.float32))
    np.save(folder / "movie_popularity.npy", np.asarray(popularity, dtype=np.float32))
    return folder
