"""How `Engine.for_user` turns the channels' scores into one list: the policy, its measured constants.

Three rules, each measured on inner splits of the training ratings
(ML-100K, seeds 0-2; `python -m bench.experiments.bench_trust`,
docs/benchmarks.md):

1. A rating is signed feedback (`RankingPolicy.feedback`): stars above the
   viewer's pivot pull their neighbours up, stars below push them down, a 5★
   harder than a 4★. The pivot sits LEVEL_OFFSET below the viewer's level,
   their mean pulled towards the run's mean (a viewer with three ratings has
   no reliable mean of their own), and never under DISLIKED_STARS.
2. The collaborative scores (EASE item-to-item plus ALS, each standardised)
   are blended with the rating model's predicted stars, so the list and the
   stars printed under it point the same way.
3. A movie predicted below PREDICTED_DISLIKE is listed only where nothing
   better is left: "for you" never recommends what its own stars call a miss.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scores import standardised, top_k
from ..stars import DISLIKED_STARS, PREDICTED_DISLIKE

__all__ = ["RANKING_ORDER", "RankingPolicy", "VARIETY_POOL"]

# Which channel ranks when the blend cannot (the viewer rated nothing the
# collaborative channels can use, or asked for one channel): the first one that
# can score, best measured first. ALS stands in for EASE where the catalogue
# was too large for EASE's dense matrix.
RANKING_ORDER = ("item-to-item", "als", "text-cnn", "demographic", "popular")

# EASE + ALS_WEIGHT × ALS: the two disagree usefully; the sum beat EASE alone on every seed.
ALS_WEIGHT = 1.0
# + STARS_WEIGHT × the predicted stars (standardised), in the blend.
STARS_WEIGHT = 1.0
# The viewer's pivot: their level, (their stars + PRIOR_COUNT × the run's mean) /
# (n + PRIOR_COUNT), less LEVEL_OFFSET, and never below DISLIKED_STARS. A rating
# above the pivot pulls by its distance, one below pushes: for a typical viewer
# (level 3.6) a 2★ is neutral, a 1★ pushes down, a 5★ pulls three times as hard
# as a 3★; for a generous one (level 4.5) a 2★ pushes too. Pivots nearer the
# level (offsets 0 and 1) lost more NDCG than they gained liked-NDCG.
PRIOR_COUNT = 5.0
LEVEL_OFFSET = 2.0

# With a variety seed, k results are drawn from the best VARIETY_POOL × k.
VARIETY_POOL = 3


@dataclass(frozen=True)
class RankingPolicy:
    """The ranking's settings; the defaults are the measured ones, benchmarks pass others."""

    als_weight: float = ALS_WEIGHT
    stars_weight: float = STARS_WEIGHT
    signed: bool = True
    prior_count: float = PRIOR_COUNT
    level_offset: float = LEVEL_OFFSET
    floor: float | None = PREDICTED_DISLIKE
    # None: the predicted stars join the blend standardised (linear in the stars). A number c:
    # they join as log P(stars ≥ c), the predicted stars read as a normal of spread `like_spread`,
    # a term that punishes a likely miss hard and barely tells two likely hits apart.
    like_threshold: float | None = None
    like_spread: float = 1.0
    # None: every rating counts alike. A number h: a rating h ratings older than the latest counts
    # half as much (the ratings arrive oldest first), so that the list follows the viewer's taste now.
    recency_half_life: float | None = None

    def __post_init__(self):
        if self.like_spread <= 0:
            raise ValueError(f"like_spread must be positive, not {self.like_spread}")
        if self.recency_half_life is not None and self.recency_half_life <= 0:
            raise ValueError(f"recency_half_life must be positive, not {self.recency_half_life}")

    def feedback(self, stars: np.ndarray, prior_mean: float) -> np.ndarray | None:
        """What each of a viewer's ratings says, signed (None when the policy reads them unsigned)."""
        if not self.signed:
            return None
        stars = np.asarray(stars, dtype=np.float64)
        level = (stars.sum() + self.prior_count * prior_mean) / (len(stars) + self.prior_count)
        signed = stars - max(level - self.level_offset, DISLIKED_STARS)
        if self.recency_half_life is None:
            return signed
        return signed * 0.5 ** (np.arange(len(stars) - 1, -1, -1) / self.recency_half_life)

    def ranking(self, channels: dict[str, np.ndarray], order: str = "blend") -> np.ndarray:
        """One score per movie row from the channels that could score (blocked rows stay -inf)."""
        if order == "blend" and "item-to-item" in channels and "als" in channels:
            ranking = standardised(channels["item-to-item"]) + self.als_weight * standardised(channels["als"])
        else:
            preference = (order,) if order in channels else ()
            name = next(c for c in (*preference, *RANKING_ORDER) if c in channels)
            if order != "blend" or name == "text-cnn":
                return channels[name]
            ranking = standardised(channels[name])
        if self.stars_weight and "text-cnn" in channels:
            ranking = ranking + self.stars_weight * self._stars_term(channels["text-cnn"])
        return ranking

    def _stars_term(self, stars: np.ndarray) -> np.ndarray:
        """The predicted stars as the blend reads them (see `like_threshold`); -inf stays -inf."""
        if self.like_threshold is None:
            return standardised(stars)
        stars = np.asarray(stars, dtype=np.float64)
        finite = np.isfinite(stars)
        out = np.full_like(stars, -np.inf)
        out[finite] = log_normal_tail((self.like_threshold - stars[finite]) / self.like_spread)
        return out

    def below_floor(self, channels: dict[str, np.ndarray]) -> np.ndarray | None:
        """Which rows the rating model predicts below the floor (None without a prediction)."""
        if self.floor is None or "text-cnn" not in channels:
            return None
        return channels["text-cnn"] < self.floor

    def chosen(self, ranking: np.ndarray, below: np.ndarray | None, k: int,
               variety: int | None = None) -> np.ndarray:
        """The k rows to list, best first: those above the floor, then (only if too few) the rest."""
        pick = top_k if variety is None else (lambda scores, n: _sampled(scores, n, variety))
        if below is None or not below.any():
            return pick(ranking, k)
        first = pick(np.where(below, -np.inf, ranking), k)
        if len(first) == k:
            return first
        return np.r_[first, top_k(np.where(below, ranking, -np.inf), k - len(first))].astype(np.int64)


def log_normal_tail(x: np.ndarray) -> np.ndarray:
    """log P(N(0, 1) > x), elementwise, without underflow far in the tail.

    erfc(y) for y ≥ 0 as t·exp(−y² + a Chebyshev polynomial in t), t = 1 / (1 + y/2) (the
    classic fit, fractional error under 1.2e-7), so its log is taken before any exp; for x < 0,
    1 − the tail at −x. numpy has no erfc, and the site does not install scipy.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.abs(x) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * y)
    poly = 0.0
    for coefficient in (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
                        0.09678418, 0.37409196, 1.00002368, -1.26551223):
        poly = coefficient + t * poly
    log_far = np.log(0.5 * t) - y * y + poly               # log P(N > |x|)
    return np.where(x >= 0, log_far, np.log1p(-np.exp(log_far)))


def _sampled(scores: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k of the best VARIETY_POOL·k rows, drawn without replacement with odds 1/(rank + 1), best first.

    Gumbel-top-k: adding Gumbel noise to log-odds and keeping the k largest
    is the same as drawing one at a time in proportion to the odds.
    """
    pool = top_k(scores, VARIETY_POOL * k)
    pool = pool[np.isfinite(scores[pool])]
    if len(pool) <= k:
        return pool
    noise = np.random.default_rng(seed).gumbel(size=len(pool))
    keys = -np.log(np.arange(1, len(pool) + 1)) + noise
    keep = np.sort(np.argsort(-keys, kind="stable")[:k])   # back in ranking order
    return pool[keep]
