"""Runs written from arrays by the project's one run writer: engine tests need no TensorFlow."""
from pathlib import Path

import numpy as np

from re_sys.recommend.algorithms.factors import Factors
from re_sys.recommend.serving.runs import IdMaps
from re_sys.recommend.serving.runs import write_run as run_write


def write_run(folder: Path, *, user_features, movie_features, user_ids=None, movie_ids=None,
              user_bias=None, movie_bias=None, global_mean=3.5) -> Path:
    """A run at exactly `folder` (its name is the run id), as `serving.runs.write_run` writes every run."""
    user_features = np.asarray(user_features, dtype=np.float32)
    movie_features = np.asarray(movie_features, dtype=np.float32)
    n_users, n_movies = len(user_features), len(movie_features)
    factors = Factors(user_features, movie_features,
                      np.zeros(n_users, np.float32) if user_bias is None else np.asarray(user_bias, np.float32),
                      np.zeros(n_movies, np.float32) if movie_bias is None else np.asarray(movie_bias, np.float32),
                      float(global_mean))
    maps = IdMaps(np.arange(1, n_users + 1) if user_ids is None else np.asarray(user_ids),
                  np.arange(1, n_movies + 1) if movie_ids is None else np.asarray(movie_ids))
    return run_write(folder.parent, factors, maps=maps, config={}, history={}, metrics={}, run_id=folder.name)


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
