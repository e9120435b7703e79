"""'Viewers who loved this also loved': per-movie neighbour lists computed at training time.

For movie m, the fans F are the viewers who rated it at least `liked` stars.
Every other movie j scores how much more m's fans love j than everyone does:
the sum over the fans who also loved j of (stars - liked + 1), divided by
(j's own number of fans + FAN_PRIOR) ** FAN_POWER (`co_liking_score`). A
power of 1 is the lift (how many times likelier m's fans are to love j); the
measured power sits below it so that a film loved by a handful of m's fans
and nobody else does not top the list either. Only the best `keep`
neighbours of each movie are stored (three small arrays), so serving is a row
lookup and the run stays small for any catalogue size.
"""
from __future__ import annotations

import numpy as np

from ...stars import LOVED_STARS
from ..reasons import Reason, gettext_noop

__all__ = ["ALSO_LIKED_ARRAYS", "FAN_POWER", "FAN_PRIOR", "MAX_SHARE", "also_liked_neighbours", "also_liked_reason",
           "capped", "co_liking_score"]

ALSO_LIKED_ARRAYS = ("also_liked_rows", "also_liked_scores", "also_liked_fans")
# Chosen on inner splits of the training ratings (ML-100K, seeds 0-2), with
# the cap below: the best held-out accuracy of the grid. A full lift (power 1)
# keeps blockbusters out by itself but finds a fan's next loved film a fifth
# less often; the cap does that work at no such cost
# (`python -m bench.bench_also_liked`, docs/benchmarks.md).
FAN_POWER = 0.25
FAN_PRIOR = 30.0
# The share of the lists any one movie may take among their first SHOWN
# entries of SHOWN_MIN_FANS or more shared fans (what a movie page shows,
# RE_SYS_ALSO_LIKED_MIN_FANS's default): beyond it a blockbuster leaves the
# lists where it stands weakest.
MAX_SHARE = 0.15
SHOWN, SHOWN_MIN_FANS = 10, 3
# The lists the share is of: those of movies with this many ratings (a rarely
# rated film's short list is not where a blockbuster crowds the others out).
CAPPED_RATINGS = 50


def co_liking_score(weight, fans_of_other, *, power: float = FAN_POWER, prior: float = FAN_PRIOR):
    """The list's score of another movie: the fans' summed weight over that movie's own fans (damped).

    One formula for the run's lists and the site's SQL fallback.
    """
    return np.asarray(weight, dtype=np.float64) / np.maximum(np.asarray(fans_of_other, np.float64) + prior, 1.0) ** power


def also_liked_reason(fans: int, title: str) -> Reason:
    # Two templates rather than ngettext: the engine has no catalogue, and Chinese needs one form.
    if fans == 1:
        return Reason(gettext_noop("{fans} person who loved {title} also loved this"), fans=fans, title=title)
    return Reason(gettext_noop("{fans} people who loved {title} also loved this"), fans=fans, title=title)


def also_liked_neighbours(users: np.ndarray, movies: np.ndarray, stars: np.ndarray, n_users: int,
                          n_movies: int, *, liked: float = LOVED_STARS, keep: int = 100,
                          block: int = 512, power: float = FAN_POWER, prior: float = FAN_PRIOR,
                          max_share: float | None = MAX_SHARE) -> dict[str, np.ndarray]:
    """Neighbour lists for every movie: row indices, scores and fan counts, best first.

    `users` and `movies` are row indices (0..n-1) of the ratings. Rows of
    movies with fewer than `keep` neighbours are padded with -1 / 0. With
    `max_share`, no movie stays in the first SHOWN of more than that share
    of the lists (`capped`).
    """
    keep = max(1, min(keep, n_movies - 1)) if n_movies > 1 else 1
    fans = stars >= liked
    weight = np.zeros((n_users, n_movies), dtype=np.float32)
    weight[users[fans], movies[fans]] = stars[fans] - liked + 1.0
    is_fan = (weight > 0).astype(np.float32)
    damping = co_liking_score(1.0, is_fan.sum(axis=0), power=power, prior=prior).astype(np.float32)

    rows = np.full((n_movies, keep), -1, dtype=np.int32)
    scores = np.zeros((n_movies, keep), dtype=np.float32)
    counts = np.zeros((n_movies, keep), dtype=np.int32)
    for start in range(0, n_movies, block):
        stop = min(start + block, n_movies)
        fans_of_block = is_fan[:, start:stop].T            # block x users
        score = (fans_of_block @ weight) * damping          # block x movies
        shared = fans_of_block @ is_fan                     # fans in common
        local = np.arange(stop - start)
        score[local, start + local] = 0.0                   # never the movie itself
        score[shared == 0] = 0.0
        top = np.argpartition(-score, keep - 1, axis=1)[:, :keep] if keep < n_movies else \
            np.tile(np.arange(n_movies), (stop - start, 1))
        top_scores = np.take_along_axis(score, top, axis=1)
        order = np.lexsort((top, -top_scores), axis=1)
        top, top_scores = np.take_along_axis(top, order, 1), np.take_along_axis(top_scores, order, 1)
        present = top_scores > 0
        rows[start:stop] = np.where(present, top, -1)
        scores[start:stop] = np.where(present, top_scores, 0.0)
        counts[start:stop] = np.where(present, np.take_along_axis(shared, top, 1), 0).astype(np.int32)
    if max_share is not None:
        counted = np.bincount(movies, minlength=n_movies) >= CAPPED_RATINGS
        rows, scores, counts = capped(rows, scores, counts, max_share, counted)
    return dict(zip(ALSO_LIKED_ARRAYS, (rows, scores, counts)))


def capped(rows: np.ndarray, scores: np.ndarray, counts: np.ndarray, max_share: float, counted: np.ndarray, *,
           shown: int = SHOWN, min_fans: int = SHOWN_MIN_FANS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lists with no movie in the first `shown` (of `min_fans` or more) of over `max_share` of the
    `counted` lists (a flag per list: those of movies with CAPPED_RATINGS ratings or more).

    Greedy, position by position: at each position the lists where a movie
    stands strongest (its score over the list's best) keep it until it holds
    its quota; from the others it is removed, and the list moves up. Order
    within a list still follows the score, and the fan counts stay each
    entry's own.
    """
    n_lists, keep = rows.shape
    shown_min = (rows >= 0) & (counts >= min_fans)
    shown_min &= counted[:, None]
    quota = max(1, int(max_share * max(1, int(counted.sum()))))
    held = np.zeros(int(rows.max(initial=0)) + 1, dtype=np.int64)
    filled = np.zeros(n_lists, dtype=np.int64)
    removed = np.zeros_like(rows, dtype=bool)
    strength = scores / np.maximum(scores[:, :1], 1e-30)
    for position in range(keep):
        lists = np.flatnonzero(shown_min[:, position])
        full = lists[filled[lists] >= shown]            # past what a page shows: only the quota applies
        removed[full[held[rows[full, position]] >= quota], position] = True
        lists = lists[filled[lists] < shown]
        lists = lists[np.argsort(-strength[lists, position], kind="stable")]
        movies = rows[lists, position]
        # How many stronger lists at this position claim the same movie.
        order = np.argsort(movies, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(movies[order])) + 1]
        before = np.empty(len(order), dtype=np.int64)
        before[order] = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        over = held[movies] + before >= quota
        removed[lists[over], position] = True
        kept = lists[~over]
        np.add.at(held, rows[kept, position], 1)
        filled[kept] += 1
    out = [np.full_like(a, fill) for a, fill in ((rows, -1), (scores, 0), (counts, 0))]
    for i in np.flatnonzero(removed.any(axis=1)):
        stay = ~removed[i]
        for source, target in zip((rows, scores, counts), out):
            target[i, :stay.sum()] = source[i, stay]
    untouched = ~removed.any(axis=1)
    for source, target in zip((rows, scores, counts), out):
        target[untouched] = source[untouched]
    return tuple(out)
