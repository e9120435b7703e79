"""Accuracy and ranking metrics, as pure functions over arrays and id lists.

Ranking metrics take one user's ranked recommendations and the set of that
user's held-out relevant items; `mean_ranking_metrics` averages them over
users. All items a user has not trained on are ranked (no sampled negatives).
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np

__all__ = ["average_precision_at_k", "catalogue_coverage", "contradiction_at_k", "hit_rate_at_k",
           "largest_share", "mae", "mean_ranking_metrics", "ndcg_at_k", "precision_at_k", "recall_at_k",
           "rmse"]


def rmse(truth, predicted) -> float:
    truth, predicted = np.asarray(truth, dtype=np.float64), np.asarray(predicted, dtype=np.float64)
    return float(np.sqrt(np.mean((truth - predicted) ** 2)))


def mae(truth, predicted) -> float:
    truth, predicted = np.asarray(truth, dtype=np.float64), np.asarray(predicted, dtype=np.float64)
    return float(np.mean(np.abs(truth - predicted)))


def _hits(ranked: Sequence[int], relevant: set, k: int) -> np.ndarray:
    return np.array([item in relevant for item in list(ranked)[:k]], dtype=float)


def precision_at_k(ranked: Sequence[int], relevant: Iterable[int], k: int) -> float:
    """Share of the top k that is relevant (divided by k, even if fewer were returned)."""
    return float(_hits(ranked, set(relevant), k).sum() / k)


def recall_at_k(ranked: Sequence[int], relevant: Iterable[int], k: int) -> float:
    relevant = set(relevant)
    return float(_hits(ranked, relevant, k).sum() / len(relevant)) if relevant else 0.0


def ndcg_at_k(ranked: Sequence[int], relevant: Iterable[int], k: int) -> float:
    """Binary-relevance NDCG: DCG of the list over the DCG of a perfect list."""
    relevant = set(relevant)
    if not relevant:
        return 0.0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    hits = _hits(ranked, relevant, k)
    ideal = discounts[: min(len(relevant), k)].sum()
    return float((hits * discounts[: len(hits)]).sum() / ideal)


def average_precision_at_k(ranked: Sequence[int], relevant: Iterable[int], k: int) -> float:
    """AP@k: mean of precision at each hit, over min(|relevant|, k)."""
    relevant = set(relevant)
    if not relevant:
        return 0.0
    hits = _hits(ranked, relevant, k)
    if not hits.any():
        return 0.0
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision * hits).sum() / min(len(relevant), k))


def hit_rate_at_k(ranked: Sequence[int], relevant: Iterable[int], k: int) -> float:
    """1 if any relevant item is in the top k (leave-last-out's HR@k), else 0."""
    return float(_hits(ranked, set(relevant), k).any())


def mean_ranking_metrics(rankings: Mapping[int, Sequence[int]],
                         relevant: Mapping[int, Iterable[int]], k: int) -> dict[str, float]:
    """Every ranking metric averaged over the users that have relevant items."""
    users = [u for u, items in relevant.items() if items]
    if not users:
        raise ValueError("no user has held-out items")
    funcs = {"precision": precision_at_k, "recall": recall_at_k, "ndcg": ndcg_at_k,
             "map": average_precision_at_k, "hit_rate": hit_rate_at_k}
    return {f"{name}@{k}": float(np.mean([f(rankings.get(u, []), relevant[u], k) for u in users]))
            for name, f in funcs.items()}


def contradiction_at_k(predicted_stars: Sequence[float], k: int, floor: float) -> float:
    """Share of the (at most k) listed movies whose predicted stars are below `floor`; 0 for an empty list.

    `predicted_stars` are the rating model's stars for the list's movies, in list order.
    """
    listed = np.asarray(list(predicted_stars)[:k], dtype=np.float64)
    return float((listed < floor).mean()) if len(listed) else 0.0


def catalogue_coverage(lists: Iterable[Sequence[int]], n_items: int, k: int) -> float:
    """Share of the catalogue's `n_items` that appear in at least one list's top k."""
    shown = {item for ranked in lists for item in list(ranked)[:k]}
    return len(shown) / n_items if n_items else 0.0


def largest_share(lists: Iterable[Sequence[int]], k: int) -> float:
    """The largest share of the (non-empty) lists that any single item appears in, within their top k."""
    counts: dict[int, int] = {}
    n = 0
    for ranked in lists:
        top = set(list(ranked)[:k])
        if not top:
            continue
        n += 1
        for item in top:
            counts[item] = counts.get(item, 0) + 1
    return max(counts.values()) / n if n else 0.0
