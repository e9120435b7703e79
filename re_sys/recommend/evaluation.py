"""Splitting protocols and the loop that scores any `Recommender` on them."""
from __future__ import annotations

from typing import Callable

import numpy as np

from .algorithms.base import Interactions
from .metrics import mean_ranking_metrics

__all__ = ["evaluate_ranker", "leave_last_out", "per_user_split"]


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
