"""The towers' weights as plain arrays, for `serving.content_tower.MovieTower` and
`serving.user_tower.UserTower` to evaluate in numpy."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..serving.content_tower import DENSE, TOWER_FILE
from ..serving.user_tower import PARTS, USER_TOWER_FILE
from .config import TextCNNConfig

__all__ = ["movie_tower_arrays", "movie_tower_write", "user_tower_arrays", "user_tower_write"]


def movie_tower_arrays(movie_tower, cfg: TextCNNConfig, title_length: int, *, n_movies: int,
                       rated_rows: np.ndarray | None = None,
                       unseen_bias: float | None = None) -> dict[str, np.ndarray]:
    """Every weight of the Keras movie tower, named as MovieTower reads them, and the id embedding
    a film the run never saw gets.

    With cold-start training (the id embedding has `n_movies` + 1 rows) that
    is the unseen row the model learned, the last, split off here, and
    `unseen_bias` the movie bias it learned beside it. Without, the mean over
    `rated_rows` (films with training ratings; a row nobody rated was only
    ever shrunk by the regulariser, it learned nothing), and serving uses the
    mean movie bias. The weights decide, not `cfg`, so that a config that
    does not match the model cannot pass a film's own row off as the unseen one.
    """
    arrays = {name: movie_tower.get_layer(name).get_weights()[0]
              for name in ("movie_embedding", "genre_embedding", "word_embedding")}
    layers = [*DENSE, *(f"title_conv_{window}" for window in cfg.windows)]
    for name in layers:
        kernel, bias = movie_tower.get_layer(name).get_weights()
        arrays[f"{name}_kernel"], arrays[f"{name}_bias"] = kernel, bias
    rows_trained = len(arrays["movie_embedding"])
    if rows_trained not in (n_movies, n_movies + 1):
        raise ValueError(f"the movie tower has {rows_trained} id rows for {n_movies} films")
    learned = arrays["movie_embedding"][-1] if rows_trained == n_movies + 1 else None
    if learned is not None:
        arrays["movie_embedding"] = arrays["movie_embedding"][:-1]
    rows = np.arange(len(arrays["movie_embedding"])) if rated_rows is None or not len(rated_rows) else rated_rows
    arrays["unseen_id"] = (learned if learned is not None
                           else arrays["movie_embedding"][np.asarray(rows)].mean(axis=0))
    if unseen_bias is not None:
        arrays["unseen_bias"] = np.asarray(unseen_bias, dtype=np.float32)
    arrays["rated_rows"] = np.asarray(rows, dtype=np.int64)
    arrays["windows"] = np.asarray(cfg.windows, dtype=np.int64)
    arrays["title_length"] = np.asarray(title_length, dtype=np.int64)
    return arrays


def movie_tower_write(folder: Path, movie_tower, cfg: TextCNNConfig, title_length: int, *, n_movies: int,
                      rated_rows: np.ndarray | None = None, unseen_bias: float | None = None) -> Path:
    path = Path(folder) / TOWER_FILE
    np.savez(path, **movie_tower_arrays(movie_tower, cfg, title_length, n_movies=n_movies,
                                        rated_rows=rated_rows, unseen_bias=unseen_bias))
    return path


def user_tower_arrays(user_tower, rated_rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every weight of the Keras user tower, named as UserTower reads them, and the id embedding a
    viewer the run never saw gets: the mean over `rated_rows` (viewers with training ratings)."""
    arrays = {f"{name}_embedding": user_tower.get_layer(f"{name}_embedding").get_weights()[0] for name in PARTS}
    dense = [f"{name}_dense" for name in PARTS] + ["user_features"]
    names = {layer.name for layer in user_tower.layers}
    if "rated_movies" in names:
        arrays["rated_embedding"] = user_tower.get_layer("rated_movies").table.numpy()
        dense.append("rated_dense")
    for name in dense:
        kernel, bias = user_tower.get_layer(name).get_weights()
        arrays[f"{name}_kernel"], arrays[f"{name}_bias"] = kernel, bias
    ids = arrays["user_embedding"]
    rows = np.arange(len(ids)) if rated_rows is None or not len(rated_rows) else rated_rows
    arrays["unseen_id"] = ids[np.asarray(rows)].mean(axis=0)
    return arrays


def user_tower_write(folder: Path, user_tower, rated_rows: np.ndarray | None = None) -> Path:
    path = Path(folder) / USER_TOWER_FILE
    np.savez(path, **user_tower_arrays(user_tower, rated_rows))
    return path
