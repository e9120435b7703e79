"""Splitting protocols and the loops that score rankers and rating models on them.

Protocols:
- "user-split": each viewer's ratings split at random, 25 % held out, every
  held-out movie relevant (top-N ranking);
- "leave-last-out": each viewer's latest rating held out (top-N, HR@k);
- "new-viewers": 10 % of viewers held out whole; they are ranked for with
  no history at all, only their demographics (cold start);
- "holdout": a random 10 % of all ratings held out (rating prediction,
  RMSE/MAE);
- "new-movies": 10 % of movies held out whole (`new_movies.py`): films
  nobody rated, judged on stars and on ranking among themselves.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..algorithms.base import Interactions
from ..metrics import (catalogue_coverage, contradiction_at_k, mae, mean_ranking_metrics, precision_at_k,
                       rmse)
from ..stars import DISLIKED_STARS, LOVED_STARS, PREDICTED_DISLIKE

__all__ = ["PROTOCOLS", "Result", "evaluate_ranker", "holdout_split", "leave_last_out", "new_viewer_split",
           "per_user_split", "split_for"]

PROTOCOLS = ("user-split", "leave-last-out", "new-viewers", "holdout", "new-movies")


def per_user_split(data: Interactions, test_fraction: float = 0.25, seed: int = 0
                   ) -> tuple[Interactions, Interactions]:
    """Each viewer's ratings split at random: round(n × test_fraction) of each held out."""
    n = len(data)
    order = np.lexsort((np.random.default_rng(seed).random(n), data.user_ids))
    users = data.user_ids[order]
    first = np.searchsorted(users, users)           # where each row's viewer starts
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    sizes = np.repeat(np.diff(np.r_[starts, n]), np.diff(np.r_[starts, n]))
    is_test = (np.arange(n) - first) < np.floor(sizes * test_fraction + 0.5)
    return data.subset(np.sort(order[~is_test])), data.subset(np.sort(order[is_test]))


def leave_last_out(data: Interactions) -> tuple[Interactions, Interactions]:
    """Each viewer's latest rating held out (ties broken by movie id)."""
    order = np.lexsort((data.movie_ids, data.timestamps, data.user_ids))
    users = data.user_ids[order]
    last = np.r_[users[1:] != users[:-1], True]
    return data.subset(np.sort(order[~last])), data.subset(np.sort(order[last]))


def evaluate_ranker(recommend: Callable[[int, int], list], test: Interactions, k: int = 10, *,
                    predicted: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
                    n_items: int | None = None) -> dict[str, float]:
    """Mean ranking metrics of `recommend(user_id, k)` against each viewer's held-out movies.

    Beside the usual figures (every held-out rating relevant): liked-NDCG and
    liked-P (only held-out ratings ≥ LOVED_STARS relevant), disliked@k (the
    share of the k slots taken by movies the viewer rated ≤ DISLIKED_STARS),
    with `n_items` the catalogue coverage, and with `predicted` (a rating
    model's predict(user_ids, movie_ids)) contradiction@k: the share of listed
    movies it predicts below PREDICTED_DISLIKE for that viewer.
    """
    relevant: dict[int, set[int]] = {}
    liked: dict[int, set[int]] = {}
    disliked: dict[int, set[int]] = {}
    for user, movie, stars in zip(test.user_ids.tolist(), test.movie_ids.tolist(), test.stars.tolist()):
        relevant.setdefault(user, set()).add(movie)
        if stars >= LOVED_STARS:
            liked.setdefault(user, set()).add(movie)
        if stars <= DISLIKED_STARS:
            disliked.setdefault(user, set()).add(movie)
    rankings = {}
    for user in relevant:
        try:
            rankings[user] = [m for m, *_ in recommend(user, k)]
        except KeyError:
            rankings[user] = []
    metrics = mean_ranking_metrics(rankings, relevant, k)
    if liked:
        of_liked = mean_ranking_metrics(rankings, liked, k)
        metrics[f"liked_ndcg@{k}"] = of_liked[f"ndcg@{k}"]
        metrics[f"liked_precision@{k}"] = of_liked[f"precision@{k}"]
    metrics[f"disliked@{k}"] = float(np.mean([precision_at_k(rankings[u], disliked.get(u, ()), k)
                                              for u in relevant]))
    if n_items:
        metrics[f"coverage@{k}"] = catalogue_coverage(rankings.values(), n_items, k)
    if predicted is not None:
        metrics[f"contradiction@{k}"] = _contradiction(rankings, predicted, k)
    return metrics


def _contradiction(rankings: dict[int, list[int]], predicted, k: int) -> float:
    """contradiction@k averaged over the viewers who got a list, from one batched prediction."""
    listed = {u: ranked[:k] for u, ranked in rankings.items() if ranked}
    if not listed:
        return 0.0
    users = np.concatenate([np.full(len(r), u, dtype=np.int64) for u, r in listed.items()])
    movies = np.concatenate([np.asarray(r, dtype=np.int64) for r in listed.values()])
    stars = np.asarray(predicted(users, movies), dtype=np.float64)
    bounds = np.cumsum([0, *(len(r) for r in listed.values())])
    return float(np.mean([contradiction_at_k(stars[a:b], k, PREDICTED_DISLIKE)
                          for a, b in zip(bounds[:-1], bounds[1:])]))


def new_viewer_split(data: Interactions, fraction: float = 0.1, seed: int = 0
                     ) -> tuple[Interactions, Interactions]:
    """A random `fraction` of the viewers held out with all their ratings."""
    users = np.unique(data.user_ids)
    held = np.random.default_rng(seed).choice(users, size=max(1, round(len(users) * fraction)), replace=False)
    is_test = np.isin(data.user_ids, held)
    return data.subset(np.flatnonzero(~is_test)), data.subset(np.flatnonzero(is_test))


def holdout_split(data: Interactions, fraction: float = 0.1, seed: int = 0
                  ) -> tuple[Interactions, Interactions]:
    """A random `fraction` of all ratings held out."""
    is_test = np.zeros(len(data), dtype=bool)
    is_test[np.random.default_rng(seed).permutation(len(data))[:round(len(data) * fraction)]] = True
    return data.subset(np.flatnonzero(~is_test)), data.subset(np.flatnonzero(is_test))


def split_for(protocol: str, data: Interactions, seed: int = 0) -> tuple[Interactions, Interactions]:
    if protocol == "user-split":
        return per_user_split(data, 0.25, seed)
    if protocol == "leave-last-out":
        return leave_last_out(data)
    if protocol == "new-viewers":
        return new_viewer_split(data, 0.1, seed)
    if protocol == "holdout":
        return holdout_split(data, 0.1, seed)
    if protocol == "new-movies":
        from .new_movies import new_movie_split

        return new_movie_split(data, 0.1, seed)
    raise ValueError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")


@dataclass
class Result:
    """One method on one protocol: its metrics and how long fitting and answering took."""

    protocol: str
    name: str
    description: str
    metrics: dict[str, float] = field(default_factory=dict)
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0


def time_ranker(protocol: str, name: str, description: str, build: Callable[[], Callable],
                test: Interactions, k: int, **measures) -> Result:
    """Fit, then score (`measures`: evaluate_ranker's `predicted` and `n_items`)."""
    started = time.perf_counter()
    recommend = build()
    fitted = time.perf_counter() - started
    metrics = evaluate_ranker(recommend, test, k, **measures)
    return Result(protocol, name, description, metrics, fitted, time.perf_counter() - started - fitted)


def time_rating_model(protocol: str, name: str, description: str, build: Callable[[], Callable],
                      test: Interactions) -> Result:
    """`build()` returns predict(user_ids, movie_ids) -> stars."""
    started = time.perf_counter()
    predict = build()
    fitted = time.perf_counter() - started
    predicted = np.clip(np.asarray(predict(test.user_ids, test.movie_ids), dtype=np.float64), 0.5, 5.0)
    metrics = {"rmse": rmse(test.stars, predicted), "mae": mae(test.stars, predicted)}
    return Result(protocol, name, description, metrics, fitted, time.perf_counter() - started - fitted)
