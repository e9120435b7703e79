"""The implicit-feedback ALS channel (Hu, Koren & Volinsky 2008): "viewers with tastes like yours".

Training fits item factors on the binary "rated it" matrix with the
`implicit` package; serving keeps only those factors and folds each viewer
in from the movies they rated, one small solve per request (numpy only):

    x_u = (YᵀY + Σ_i∈u (c − 1) y_i y_iᵀ + λI)⁻¹ Σ_i∈u c y_i

with confidence c for a rated movie and 1 for the rest, which is exactly
the user step of ALS. Its memory grows with the number of movies times the
factors, not movies², so it is the collaborative channel that still works
when the catalogue is too large for EASE's dense item-item matrix.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["ALS_FILES", "ImplicitALS"]

ALS_FILES = ("als_items.npy", "als.json")
# Chosen on ML-100K by NDCG@10 on an inner split of the training ratings (a
# grid of 16-128 factors, λ 0.05-150, confidence 1.5-60): few factors, strong
# regularisation and low confidence. That scored 0.47 on the held-out quarter,
# where implicit's usual 64 factors, λ 0.05, confidence 20 score 0.33
# (docs/benchmarks.md).
FACTORS, REGULARISATION, CONFIDENCE, ITERATIONS = 16, 20.0, 5.0, 15


@dataclass
class ImplicitALS:
    item_factors: np.ndarray        # n_movies x factors, rows in the run's movie order
    regularisation: float = REGULARISATION
    confidence: float = CONFIDENCE

    def __post_init__(self):
        self.item_factors = np.ascontiguousarray(self.item_factors, dtype=np.float32)
        factors = self.item_factors.astype(np.float64)
        self._factors64 = factors
        self._gram = factors.T @ factors

    @property
    def n_movies(self) -> int:
        return self.item_factors.shape[0]

    @classmethod
    def fit(cls, rating_users: np.ndarray, rating_movies: np.ndarray, n_users: int, n_movies: int, *,
            factors: int = FACTORS, regularisation: float = REGULARISATION, confidence: float = CONFIDENCE,
            iterations: int = ITERATIONS, seed: int = 0) -> "ImplicitALS":
        """Factors from (user row, movie row) pairs; stars are ignored: rating a film is the signal."""
        import scipy.sparse as sp
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        pairs = sp.csr_matrix((np.ones(len(rating_users), np.float32), (rating_users, rating_movies)),
                              shape=(n_users, n_movies))
        pairs.data[:] = 1.0          # a viewer rating the same film twice is still one signal
        # implicit runs its own threads; BLAS threads inside them only contend.
        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(factors=factors, regularization=regularisation,
                                            alpha=confidence, iterations=iterations, random_state=seed)
            model.fit(pairs, show_progress=False)
        return cls(np.asarray(model.item_factors), regularisation, confidence)

    def user_vector(self, rows: np.ndarray, liked: np.ndarray | None = None) -> np.ndarray:
        """The viewer's factors from the movie rows they rated (the ALS user step).

        `liked` (one flag per row) makes the fold-in signed: a movie rated but
        not liked keeps its confidence with preference 0 instead of 1, so the
        viewer's factors are pushed away from it, not towards it.
        """
        rows = np.asarray(rows, dtype=np.int64)
        preference = np.ones(len(rows)) if liked is None else np.asarray(liked, dtype=np.float64)
        rows, first = np.unique(rows, return_index=True)
        preference = preference[first]
        rated = self._factors64[rows]
        gram = self._gram + (self.confidence - 1.0) * (rated.T @ rated)
        gram[np.diag_indices_from(gram)] += self.regularisation
        return np.linalg.solve(gram, self.confidence * (preference @ rated))

    def scores(self, rows: np.ndarray, liked: np.ndarray | None = None) -> np.ndarray:
        """How likely the viewer is to watch (with `liked`: to like) each movie (run order); 0s for no rows."""
        if len(rows) == 0:
            return np.zeros(self.n_movies)
        return self._factors64 @ self.user_vector(rows, liked)

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        np.save(folder / ALS_FILES[0], self.item_factors)
        (folder / ALS_FILES[1]).write_text(json.dumps({
            "regularisation": self.regularisation, "confidence": self.confidence,
            "factors": int(self.item_factors.shape[1])}))

    @classmethod
    def load(cls, folder: Path) -> "ImplicitALS | None":
        """The channel saved in `folder`, or None when the run has none (an older run)."""
        folder = Path(folder)
        if not (folder / ALS_FILES[0]).exists():
            return None
        factors = np.load(folder / ALS_FILES[0], allow_pickle=False)
        settings = json.loads((folder / ALS_FILES[1]).read_text())
        if factors.ndim != 2 or factors.shape[1] != settings.get("factors"):
            raise ValueError(f"{ALS_FILES[0]} has shape {factors.shape}, "
                             f"not {settings.get('factors')} factors per movie")
        return cls(factors, float(settings["regularisation"]), float(settings["confidence"]))
