"""'Viewers who loved this also loved': per-movie neighbour lists computed at training time.

For movie m, the fans F are the viewers who rated it at least `liked` stars.
Every other movie j scores the sum over those fans who also liked j of
(stars - liked + 1), divided by sqrt(number of ratings of j) so that films
everyone rates do not top every list. Only the best `keep` neighbours of each
movie are stored (three small arrays), so serving is a row lookup and the
run stays small for any catalogue size.
"""
from __future__ import annotations

import numpy as np

from ..reasons import Reason, gettext_noop

__all__ = ["ALSO_LIKED_ARRAYS", "also_liked_neighbours", "also_liked_reason"]

ALSO_LIKED_ARRAYS = ("also_liked_rows", "also_liked_scores", "also_liked_fans")


def also_liked_reason(fans: int, title: str) -> Reason:
    # Two templates rather than ngettext: the engine has no catalogue, and Chinese needs one form.
    if fans == 1:
        return Reason(gettext_noop("{fans} person who loved {title} also loved this"), fans=fans, title=title)
    return Reason(gettext_noop("{fans} people who loved {title} also loved this"), fans=fans, title=title)


def also_liked_neighbours(users: np.ndarray, movies: np.ndarray, stars: np.ndarray, n_users: int,
                          n_movies: int, *, liked: float = 4.0, keep: int = 100,
                          block: int = 512) -> dict[str, np.ndarray]:
    """Neighbour lists for every movie: row indices, scores and fan counts, best first.

    `users` and `movies` are row indices (0..n-1) of the ratings. Rows of
    movies with fewer than `keep` neighbours are padded with -1 / 0.
    """
    keep = max(1, min(keep, n_movies - 1)) if n_movies > 1 else 1
    fans = stars >= liked
    weight = np.zeros((n_users, n_movies), dtype=np.float32)
    weight[users[fans], movies[fans]] = stars[fans] - liked + 1.0
    is_fan = (weight > 0).astype(np.float32)
    popularity = np.bincount(movies, minlength=n_movies).astype(np.float32)
    damping = 1.0 / np.sqrt(np.maximum(popularity, 1.0))

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
    return dict(zip(ALSO_LIKED_ARRAYS, (rows, scores, counts)))
