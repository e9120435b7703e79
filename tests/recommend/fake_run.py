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


def with_movie_tower(folder: Path, *, words, genres, id_dim: int = 3, hidden: int = 5, filters: int = 2,
                     seed: int = 0, rated_rows=None) -> Path:
    """A movie tower of random weights beside a run (the shapes training exports), with its vocabulary;
    `rated_rows`: the rows of the films with ratings, as export writes them (every row without)."""
    import json

    from re_sys.recommend.serving.content_tower import TOWER_FILE

    rng = np.random.default_rng(seed)
    n_movies, dim = np.load(folder / "movie_features.npy").shape
    words = ["<pad>", "<unk>", *words]
    arrays = {"movie_embedding": rng.normal(size=(n_movies, id_dim)),
              "genre_embedding": rng.normal(size=(len(genres) + 1, id_dim)),
              "word_embedding": rng.normal(size=(len(words), id_dim)),
              "movie_dense_kernel": rng.normal(size=(id_dim, hidden)), "movie_dense_bias": rng.normal(size=hidden),
              "genre_dense_kernel": rng.normal(size=(id_dim, hidden)), "genre_dense_bias": rng.normal(size=hidden),
              "title_conv_2_kernel": rng.normal(size=(2, id_dim, filters)), "title_conv_2_bias": rng.normal(size=filters),
              "movie_features_kernel": rng.normal(size=(2 * hidden + filters, dim)),
              "movie_features_bias": rng.normal(size=dim),
              "windows": np.asarray([2]), "title_length": np.asarray(4)}
    if rated_rows is not None:
        arrays["rated_rows"] = np.asarray(rated_rows, dtype=np.int64)
    np.savez(folder / TOWER_FILE, **{k: np.asarray(v, dtype=np.float32) if v.dtype.kind == "f" else v
                                     for k, v in arrays.items()})
    if not (folder / "encodings.npz").exists():     # the catalogue's own films, as training encodes them
        np.savez(folder / "encodings.npz", movie_genres=rng.integers(1, len(genres) + 1, size=(n_movies, 1)),
                 movie_title=rng.integers(2, len(words), size=(n_movies, 4)))
    vocabulary = folder / "vocabulary.json"
    known = json.loads(vocabulary.read_text()) if vocabulary.exists() else {}
    vocabulary.write_text(json.dumps({**known, "words": words, "genres": list(genres)}))
    return folder


def with_user_tower(folder: Path, *, occupations=("writer",), id_dim: int = 3, hidden: int = 5,
                    implicit: bool = True, seed: int = 0) -> Path:
    """A user tower of random weights beside a run (the shapes training exports)."""
    import json

    from re_sys.recommend.serving.user_tower import PARTS, USER_TOWER_FILE

    rng = np.random.default_rng(seed)
    n_users, dim = np.load(folder / "user_features.npy").shape
    n_movies = len(np.load(folder / "movie_features.npy"))
    sizes = {"user": n_users, "gender": 3, "age": 8, "occupation": len(occupations) + 1}
    arrays = {f"{name}_embedding": rng.normal(size=(sizes[name], id_dim)) for name in PARTS}
    dense = [f"{name}_dense" for name in PARTS] + (["rated_dense"] if implicit else [])
    for name in dense:
        arrays[f"{name}_kernel"], arrays[f"{name}_bias"] = rng.normal(size=(id_dim, hidden)), rng.normal(size=hidden)
    if implicit:
        arrays["rated_embedding"] = rng.normal(size=(n_movies, id_dim))
    arrays["user_features_kernel"] = rng.normal(size=(len(dense) * hidden, dim))
    arrays["user_features_bias"] = rng.normal(size=dim)
    np.savez(folder / USER_TOWER_FILE, **{k: v.astype(np.float32) for k, v in arrays.items()})
    vocabulary = folder / "vocabulary.json"
    known = json.loads(vocabulary.read_text()) if vocabulary.exists() else {}
    vocabulary.write_text(json.dumps({**known, "occupations": list(occupations), "age_codes": [1, 18, 25, 35, 45, 50, 56]}))
    return folder
