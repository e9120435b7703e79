"""Splitting protocols and the loops that score rankers and rating models on them.

Protocols:
- "user-split": each viewer's ratings split at random, 25 % held out, every
  held-out movie relevant (top-N ranking);
- "leave-last-out": each viewer's latest rating held out (top-N, HR@k);
- "new-viewers": 10 % of viewers held out whole; they are ranked for with
  no history at all, only their demographics (cold start);
- "holdout": a random 10 % of all ratings held out (rating prediction,
  RMSE/MAE).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..algorithms.base import Interactions
from ..metrics import mae, mean_ranking_metrics, rmse

__all__ = ["PROTOCOLS", "Result", "evaluate_ranker", "holdout_split", "leave_last_out", "new_viewer_split",
           "per_user_split", "split_for"]

PROTOCOLS = ("user-split", "leave-last-out", "new-viewers", "holdout")


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


def evaluate_ranker(recommend: Callable[[int, int], list], test: Interactions, k: int = 10
                    ) -> dict[str, float]:
    """Mean ranking metrics of `recommend(user_id, k)` against each viewer's held-out movies."""
    relevant: dict[int, set[int]] = {}
    for user, movie in zip(test.user_ids.tolist(), test.movie_ids.tolist()):
        relevant.setdefault(user, set()).add(movie)
    rankings = {}
    for user in relevant:
        try:
            rankings[user] = [m for m, *_ in recommend(user, k)]
        except KeyError:
            rankings[user] = []
    return mean_ranking_metrics(rankings, relevant, k)


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
                test: Interactions, k: int) -> Result:
    started = time.perf_counter()
    recommend = build()
    fitted = time.perf_counter() - started
    metrics = evaluate_ranker(recommend, test, k)
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
