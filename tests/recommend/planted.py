"""Small rating data with planted structure: two tastes, two kinds of movies."""
import numpy as np
import pandas as pd


def planted_frames(n_users: int = 60, n_movies: int = 40, density: float = 0.7, seed: int = 0,
                   other_density: float | None = None):
    """Users of taste A love 'boom' action movies and dislike 'love' romances; B the reverse.

    Each viewer rates a film of their own kind with probability `density`, one of the other kind
    with `other_density` (default: the same, so that what they rated says nothing of their taste).
    """
    rng = np.random.default_rng(seed)
    taste = rng.integers(0, 2, n_users)          # 0: action fan, 1: romance fan
    kind = np.arange(n_movies) % 2               # 0: action, 1: romance
    other = density if other_density is None else other_density
    rows = []
    for u in range(n_users):
        odds = np.where(kind == taste[u], density, other)
        for m in np.flatnonzero(rng.random(n_movies) < odds):
            base = 4.5 if taste[u] == kind[m] else 1.5
            stars = float(np.clip(np.round((base + rng.normal(0, 0.4)) * 2) / 2, 0.5, 5.0))
            rows.append((u + 1, m + 1, stars, 1_000_000 + len(rows)))
    ratings = pd.DataFrame(rows, columns=["user_id", "movie_id", "stars", "timestamp"])
    movies = pd.DataFrame({
        "movie_id": np.arange(1, n_movies + 1),
        "title": [f"{'Boom Blast' if k == 0 else 'Love Story'} {m} (1990)"
                  for m, k in enumerate(kind, start=1)],
        "genres": [["Action"] if k == 0 else ["Romance"] for k in kind]})
    users = pd.DataFrame({"user_id": np.arange(1, n_users + 1),
                          "gender": np.where(taste == 0, "M", "F"),
                          "age_group": 25, "occupation": "writer"})
    return ratings, movies, users
