"""Generate MovieLens-1M-format files of any size, with ML-1M's exact shape by default.

Used by the benchmarks and the fault tests (ML-1M itself cannot be downloaded on
every machine); `python -m bench.synthetic DEST` writes a folder from the command line.
Ratings follow a planted low-rank structure plus popularity skew, so the files
are also usable to time training.
"""
from __future__ import annotations

__all__ = ["write_ml1m"]

from pathlib import Path

import numpy as np

from .formats import AGE_GROUPS

GENRES = ["Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
          "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
          "Thriller", "War", "Western"]
WORDS = ("love night man story last day city dead house world girl dark time king war blue "
         "star life secret lost return red wild heart river game summer dream fire street").split()


def write_ml1m(dest: Path, n_users: int = 6040, n_movies: int = 3883,
               n_ratings: int = 1_000_209, seed: int = 0) -> Path:
    """Write users.dat, movies.dat, ratings.dat into `dest` (latin-1, '::'-separated)."""
    rng = np.random.default_rng(seed)
    dest.mkdir(parents=True, exist_ok=True)
    with (dest / "movies.dat").open("w", encoding="latin-1") as fh:
        for m in range(1, n_movies + 1):
            words = " ".join(rng.choice(WORDS, size=rng.integers(1, 6))).title()
            genres = "|".join(rng.choice(GENRES, size=rng.integers(1, 4), replace=False))
            fh.write(f"{m}::{words} {m} ({rng.integers(1919, 2001)})::{genres}\n")
    with (dest / "users.dat").open("w", encoding="latin-1") as fh:
        for u in range(1, n_users + 1):
            fh.write(f"{u}::{'MF'[rng.integers(2)]}::{rng.choice(list(AGE_GROUPS))}"
                     f"::{rng.integers(21)}::{rng.integers(10000, 99999)}\n")

    # Ratings per user: heavy-tailed, at least 20 each (as in ML-1M), summing exactly.
    weights = rng.pareto(1.5, size=n_users) + 1
    counts = np.minimum(20 + np.floor(weights / weights.sum() * (n_ratings - 20 * n_users)),
                        n_movies).astype(np.int64)
    while counts.sum() < n_ratings:
        room = np.flatnonzero(counts < n_movies)
        counts[rng.choice(room, size=min(len(room), n_ratings - counts.sum()), replace=False)] += 1
    # Each user's movies drawn without replacement, skewed to popular ones (Gumbel top-k).
    log_pop = -0.9 * np.log(np.arange(1, n_movies + 1))[rng.permutation(n_movies)]
    users = np.repeat(np.arange(n_users), counts)
    movies = np.empty(n_ratings, dtype=np.int64)
    at = 0
    for u, c in enumerate(counts.tolist()):
        keys = log_pop + rng.gumbel(size=n_movies)
        movies[at:at + c] = np.argpartition(-keys, c - 1)[:c] if c < n_movies else np.arange(n_movies)
        at += c
    u_factors = rng.normal(size=(n_users, 4))
    m_factors = rng.normal(size=(n_movies, 4))
    score = 3.6 + 0.5 * (u_factors[users] * m_factors[movies]).sum(1) + rng.normal(0, 0.7, n_ratings)
    stars = np.clip(np.rint(score), 1, 5).astype(int)
    stamps = rng.integers(956_703_932, 1_046_454_590, size=n_ratings)
    order = np.lexsort((stamps, users))
    with (dest / "ratings.dat").open("w", encoding="latin-1") as fh:
        fh.writelines(f"{u + 1}::{m + 1}::{s}::{t}\n" for u, m, s, t in
                      zip(users[order].tolist(), movies[order].tolist(),
                          stars[order].tolist(), stamps[order].tolist()))
    return dest
