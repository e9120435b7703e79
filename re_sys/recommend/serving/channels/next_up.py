"""'Next for you': what viewers go on to watch after the films someone rated last.

Two parts, both fitted at training time and served from the run:

- a transition matrix T: T[a, b] counts how often b was rated within the
  next `window` ratings after a by the same viewer (each step further apart
  counts 1/lag), then divided by sqrt(row total) · sqrt(column total) so that
  films everyone rates do not follow everything;
- recency weights: a viewer's history weighted exp(-steps back / tau), so
  the latest films count most, applied to both T and the item-to-item (EASE)
  weights.

Each part's scores are standardised over the catalogue and added. On
ML-100K's leave-last-out protocol this ranks the held-out latest film in
the top 10 about twice as often as EASE on the whole history
(docs/benchmarks.md); on a random split, where order carries no signal,
the whole-history blend stays better. That is why it is a channel of its
own, not a weight inside the blend.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ...scores import standardised

__all__ = ["HISTORY_USED", "NEXT_UP_WINDOW", "RECENCY_TAU", "recency_weights", "transition_matrix", "next_up_scores"]

# Ratings within this many steps of each other count as "watched next"; chosen
# on ML-100K among 1, 3 and 10 (10 was best; docs/benchmarks.md).
NEXT_UP_WINDOW = 10
# Steps back at which a rated film's weight falls to 1/e.
RECENCY_TAU = 3.0


def transition_matrix(users: np.ndarray, movies: np.ndarray, timestamps: np.ndarray, n_movies: int,
                      *, window: int = NEXT_UP_WINDOW) -> np.ndarray:
    """Normalised "b rated soon after a" counts (float32, n_movies x n_movies).

    `users` and `movies` are row indices; ratings are ordered by viewer, then
    time, ties by movie so the result does not depend on file order.
    """
    order = np.lexsort((movies, timestamps, users))
    u, m = np.asarray(users)[order], np.asarray(movies)[order]
    counts = np.zeros((n_movies, n_movies), dtype=np.float32)
    for lag in range(1, window + 1):
        same = u[lag:] == u[:-lag]
        np.add.at(counts, (m[:-lag][same], m[lag:][same]), np.float32(1.0 / lag))
    out_total = counts.sum(axis=1, keepdims=True)
    in_total = counts.sum(axis=0, keepdims=True)
    counts /= np.sqrt(out_total + 1.0) * np.sqrt(in_total + 1.0)
    return counts


def recency_weights(n: int, tau: float = RECENCY_TAU) -> np.ndarray:
    """Weights of a history of n films, oldest first: the latest gets 1."""
    steps_back = np.arange(n - 1, -1, -1, dtype=np.float64)
    return np.exp(-steps_back / tau)


# Films further back than this weigh under e^-10 of the latest one: leaving
# them out changes no ranking and keeps a long history as fast as a short one.
HISTORY_USED = int(10 * RECENCY_TAU)


def _pulls(history_rows: Sequence[int], transitions: np.ndarray,
           item_weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """How much a viewer's history (movie rows, oldest first), the latest films most, leads to
    every movie row: through the transitions, and through the item-to-item weights (None without)."""
    rows = np.asarray(history_rows, dtype=np.int64)[-HISTORY_USED:]
    weights = recency_weights(len(rows))
    after = weights @ np.asarray(transitions[rows], dtype=np.float64)
    alongside = None if item_weights is None else weights @ np.asarray(item_weights[rows], dtype=np.float64)
    return after, alongside


def next_up_scores(history_rows: Sequence[int], transitions: np.ndarray,
                   item_weights: np.ndarray | None = None, *, led_only: bool = False) -> np.ndarray:
    """A score for every movie row, from a viewer's history (movie rows, oldest first); with
    `led_only`, -inf for the films the history leads to through neither part."""
    after, alongside = _pulls(history_rows, transitions, item_weights)
    scores, led = standardised(after), after > 0
    if alongside is not None:
        scores += standardised(alongside)
        led |= alongside > 0
    if led_only:
        scores[~led] = -np.inf
    return scores
