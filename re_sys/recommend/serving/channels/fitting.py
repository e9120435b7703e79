"""Fitting every recall channel of a run from the training ratings, with the settings measured for each.

Run at training time only (it imports the EASE fit and implicit's ALS); the
web process loads what this produced through `serving/runs.py`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ...algorithms.base import Interactions
from ...algorithms.ease import EASE
from ...data.dataset import AGE_CODES, DataSet
from .also_liked import also_liked_neighbours
from .demographic import DemographicPopular, segment_keys
from .implicit_als import ImplicitALS
from .next_up import transition_matrix

__all__ = ["DENSE_ITEM_LIMIT", "GENRE_WEIGHT", "ITEM_REGULARISATION", "LIKED_TARGET", "LIKING_WEIGHT", "SITTING_WEIGHT",
           "als_channel", "channels_save", "demographic_channel", "item_channel_arrays"]

# EASE weights and next-up transitions are dense movies x movies float32 matrices:
# 1.6 GB at this many movies. Above it (ML-25M has 59,047 rated movies) they are
# left out and the ALS channel, movies x 64, is the collaborative channel.
DENSE_ITEM_LIMIT = 20_000


# The item-to-item channel is EASE over ratings, sittings, genres and
# co-liking (algorithms/ease.py, algorithms/sittings.py). Each setting was
# chosen by NDCG@10 on inner 75/25 splits of the training ratings, ML-100K
# seeds 0-2 (docs/benchmarks.md).
ITEM_REGULARISATION = 150.0
SITTING_WEIGHT = 2.0
GENRE_WEIGHT = 3.0
LIKING_WEIGHT = 0.15
# The stars in EASE's target (`liked_target`): 0, because no α measured on the inner splits gained
# liked-NDCG@10 beyond the noise of ALS's start, and every one cost leave-last-out hits and
# coverage (bench/experiments/bench_liked_target.py, docs/benchmarks.md).
LIKED_TARGET = 0.0


def item_channel_arrays(dataset: DataSet, regularisation: float = ITEM_REGULARISATION,
                        dense_limit: int = DENSE_ITEM_LIMIT,
                        sitting_weight: float = SITTING_WEIGHT,
                        genre_weight: float = GENRE_WEIGHT,
                        liking_weight: float = LIKING_WEIGHT,
                        liked_target: float = LIKED_TARGET) -> dict[str, np.ndarray]:
    """EASE item-to-item weights, next-up transitions, rating counts and 'also liked' lists, in run order.

    Saved beside the text-CNN's matrices so the engine can recall by
    item-to-item similarity: on ML-100K EASE ranks far better than the
    text-CNN's predicted rating (docs/benchmarks.md). Catalogues larger than
    `dense_limit` get no n² matrices (see DENSE_ITEM_LIMIT).
    """
    n = dataset.n_movies
    counts = np.bincount(dataset.rating_movies, minlength=n).astype(np.float32)
    also_liked = also_liked_neighbours(dataset.rating_users, dataset.rating_movies, dataset.rating_stars,
                                       dataset.n_users, n)
    if n > dense_limit:
        return {"movie_popularity": counts, **also_liked}
    weights = np.zeros((n, n), dtype=np.float32)
    if dataset.n_ratings:
        names = np.array(["", *dataset.genres], dtype=object)     # code 0 pads
        genres = {row: [g for g in names[codes] if g] for row, codes in enumerate(dataset.movie_genres)}
        ease = EASE(regularisation, sitting_weight, genre_weight=genre_weight,
                    liking_weight=liking_weight, liked_target=liked_target).fit(Interactions(
            dataset.rating_users.astype(np.int64), dataset.rating_movies.astype(np.int64),
            dataset.rating_stars, dataset.rating_timestamps), genres=genres)
        rows = ease.movie_ids  # contiguous movie indices that have ratings
        weights[np.ix_(rows, rows)] = ease.weights
    transitions = transition_matrix(dataset.rating_users, dataset.rating_movies, dataset.rating_timestamps, n)
    return {"item_weights": weights, "movie_popularity": counts, "transitions": transitions, **also_liked}


def als_channel(dataset: DataSet, seed: int = 0) -> ImplicitALS | None:
    """Implicit-feedback ALS item factors from who rated what (None without ratings)."""
    if not dataset.n_ratings:
        return None
    return ImplicitALS.fit(dataset.rating_users, dataset.rating_movies, dataset.n_users, dataset.n_movies,
                           seed=seed)


def demographic_channel(dataset: DataSet) -> DemographicPopular:
    """Popular within each gender, age group and occupation (and gender with age), from the ratings."""
    genders = np.array(["", "M", "F"])[dataset.user_gender]
    ages = np.array([0, *AGE_CODES])[dataset.user_age]
    occupations = np.array(["", *dataset.occupations], dtype=object)[dataset.user_occupation]
    per_user: dict[str, np.ndarray] = {}
    for row in range(dataset.n_users):
        for key in segment_keys(genders[row] or None, int(ages[row]) or None, occupations[row] or None):
            per_user.setdefault(key, np.zeros(dataset.n_users, dtype=bool))[row] = True
    masks = {key: users[dataset.rating_users] for key, users in per_user.items()}
    return DemographicPopular.fit(dataset.rating_stars, dataset.rating_movies, masks, dataset.n_movies)


def channels_save(folder: Path, dataset: DataSet, *, seed: int = 0, dense_limit: int = DENSE_ITEM_LIMIT) -> None:
    """Fit every channel on `dataset` and save it into a run folder being written."""
    for name, array in item_channel_arrays(dataset, dense_limit=dense_limit).items():
        np.save(folder / f"{name}.npy", array)
    demographic_channel(dataset).save(folder)
    als = als_channel(dataset, seed)
    if als is not None:
        als.save(folder)
