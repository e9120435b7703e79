"""EASE fitted to what viewers will like, not only what they will rate: the for-you list with each target weight.

    python -m bench.experiments.bench_liked_target [--dataset data/ml-100k] [--seeds 0 1 2] [--outer]
        [--alphas 0 0.5 1 2 4]

The item-to-item channel's EASE learns "people who rated A rate B"; with
`liked_target` α it learns to predict X + α·C, the stars above each viewer's
mean as well (algorithms/ease.py). For each seed the served for-you list
(`Engine.for_user` with the served policy, the text-CNN trained once per
split) is scored with the item-to-item weights refitted for each α, on the
inner splits of the training ratings (per viewer 75/25 with seed + 1000, and
leave-last-out), where α is chosen, and with `--outer` on the held-out quarter
that `evaluate --seed S` scores. Same figures as bench_trust.
"""
from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.common import movielens_frames, nested_splits, seeds_parser  # noqa: E402
from bench.experiments.bench_trust import table  # noqa: E402
from re_sys.recommend.algorithms import Interactions  # noqa: E402
from re_sys.recommend.data.dataset import DataSet  # noqa: E402
from re_sys.recommend.evaluation.protocols import evaluate_ranker, leave_last_out  # noqa: E402
from re_sys.recommend.evaluation.rankers import RankerInputs, for_you_ranker, served_engine, served_stars  # noqa: E402
from re_sys.recommend.serving.channels.base import ItemToItemChannel  # noqa: E402
from re_sys.recommend.serving.channels.fitting import item_channel_arrays  # noqa: E402

COLUMNS = ("hit_rate@10", "ndcg@10", "liked_ndcg@10", "liked_precision@10", "disliked@10", "contradiction@10",
           "coverage@10")


def scored(inputs: RankerInputs, test: Interactions, alphas: list[float]) -> dict[str, dict]:
    """The served for-you list's figures on `test` with the item-to-item weights of each α."""
    recommend = for_you_ranker(inputs)
    engine = served_engine(inputs)
    judge = served_stars(inputs)
    dataset = DataSet.from_frames(inputs.train.to_frame(), inputs.movies, inputs.users)   # the run's row order
    n_items = len(set(inputs.train.movie_ids.tolist()))
    figures = {}
    for alpha in alphas:
        weights = item_channel_arrays(dataset, liked_target=alpha)["item_weights"]
        engine._item_weights = weights
        engine.channels = [ItemToItemChannel(weights) if c.name == "item-to-item" else c for c in engine.channels]
        figures[f"α = {alpha:g}"] = evaluate_ranker(recommend, test, 10, predicted=judge, n_items=n_items)
    return figures


def _table(figures: dict[str, dict]) -> None:
    table(figures, COLUMNS, "target")


def main() -> None:
    parser = seeds_parser(__doc__)
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.0, 0.5, 1.0, 2.0, 4.0])
    parser.add_argument("--no-inner", action="store_true", help="Skip the inner splits (with --outer).")
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)
    started = time.perf_counter()
    for seed in args.seeds:
        train, test, inner_train, inner_test = nested_splits(data, seed)
        if not args.no_inner:
            print(f"\n### seed {seed}: inner split of the training ratings\n")
            _table(scored(RankerInputs(inner_train, movies, users, seed), inner_test, args.alphas))
            inner_train, inner_test = leave_last_out(train)
            print(f"\n### seed {seed}: inner leave-last-out of the training ratings\n")
            _table(scored(RankerInputs(inner_train, movies, users, seed), inner_test, args.alphas))
        if args.outer:
            print(f"\n### seed {seed}: outer split (held-out quarter)\n")
            _table(scored(RankerInputs(train, movies, users, seed), test, args.alphas))
        print(f"\n({time.perf_counter() - started:.0f} s so far)", flush=True)


if __name__ == "__main__":
    main()
