"""The movie tower's weights as plain arrays, for `serving.content_tower.MovieTower` to evaluate in numpy."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..serving.content_tower import DENSE, TOWER_FILE
from .config import TextCNNConfig

__all__ = ["movie_tower_arrays", "movie_tower_write"]


def movie_tower_arrays(movie_tower, cfg: TextCNNConfig, title_length: int,
                       rated_rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every weight of the Keras movie tower, named as MovieTower reads them, and the id embedding
    a film the run never saw gets: the mean over `rated_rows` (films with training ratings; a row
    nobody rated was only ever shrunk by the regulariser, it learned nothing)."""
    arrays = {name: movie_tower.get_layer(name).get_weights()[0]
              for name in ("movie_embedding", "genre_embedding", "word_embedding")}
    layers = [*DENSE, *(f"title_conv_{window}" for window in cfg.windows)]
    for name in layers:
        kernel, bias = movie_tower.get_layer(name).get_weights()
        arrays[f"{name}_kernel"], arrays[f"{name}_bias"] = kernel, bias
    rows = np.arange(len(arrays["movie_embedding"])) if rated_rows is None or not len(rated_rows) else rated_rows
    arrays["unseen_id"] = arrays["movie_embedding"][np.asarray(rows)].mean(axis=0)
    arrays["windows"] = np.asarray(cfg.windows, dtype=np.int64)
    arrays["title_length"] = np.asarray(title_length, dtype=np.int64)
    return arrays


def movie_tower_write(folder: Path, movie_tower, cfg: TextCNNConfig, title_length: int,
                      rated_rows: np.ndarray | None = None) -> Path:
    path = Path(folder) / TOWER_FILE
    np.savez(path, **movie_tower_arrays(movie_tower, cfg, title_length, rated_rows))
    return path
