"""Score arrays, the one way: the k best, and scores put on one scale before they are added."""
from __future__ import annotations

import numpy as np

__all__ = ["standardised", "top_k"]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest finite scores, best first, ties broken by index.

    -inf marks what must not be listed (rated, hidden, the query itself), so
    it is never returned, even when fewer than k scores are left.
    """
    finite = np.isfinite(scores)
    k = min(k, int(finite.sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    masked = np.where(finite, scores, -np.inf)
    part = np.argpartition(-masked, k - 1)[:k]
    return part[np.lexsort((part, -masked[part]))]


def standardised(scores: np.ndarray) -> np.ndarray:
    """(score − mean) / std over the finite scores; -inf (blocked movies) stays -inf."""
    finite = np.isfinite(scores)
    if not finite.any():
        return scores
    values = scores[finite]
    out = np.full_like(scores, -np.inf)
    out[finite] = (values - values.mean()) / (values.std() + 1e-12)
    return out
