"""How large a share of films cold-start training should drop, chosen on inner splits.

    python -m bench.experiments.bench_cold_start [--dataset data/ml-100k] [--seeds 0 1 2]
        [--rates 0 0.1 0.2 0.3] [--inner-splits 1]

Cold-start training (`textcnn.model.ColdStartDrop`) replaces, in each step, a
share of the films' ids with the unseen one, so that the tower learns to place
films by title and genres alone. Too little and new films are placed by a
tower that always leaned on the id; too much and the films everybody rated
lose their own embedding's say.

For each seed S, protocol new-movies' outer split (seed S) is left alone: its
test part is never read. Inside its training part a second 10 % of the films
is held out (seed S + 100; with --inner-splits N, also S + 200, ... for N
splits: which films are held out moves the ranking figures by more than the
rules differ) and for each rate the text-CNN is fitted on the rest, with
training seed S (ties in the rankings are shuffled with S too). Reported per
rate and split:
- new films (the inner held-out ones): RMSE of their stars against the
  genre-mean baseline's, and NDCG@10 / liked-NDCG@10 of ranking only them for
  each viewer, by the viewer's genre shares + nearest films' popularity, by
  the predicted stars, and by the three (`serving.content_tower.new_film_scores`;
  the served rule until the content profile and the regressed popularity
  joined it, bench_new_film_profile.py and bench_new_film_popularity.py),
  against genre popularity;
- films the run knows: the validation RMSE early stopping watched (a tenth of
  the inner training ratings), the price of the drop.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from typing import Iterator, NamedTuple  # noqa: E402

import numpy as np  # noqa: E402

from bench.common import dataset_parser, movielens_frames  # noqa: E402
from re_sys.recommend.algorithms.base import Interactions  # noqa: E402
from re_sys.recommend.evaluation.new_movies import (GenreMean, GenrePopularity, TextCNNContent,  # noqa: E402
                                                    new_movie_split)
from re_sys.recommend.evaluation.protocols import evaluate_ranker  # noqa: E402
from re_sys.recommend.evaluation.registry import RankerInputs  # noqa: E402
from re_sys.recommend.metrics import rmse  # noqa: E402
from re_sys.recommend.scores import standardised  # noqa: E402
from re_sys.recommend.serving.content_tower import nearest_popularity, new_film_scores  # noqa: E402
from re_sys.recommend.textcnn.config import TextCNNConfig  # noqa: E402


class InnerSplit(NamedTuple):
    outer: int                    # the outer seed: protocol new-movies' split, its test part never read
    inner: int                    # the seed of this inner tenth of films
    train: Interactions
    test: Interactions
    inputs: RankerInputs          # for the methods, from `train`
    baseline: tuple[float, float]  # genre popularity's NDCG@10 / liked-NDCG@10 on `test`


def inner_splits(data: Interactions, movies, users, seeds, count: int) -> Iterator[InnerSplit]:
    """The `count` inner new-movies splits per outer seed S (seeds S + 100, S + 200, ...) the experiments
    on new films share, with genre popularity's figures on each (ties shuffled with S)."""
    for outer in seeds:
        outer_train, _ = new_movie_split(data, 0.1, outer)
        for i in range(count):
            inner = outer + 100 * (i + 1)
            train, test = new_movie_split(outer_train, 0.1, inner)
            inputs = RankerInputs(train, movies, users, outer)
            popularity = GenrePopularity(inputs)
            baseline = ranking(lambda u, c: popularity.score(np.full(len(c), u), c), test, outer)
            yield InnerSplit(outer, inner, train, test, inputs, baseline)


def inner_splits_of(args) -> Iterator[InnerSplit]:
    """`inner_splits` of the dataset, seeds and count an `inner_split_parser` read."""
    ratings, movies, users = movielens_frames(args.dataset)
    yield from inner_splits(Interactions.from_frame(ratings), movies, users, args.seeds, args.inner_splits)


def inner_split_parser(doc: str, splits: int = 3):
    """The arguments of an experiment on these inner splits: --dataset, --seeds and --inner-splits."""
    parser = dataset_parser(doc)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--inner-splits", type=int, default=splits)
    return parser


def rule_gains(split: InnerSplit, rules: dict, gains: dict[str, list]) -> None:
    """Each rule's NDCG@10 / liked-NDCG@10 gain against genre popularity on one split: printed, and
    added to `gains` (one list per rule) for `gains_table`."""
    cells = []
    for name, rule in rules.items():
        n, liked = ranking(rule, split.test, split.outer)
        gains.setdefault(name, []).append((n / split.baseline[0] - 1, liked / split.baseline[1] - 1))
        cells.append(f"{name} {n / split.baseline[0] - 1:+.1%} / {liked / split.baseline[1] - 1:+.1%}")
    where = "the outer split" if split.inner == split.outer else f"inner split {split.inner}"
    print(f"seed {split.outer}, {where}: " + "; ".join(cells), flush=True)


def gains_table(dataset: str, gains: dict[str, list], where: str = "inner new-movies splits") -> None:
    """The markdown table of `rule_gains`' gains: mean, lowest split and every split, per rule."""
    print(f"\n{dataset}, {where}; NDCG@10 / liked-NDCG@10 gain against genre popularity\n")
    print("| rule | mean | lowest split | per split |")
    print("|---|---|---|---|")
    for name, values in gains.items():
        mean, low = np.mean(values, axis=0), np.min(values, axis=0)
        print(f"| {name} | {mean[0]:+.1%} / {mean[1]:+.1%} | {low[0]:+.1%} / {low[1]:+.1%} | "
              + ", ".join(f"{n:+.0%} / {liked:+.0%}" for n, liked in values) + " |")


def z(x) -> np.ndarray:
    """Each signal standardised over the films being ranked, as `new_film_scores` does."""
    return standardised(np.asarray(x, dtype=np.float64))


def ranking(score, test: Interactions, seed: int) -> tuple[float, float]:
    candidates = np.unique(test.movie_ids)
    shuffled = np.random.default_rng(seed).permutation(len(candidates))

    def recommend(user, k):
        order = np.lexsort((shuffled, -score(user, candidates)))[:k]
        return [(int(candidates[i]),) for i in order]
    figures = evaluate_ranker(recommend, test, 10)
    return figures["ndcg@10"], figures["liked_ndcg@10"]


def main() -> None:
    parser = inner_split_parser(__doc__, splits=1)
    parser.add_argument("--rates", type=float, nargs="+", default=[0.0, 0.1, 0.2, 0.3])
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)
    rows = []
    splits = [(seed, seed + 100 * (i + 1)) for seed in args.seeds for i in range(args.inner_splits)]
    for outer, seed in splits:
        outer_train, _ = new_movie_split(data, 0.1, outer)
        inner_train, test = new_movie_split(outer_train, 0.1, seed)
        inputs = RankerInputs(inner_train, movies, users, outer)
        genre_mean = rmse(test.stars, np.clip(GenreMean(inputs).predict(test.user_ids, test.movie_ids), 0.5, 5))
        popularity = GenrePopularity(inputs)
        base = ranking(lambda u, c: popularity.score(np.full(len(c), u), c), test, outer)
        print(f"seed {outer}, inner split {seed}, baselines: genre-mean RMSE {genre_mean:.4f}, "
              f"genre popularity NDCG {base[0]:.4f} / liked {base[1]:.4f}", flush=True)
        for rate in args.rates:
            model = TextCNNContent(inputs, model_config=TextCNNConfig(cold_start_rate=rate))
            stars = np.clip(model.predict(test.user_ids, test.movie_ids), 0.5, 5.0)
            new_rmse = rmse(test.stars, stars)

            def signals(u, c):
                users = np.full(len(c), u)
                popularity = [nearest_popularity(model._place(int(m)).nearest, model._counts) for m in c]
                return model._shares.score(users, c), popularity, model.predict(users, c)

            figures = {"shares + popularity": ranking(lambda u, c: new_film_scores(*signals(u, c)[:2]), test, outer),
                       "stars": ranking(lambda u, c: np.asarray(signals(u, c)[2], dtype=np.float64), test, outer),
                       "shares + popularity + stars (served then)": ranking(
                           lambda u, c: new_film_scores(*signals(u, c)), test, outer)}
            row = (f"{outer} / {seed}", rate, model.metrics["valid_rmse"], new_rmse, genre_mean, figures, base)
            rows.append(row)
            print(f"seed {outer}, inner split {seed}, rate {rate}: known-film valid RMSE {row[2]:.4f}; new films RMSE {new_rmse:.4f} "
                  f"({new_rmse / genre_mean - 1:+.1%} vs genre mean); "
                  + "; ".join(f"{name} {n:.4f} / {l:.4f}" for name, (n, l) in figures.items()), flush=True)
    print(f"\n{args.dataset.name}, inner new-movies splits\n")
    print("| seed / inner split | rate | known films: valid RMSE | new films: RMSE vs genre mean | "
          "NDCG / liked vs genre popularity: shares + popularity | stars | shares + popularity + stars (served then) |")
    print("|---|---|---|---|---|---|---|")
    for seed, rate, valid, new_rmse, genre_mean, figures, (bn, bl) in rows:
        cells = [f"{n / bn - 1:+.1%} / {l / bl - 1:+.1%}" for n, l in figures.values()]
        print(f"| {seed} | {rate} | {valid:.4f} | {new_rmse:.4f} ({new_rmse / genre_mean - 1:+.1%}) | "
              + " | ".join(cells) + " |")
    for rate in args.rates:
        of_rate = [row for row in rows if row[1] == rate]
        gains = {name: np.mean([[n / row[6][0] - 1, l / row[6][1] - 1] for row in of_rate
                                for n, l in [row[5][name]]], axis=0) for name in of_rate[0][5]}
        print(f"| mean | {rate} | {np.mean([r[2] for r in of_rate]):.4f} | "
              f"{np.mean([r[3] / r[4] - 1 for r in of_rate]):+.1%} | "
              + " | ".join(f"{n:+.1%} / {l:+.1%}" for n, l in gains.values()) + " |")


if __name__ == "__main__":
    main()
