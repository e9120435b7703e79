"""Which movies people rate in the same sitting: a Gram matrix weighted by time apart.

Plain co-occurrence (XᵀX) counts two movies together whenever one viewer rated
both, months apart or seconds apart. Movies rated within minutes of each other
were usually met together (the same page, the same mood, the same evening), a
closer bond. `sitting_gram` counts each pair of one viewer's ratings with
weight exp(-|t_i - t_j| / seconds): 1 for the same moment, 0.37 five minutes
apart with the default, nothing across days. The weight is a positive definite
kernel over each viewer's rating times, so the sum over viewers is a valid
Gram matrix for EASE, with the same diagonal as XᵀX (each movie's count).
"""
from __future__ import annotations

import numpy as np

__all__ = ["SITTING_SECONDS", "sitting_gram"]

SITTING_SECONDS = 300.0

# Pairs more than this many time constants apart weigh under e^-8 ≈ 0.0003;
# a gap that long ends a sitting, so no pair across it is formed at all.
_CUTOFF = 8.0

# Pairs buffered before they are added into the matrix: bounds memory on
# viewers with thousands of ratings in one sitting. np.add.at, not bincount,
# so that no second movies² array is made on large catalogues.
_CHUNK = 8_000_000


def sitting_gram(user_rows: np.ndarray, movie_cols: np.ndarray, timestamps: np.ndarray, n_movies: int,
                 seconds: float = SITTING_SECONDS) -> np.ndarray:
    """n_movies × n_movies: Σ over viewers and pairs of their ratings of exp(-|Δt| / seconds).

    One rating per viewer and movie is assumed (as in `Interactions`).
    """
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    order = np.lexsort((movie_cols, timestamps, user_rows))
    users = np.asarray(user_rows)[order]
    movies = np.asarray(movie_cols, dtype=np.int64)[order]
    times = np.asarray(timestamps, dtype=np.float64)[order]
    gram = np.zeros(n_movies * n_movies)
    if not len(users):
        return gram.reshape(n_movies, n_movies)
    new_sitting = np.r_[True, (users[1:] != users[:-1]) | (np.diff(times) > _CUTOFF * seconds)]
    starts = np.flatnonzero(new_sitting)
    ends = np.r_[starts[1:], len(users)]
    # A lone rating only adds its own count to the diagonal: no pairs to form.
    np.add.at(gram, movies * (n_movies + 1), 1.0)
    cells, weights, buffered = [], [], 0

    def flush():
        nonlocal cells, weights, buffered
        if cells:
            np.add.at(gram, np.concatenate(cells), np.concatenate(weights))
        cells, weights, buffered = [], [], 0

    paired = ends - starts > 1
    for start, end in zip(starts[paired], ends[paired]):
        m, t = movies[start:end], times[start:end]
        off_diagonal = ~np.eye(len(m), dtype=bool)
        cells.append((m[:, None] * n_movies + m[None, :])[off_diagonal])
        weights.append(np.exp(-np.abs(t[:, None] - t[None, :]) / seconds)[off_diagonal])
        buffered += len(m) ** 2
        if buffered >= _CHUNK:
            flush()
    flush()
    return gram.reshape(n_movies, n_movies)
