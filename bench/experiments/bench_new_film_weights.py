"""The new-film ranking's four signals weighed, not merely added: the weights chosen on the inner splits.

    python -m bench.experiments.bench_new_film_weights [--dataset data/ml-100k] [--seeds 0 1 2]
        [--inner-splits 3] [--outer] [--show 12]

The served rule (`serving.content_tower.new_film_scores`) adds the viewer's
genre shares, the regressed popularity, the predicted stars and the content
profile's closeness, each standardised, with weight 1. Here every weight of
popularity, stars and closeness in WEIGHTS (the shares' weight fixed at 1: only
the ratios rank) is scored on the inner new-movies splits of bench_cold_start
(each text-CNN trained once per split), and the settings are ordered by the
mean of the NDCG@10 and liked-NDCG@10 gains against genre popularity over
those splits. `--outer` then trains on protocol new-movies' own split of each
seed and scores the served weights beside the best inner setting there, once:
nothing is chosen on the outer splits.
"""
from __future__ import annotations

import itertools
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.common import movielens_frames  # noqa: E402
from bench.experiments.bench_cold_start import (gains_table, inner_split_parser, inner_splits,  # noqa: E402
                                               rule_gains, z)
from bench.experiments.bench_new_film_noise import outer_split  # noqa: E402
from re_sys.recommend.algorithms.base import Interactions  # noqa: E402
from re_sys.recommend.evaluation.new_movies import TextCNNContent  # noqa: E402

SIGNALS = ("shares", "popularity", "stars", "closeness")
WEIGHTS = [(1.0, p, s, c) for p, s, c in itertools.product((0.5, 1.0, 1.5, 2.0), (0.0, 0.5, 1.0, 1.5, 2.0),
                                                             (0.0, 0.5, 1.0, 1.5, 2.0))]
SERVED = (1.0, 1.0, 1.0, 1.0)


def name_of(weights) -> str:
    return ", ".join(f"{s} {w:g}" for s, w in zip(SIGNALS, weights))


def standardised_signals(model: TextCNNContent, users, candidates) -> dict[int, np.ndarray]:
    """Each viewer's four signals over the candidate films, standardised (4 x films; a missing one is 0)."""
    out = {}
    for user in users:
        signals = model.signals(np.full(len(candidates), user), candidates)
        out[user] = np.stack([z(signals[s]) if signals.get(s) is not None else np.zeros(len(candidates))
                              for s in SIGNALS])
    return out


def weighed(split, settings, gains: dict[str, list]) -> None:
    """Every setting's gains on one split, the text-CNN trained once for all of them."""
    model = TextCNNContent(split.inputs)
    candidates = np.unique(split.test.movie_ids)
    signals = standardised_signals(model, np.unique(split.test.user_ids).tolist(), candidates)
    rules = {name_of(w): (lambda u, c, w=np.asarray(w): w @ signals[int(u)]) for w in settings}
    rule_gains(split, rules, gains)


def main() -> None:
    parser = inner_split_parser(__doc__)
    parser.add_argument("--outer", action="store_true", help="Score the served and the best inner weights "
                                                              "on protocol new-movies' own splits.")
    parser.add_argument("--show", type=int, default=12, help="How many of the best inner settings to list.")
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)
    gains: dict[str, list] = {}
    for split in inner_splits(data, movies, users, args.seeds, args.inner_splits):
        weighed(split, WEIGHTS, gains)
    order = sorted(gains, key=lambda name: -np.mean(gains[name]))
    shown = order[:args.show] + ([name_of(SERVED)] if name_of(SERVED) not in order[:args.show] else [])
    gains_table(args.dataset.name, {name: gains[name] for name in shown},
                where=f"inner new-movies splits (the best {args.show} of {len(WEIGHTS)} settings, and the served one)")
    if args.outer:
        best = WEIGHTS[[name_of(w) for w in WEIGHTS].index(order[0])]
        outer: dict[str, list] = {}
        for seed in args.seeds:
            weighed(outer_split(data, movies, users, seed), [SERVED, best], outer)
        gains_table(args.dataset.name, outer, where=f"protocol new-movies' own splits (seeds {args.seeds})")


if __name__ == "__main__":
    main()
