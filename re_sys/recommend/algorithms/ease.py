"""EASE (Steck 2019): a closed-form item-to-item model for top-N recommendation.

With X the binary viewer x movie matrix, B minimises ||X - XB||² + λ||B||²
subject to diag(B) = 0, which has the closed form B = I - P·diag(1/diag(P))
where P = (XᵀX + λI)⁻¹. A viewer's scores are their row of X times B. One
dense inverse of a movies x movies matrix: ~1 s for ML-100K, a few for ML-1M.

With `sitting_weight` w > 0 the Gram matrix becomes (XᵀX + w·S) / (1 + w),
where S counts pairs rated in the same sitting (`sittings.sitting_gram`):
movies met together weigh more than movies merely rated by the same people.
The division keeps λ on the same scale as plain EASE's.

With `genre_weight` g > 0 and the movies' genres given to `fit`, each genre
also counts as a pseudo-viewer who rated every movie of that genre with
weight g, adding g²·FFᵀ to the Gram matrix (F: movies x genres, 0/1), as
Jeunen, Van Balen & Goethals (2020) add side information to EASE. Two movies
sharing a genre are pulled together a little, which helps most where few
viewers link them.

With `liking_weight` β > 0 the Gram matrix also gains β·CᵀC, where C holds
each rating as the viewer's stars minus the mean of their own stars (0
where they did not rate). Co-rating says which movies the same people
watch; co-liking says which of those the same people liked more than
usual, which separates two films everyone rated but different people
enjoyed. The scores still come from the 0/1 row: what the viewer rated,
not how, is the query. On ML-100K β = 0.15 gains on every seed, on inner
splits and outer ones (docs/benchmarks.md).

With `liked_target` α > 0 the model is fitted to predict Y = X + α·C, not X
alone: what the viewer will rate *and* how much more than usual they will
like it. Plain EASE learns "people who rated A rate B", so a film its
raters go on to dislike is recommended as readily as one they love; the
target puts the stars into the weights themselves, where `liking_weight`
only reshapes which movies count as alike. With diag(B) = 0 the closed form
becomes B = P(G + α·XᵀC) − P·diag(d), d chosen to zero the diagonal
(`closed_form`'s `cross`; with sittings α·XᵀC is divided by 1 + w as the
Gram is); α = 0 is plain EASE exactly.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from .base import Interactions, Recommender, top_k
from .sittings import SITTING_SECONDS, sitting_gram


def closed_form(gram: np.ndarray, regularisation, *, overwrite: bool = False,
                cross: np.ndarray | None = None) -> np.ndarray:
    """EASE's weights from a Gram matrix (Steck 2019): B = −P / diag(P), P = (G + λI)⁻¹, diagonal 0.

    `regularisation` is λ, one number or one per movie. `overwrite` lets the
    Gram be used as scratch (at 20,000 movies a copy is another 3.2 GB).
    `cross`, where the target Y is not the input X, is Xᵀ(Y − X): then
    B = P(G + cross) − P·diag(d), the d that zeroes the diagonal; with P·G =
    I − P·diag(λ) that is I − P·diag(λ) + P·cross − P·diag(d).
    """
    gram = np.asarray(gram, dtype=np.float64) if overwrite else np.array(gram, dtype=np.float64)
    n = len(gram)
    gram[np.diag_indices(n)] += regularisation
    inverse = np.linalg.inv(gram)
    if cross is None:
        weights = -inverse / np.diag(inverse)
    else:
        fitted = inverse @ np.asarray(cross, dtype=np.float64)
        fitted -= inverse * np.broadcast_to(np.asarray(regularisation, dtype=np.float64), (n,))
        fitted[np.diag_indices(n)] += 1.0
        weights = fitted - inverse * (np.diag(fitted) / np.diag(inverse))
    weights[np.diag_indices(n)] = 0.0
    return weights


class EASE(Recommender):
    name = "ease"

    def __init__(self, regularisation: float = 500.0, sitting_weight: float = 0.0,
                 sitting_seconds: float = SITTING_SECONDS, genre_weight: float = 0.0,
                 liking_weight: float = 0.0, liked_target: float = 0.0):
        for name, value in (("sitting_weight", sitting_weight), ("genre_weight", genre_weight),
                            ("liking_weight", liking_weight), ("liked_target", liked_target)):
            if value < 0:
                raise ValueError(f"{name} must not be negative, not {value}")
        self.regularisation = regularisation
        self.sitting_weight = sitting_weight
        self.sitting_seconds = sitting_seconds
        self.genre_weight = genre_weight
        self.liking_weight = liking_weight
        self.liked_target = liked_target

    def fit(self, interactions: Interactions,
            genres: Mapping[int, Iterable[str]] | None = None) -> "EASE":
        """`genres`: movie id -> its genre names, used when `genre_weight` > 0 (movies absent have none)."""
        self._index(interactions)
        n_movies = len(self.movie_ids)
        x = np.zeros((len(self.user_ids), n_movies), dtype=np.float32)
        x[self._seen_rows, self._seen_cols] = 1.0
        gram = (x.T @ x).astype(np.float64)
        rows = np.searchsorted(self.user_ids, interactions.user_ids)
        cols = np.searchsorted(self.movie_ids, interactions.movie_ids)
        if self.sitting_weight:
            sittings = sitting_gram(rows, cols, interactions.timestamps, n_movies, self.sitting_seconds)
            gram = (gram + self.sitting_weight * sittings) / (1.0 + self.sitting_weight)
        if self.genre_weight and genres is not None:
            features = genre_matrix(self.movie_ids, genres)
            # In blocks of rows: at 20,000 movies a whole FFᵀ would be another 3.2 GB beside the Gram.
            for start in range(0, n_movies, 2048):
                gram[start:start + 2048] += self.genre_weight ** 2 * (features[start:start + 2048] @ features.T)
        cross = None
        if self.liking_weight or self.liked_target:
            rated = x.astype(bool) if self.liked_target else None
            liking = centred_stars(x, rows, cols, interactions.stars)
            if self.liking_weight:
                gram += self.liking_weight * (liking.T @ liking)
            if self.liked_target:
                # On the Gram's scale: with sittings the Gram is divided by (1 + w), and so is Xᵀ(Y − X),
                # so that α means the same with and without them.
                cross = self.liked_target * _rated_times(rated, liking) / (1.0 + self.sitting_weight)
        self.weights = closed_form(gram, self.regularisation, overwrite=True, cross=cross).astype(np.float32)
        return self

    def scores(self, user_row: int) -> np.ndarray:
        return self.weights[self.seen(user_row)].sum(axis=0)

    def scores_for(self, movie_ids) -> np.ndarray:
        """Scores for a viewer given only the movies they rated (fold-in for free)."""
        rows = [self._movie_row[int(m)] for m in movie_ids if int(m) in self._movie_row]
        return self.weights[rows].sum(axis=0)

    def similar_items(self, movie_id: int, k: int = 10) -> list[tuple[int, float]]:
        row = self._movie_row[int(movie_id)]
        scores = self.weights[row].astype(np.float64, copy=True)
        scores[row] = -np.inf
        return [(int(self.movie_ids[i]), float(scores[i])) for i in top_k(scores, k)]

    def save(self, path: Path) -> None:
        np.savez(path, movie_ids=self.movie_ids, weights=self.weights,
                 regularisation=self.regularisation, sitting_weight=self.sitting_weight,
                 sitting_seconds=self.sitting_seconds, genre_weight=self.genre_weight,
                 liking_weight=self.liking_weight, liked_target=self.liked_target)

    @classmethod
    def load(cls, path: Path) -> "EASE":
        data = np.load(path)
        # Files saved before sittings, genres or liking existed lack those settings: plain EASE.
        model = cls(float(data["regularisation"]),
                    float(data["sitting_weight"]) if "sitting_weight" in data else 0.0,
                    float(data["sitting_seconds"]) if "sitting_seconds" in data else SITTING_SECONDS,
                    float(data["genre_weight"]) if "genre_weight" in data else 0.0,
                    float(data["liking_weight"]) if "liking_weight" in data else 0.0,
                    float(data["liked_target"]) if "liked_target" in data else 0.0)
        model._set_movies(data["movie_ids"])
        model.weights = data["weights"]
        return model


def centred_stars(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, stars: np.ndarray) -> np.ndarray:
    """`x` (viewers x movies, 0/1) overwritten with each rating's stars minus its viewer's mean stars.

    In place, because a second viewers x movies array would double fit's peak
    memory. A viewer listed twice for one movie counts with the last of those
    ratings, as the 0/1 matrix counts the pair once.
    """
    counts = x.sum(axis=1, dtype=np.float64)
    x[rows, cols] = stars
    means = x.sum(axis=1, dtype=np.float64) / np.maximum(counts, 1.0)
    x[rows, cols] = stars - means[rows]
    return x


def _rated_times(rated: np.ndarray, liking: np.ndarray) -> np.ndarray:
    """Xᵀ·C (movies x movies) for the 0/1 `rated` and the centred stars, in blocks of viewers
    so that no float copy of `rated` as large as the ratings matrix is made at once."""
    out = np.zeros((rated.shape[1], liking.shape[1]), dtype=np.float64)
    for start in range(0, len(rated), 4096):
        out += rated[start:start + 4096].T.astype(np.float32) @ liking[start:start + 4096]
    return out


def genre_matrix(movie_ids: np.ndarray, genres: Mapping[int, Iterable[str]]) -> np.ndarray:
    """Movies x genres, 1 where the movie (in `movie_ids` order) has the genre; genres sorted by name."""
    lists = [tuple(genres.get(int(m), ())) for m in movie_ids]
    names = sorted({g for genre_list in lists for g in genre_list})
    column = {name: i for i, name in enumerate(names)}
    out = np.zeros((len(movie_ids), len(names)), dtype=np.float64)
    for row, genre_list in enumerate(lists):
        out[row, [column[g] for g in genre_list]] = 1.0
    return out
