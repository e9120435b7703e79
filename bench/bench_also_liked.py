"""'Viewers also liked': how much one blockbuster fills every list, against held-out accuracy.

    python -m bench.bench_also_liked [--dataset data/ml-100k] [--seeds 0 1 2]

For each seed the ratings are split per viewer 75/25; the lists are fitted
on the training part with each (power, prior, cap) of GRID and scored:
- largest share: over the movies with ≥ 50 training ratings, the largest
  share of their top-10 lists that any one movie appears in;
- accuracy: over every (viewer, movie A) with the viewer a fan of A in
  training (≥ 4★) and some held-out movie loved, the share whose top-10 list
  of A (fans in common ≥ RE_SYS_ALSO_LIKED_MIN_FANS's default, 3; movies the
  viewer trained on left out) holds one of those held-out loved movies.
The choice is made on the inner split (the training part split again,
seed + 1000); the outer split's figures are reported beside it.
"""
from __future__ import annotations

import numpy as np

from bench.common import movielens_frames, nested_splits, seeds_parser
from re_sys.recommend.algorithms import Interactions
from bench.lists import held_out_accuracy
from re_sys.recommend.metrics import largest_share
from re_sys.recommend.serving.channels.also_liked import MAX_SHARE, also_liked_neighbours

# (power, prior, cap): the first is the former list's shape (it damped by √ratings, not √fans).
GRID = [(0.5, 0.0, None), (0.75, 10.0, None), (1.0, 30.0, None),
        *((power, prior, MAX_SHARE) for power in (0.25, 0.5, 0.75) for prior in (0.0, 10.0, 30.0))]
MIN_FANS, K, POPULAR = 3, 10, 50


def lists_of(train: Interactions, power: float, prior: float, cap: float | None):
    """Each movie id's top-K also-liked movie ids, and the movie ids with ≥ POPULAR ratings."""
    users, u = np.unique(train.user_ids, return_inverse=True)
    movies, m = np.unique(train.movie_ids, return_inverse=True)
    arrays = also_liked_neighbours(u, m, train.stars, len(users), len(movies), power=power, prior=prior,
                                   max_share=cap)
    rows, fans = arrays["also_liked_rows"], arrays["also_liked_fans"]
    lists = {}
    for movie, (row, count) in enumerate(zip(rows, fans)):
        keep = row[(row >= 0) & (count >= MIN_FANS)]
        lists[int(movies[movie])] = movies[keep].tolist()
    popular = movies[np.bincount(m) >= POPULAR].tolist()
    return lists, popular


def scored(train: Interactions, test: Interactions, power: float, prior: float, cap: float | None
           ) -> tuple[float, float]:
    lists, popular = lists_of(train, power, prior, cap)
    return largest_share([lists[p] for p in popular], K), held_out_accuracy(lists, train, test, K)


def main() -> None:
    args = seeds_parser(__doc__).parse_args()
    ratings, _movies, _users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)
    print("| seed | power | prior | cap | inner: largest share | inner: accuracy | outer: largest share | "
          "outer: accuracy |\n|---|---|---|---|---|---|---|---|")
    for seed in args.seeds:
        train, test, inner_train, inner_test = nested_splits(data, seed)
        for power, prior, cap in GRID:
            inner = scored(inner_train, inner_test, power, prior, cap)
            outer = scored(train, test, power, prior, cap)
            print(f"| {seed} | {power} | {prior:g} | {cap or '–'} | {inner[0]:.3f} | {inner[1]:.4f} | {outer[0]:.3f} | "
                  f"{outer[1]:.4f} |", flush=True)


if __name__ == "__main__":
    main()
