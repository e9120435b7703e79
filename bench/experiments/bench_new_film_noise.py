"""How much of the new-film ranking's gain is the text-CNN's training seed, not the rule or the split.

    python -m bench.experiments.bench_new_film_noise [--dataset data/ml-100k] [--seeds 1] [--inner-splits 2]
        [--train-seeds 1 11 21] [--outer]

The served rule (`TextCNNContent.score`, as protocol new-movies scores it)
is measured on the inner new-movies splits of bench_cold_start.py, and with
--outer on protocol new-movies' own split of each seed too, with the text-CNN
trained from each of --train-seeds in turn (protocol new-movies and the
inner experiments train with the split's seed S). The gain is against genre
popularity, which no training touches; nothing is chosen here, so the outer
split may be read.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.common import movielens_frames  # noqa: E402
from bench.experiments.bench_cold_start import (InnerSplit, gains_table, inner_split_parser, inner_splits,  # noqa: E402
                                               ranking, rule_gains)
from re_sys.recommend.algorithms.base import Interactions  # noqa: E402
from re_sys.recommend.evaluation.new_movies import GenrePopularity, TextCNNContent, new_movie_split  # noqa: E402
from re_sys.recommend.evaluation.registry import RankerInputs  # noqa: E402
from re_sys.recommend.textcnn.config import TrainConfig  # noqa: E402


def outer_split(data: Interactions, movies, users, seed: int) -> InnerSplit:
    """Protocol new-movies' own split of `seed`, shaped as an inner one (its inner seed is the outer's,
    which `rule_gains` reads as "the outer split")."""
    train, test = new_movie_split(data, 0.1, seed)
    inputs = RankerInputs(train, movies, users, seed)
    popularity = GenrePopularity(inputs)
    baseline = ranking(lambda u, c: popularity.score(np.full(len(c), u), c), test, seed)
    return InnerSplit(seed, seed, train, test, inputs, baseline)


def main() -> None:
    parser = inner_split_parser(__doc__, splits=2)
    parser.set_defaults(seeds=[1])
    parser.add_argument("--train-seeds", type=int, nargs="+", default=[1, 11, 21])
    parser.add_argument("--outer", action="store_true", help="Also protocol new-movies' own split of each seed.")
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)
    splits = list(inner_splits(data, movies, users, args.seeds, args.inner_splits))
    if args.outer:
        splits += [outer_split(data, movies, users, seed) for seed in args.seeds]
    gains: dict[str, list] = {}
    for split in splits:
        where = "outer" if split.inner == split.outer else "inner"
        for seed in args.train_seeds:
            model = TextCNNContent(split.inputs, train_config=TrainConfig(seed=seed))
            rule_gains(split, {f"{where} split {split.inner}, training seed {seed}":
                               lambda u, c, model=model: model.score(np.full(len(c), u), c)}, gains)
    gains_table(args.dataset.name, gains)


if __name__ == "__main__":
    main()
