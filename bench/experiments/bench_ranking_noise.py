"""How much of the for-you figure is noise: ALS initialisation and the sample of viewers.

    python -m bench.experiments.bench_ranking_noise [--dataset data/ml-100k] [--seeds 0 1 2] [--inits 8]

For each split seed S (the per-user 75/25 split `evaluate` uses), the site's
for-you blend (`Engine.for_user`: EASE over ratings, sittings, genres and co-liking plus
implicit ALS) is built `--inits` times, with the ALS channel started from
seeds S, S+1, ...; the first is exactly what `evaluate --algo for-you --seed S`
scores. Reported per split: NDCG@10 over the ALS starts (min, max, mean,
standard deviation), and the standard error of the first start's mean over
viewers (the standard deviation of 2,000 bootstrap resamples of viewers).
A difference between two methods smaller than these is not a finding.
"""
from __future__ import annotations


from bench.common import dataset_parser, movielens_frames  # noqa: E402
import numpy as np


from re_sys.recommend.algorithms import Interactions  # noqa: E402
from re_sys.recommend.evaluation.protocols import per_user_split  # noqa: E402
from re_sys.recommend.metrics import ndcg_at_k  # noqa: E402
from re_sys.recommend.evaluation.rankers import RankerInputs, for_you_ranker  # noqa: E402


def per_viewer_ndcg(recommend, test: Interactions, k: int = 10) -> np.ndarray:
    relevant: dict[int, set[int]] = {}
    for user, movie in zip(test.user_ids.tolist(), test.movie_ids.tolist()):
        relevant.setdefault(user, set()).add(movie)
    return np.array([ndcg_at_k([m for m, _ in recommend(user, k)], movies, k)
                     for user, movies in sorted(relevant.items())])


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--inits", type=int, default=8)
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)

    rows = []
    for seed in args.seeds:
        train, test = per_user_split(data, 0.25, seed)
        per_init = []
        for init in range(seed, seed + args.inits):
            # The blend ranks by item-to-item + ALS only, so the text-CNN is not needed here.
            recommend = for_you_ranker(RankerInputs(train, movies, users, seed=init), with_text_cnn=False)
            per_init.append(per_viewer_ndcg(recommend, test))
            print(f"split {seed}, ALS start {init}: NDCG@10 {per_init[-1].mean():.4f}", flush=True)
        means = np.array([scores.mean() for scores in per_init])
        first = per_init[0]
        draws = np.random.default_rng(seed).integers(0, len(first), size=(2000, len(first)))
        rows.append((seed, means, first[draws].mean(axis=1).std()))

    print(f"\n{args.dataset.name}: for-you NDCG@10 over {args.inits} ALS starts per split\n")
    print("| split seed | as evaluate (start S) | min | max | mean | sd over starts | se over viewers |")
    print("|---|---|---|---|---|---|---|")
    for seed, means, se in rows:
        print(f"| {seed} | {means[0]:.4f} | {means.min():.4f} | {means.max():.4f} | {means.mean():.4f} | "
              f"{means.std():.4f} | {se:.4f} |")


if __name__ == "__main__":
    main()
