"""'Similar movies': the text-CNN's content vectors blended with collaborative item-to-item similarity.

Content alone (cosine of the movie tower's vectors: title words, genres,
year) serves a film nobody rated yet, but misses what only viewers know:
*Aliens* is not "like" *Alien* by its title words and genres alone. The
collaborative part, EASE's item-to-item weights read both ways (what a fan
of this film goes on to rate, and what leads to it), knows sequels and
series. Each part is standardised over the catalogue and the collaborative
one weighs COLLABORATIVE_WEIGHT, times n / (n + SUPPORT) for a film of n
ratings; a film nobody rated has no collaborative part and is placed by its
content alone. Measured on inner splits of the training ratings (`python -m
bench.bench_similar`, docs/benchmarks.md): for a viewer who loved the film,
the blend's list holds a film they love later almost twice as often as
content alone, about as often as the collaborative part alone (which cannot
place an unrated film); damping by support (20) lost a little.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scores import standardised

__all__ = ["COLLABORATIVE_WEIGHT", "SUPPORT", "Similarity"]

COLLABORATIVE_WEIGHT = 2.0
SUPPORT = 0.0


@dataclass(frozen=True)
class Similarity:
    collaborative_weight: float = COLLABORATIVE_WEIGHT
    support: float = SUPPORT
    content: bool = True

    def scores(self, row: int, unit_movies: np.ndarray, item_weights: np.ndarray | None,
               popularity: np.ndarray | None) -> np.ndarray:
        """One score per movie row for the movie at `row` (itself included; the caller blocks it)."""
        content = (unit_movies @ unit_movies[row]).astype(np.float64)
        if item_weights is None or not self.collaborative_weight:
            return content
        both_ways = np.asarray(item_weights[row], dtype=np.float64) + np.asarray(item_weights[:, row], np.float64)
        if popularity is None:      # an older run: no counts to weigh by, the measured weight as it is
            weight = self.collaborative_weight
        else:
            ratings = float(popularity[row])
            weight = self.collaborative_weight * ratings / max(ratings + self.support, 1e-12)
        collaborative = standardised(both_ways)      # all zeros (a film nobody rated) stays zeros
        if not self.content:
            return collaborative
        return standardised(content) + weight * collaborative
