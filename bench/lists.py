"""How a movie page's list ("also liked", "similar") is scored offline: does it lead a fan to what they love next?"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

from re_sys.recommend.algorithms import Interactions
from re_sys.recommend.stars import LOVED_STARS

__all__ = ["held_out_accuracy"]


def held_out_accuracy(lists: Mapping[int, Sequence[int]], train: Interactions, test: Interactions, k: int,
                      counts: Callable[[int], bool] | None = None) -> float:
    """Over every (viewer, movie A) with the viewer a fan of A in training (≥ LOVED_STARS) and some
    held-out movie loved, the share whose list of A (movies the viewer trained on left out, first k)
    holds one of those held-out loved movies. `counts(A)` limits which movies A are asked about."""
    seen: dict[int, set[int]] = {}
    for user, movie in zip(train.user_ids.tolist(), train.movie_ids.tolist()):
        seen.setdefault(user, set()).add(movie)
    loved_later: dict[int, set[int]] = {}
    for user, movie, stars in zip(test.user_ids.tolist(), test.movie_ids.tolist(), test.stars.tolist()):
        if stars >= LOVED_STARS:
            loved_later.setdefault(user, set()).add(movie)
    hits = pairs = 0
    for user, movie, stars in zip(train.user_ids.tolist(), train.movie_ids.tolist(), train.stars.tolist()):
        if stars < LOVED_STARS or user not in loved_later or (counts is not None and not counts(movie)):
            continue
        shown = [m for m in lists.get(movie, ()) if m not in seen[user]][:k]
        pairs += 1
        hits += bool(loved_later[user].intersection(shown))
    return hits / pairs if pairs else 0.0
