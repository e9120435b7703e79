"""Should the served run predict its stars with the stacked blend instead of the text-CNN alone?

    python -m bench.experiments.bench_served_stars [--dataset data/ml-100k] [--seeds 0 1 2]

On `evaluate`'s holdout split (seed S: 10 % of the ratings), three predictors
of the stars a card shows:
- the text-CNN alone (what the site serves);
- a small blend the site could serve in numpy: the text-CNN, item
  KNNBaseline and the biases, stacked as `evaluation.rating_models.blend`
  stacks (weights from a held-out tenth of the training ratings);
- the whole blend of `evaluate` (eleven members).

For each: RMSE, fit time, and what a person sees. Cards show stars rounded to
a half star, so the figure that matters is how often the rounded stars differ
from the text-CNN's, and, where they do, how often the blend's are nearer the
viewer's real stars. What each would add to a run is estimated from what
its members keep: a dense movies × movies similarity for item KNNBaseline
(4 bytes a pair), a viewers × viewers one for user KNNBaseline.
"""
from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.common import dataset_parser, movielens_frames  # noqa: E402
from re_sys.recommend.algorithms.base import Interactions  # noqa: E402
from re_sys.recommend.evaluation.protocols import holdout_split  # noqa: E402
from re_sys.recommend.evaluation.rating_models import BLEND_MEMBERS, RATING_MODELS, blend  # noqa: E402
from re_sys.recommend.evaluation.registry import RankerInputs  # noqa: E402
from re_sys.recommend.metrics import rmse  # noqa: E402

SMALL = ("text-cnn", "knn-baseline-item", "biases")


def half_stars(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(np.asarray(x) * 2) / 2, 0.5, 5.0)


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)
    rows = []
    for seed in args.seeds:
        train, test = holdout_split(data, 0.1, seed)
        inputs = RankerInputs(train, movies, users, seed)
        truth = test.stars.astype(np.float64)
        predictors = {
            "text-CNN alone (served)": lambda: RATING_MODELS["text-cnn"].build(inputs),
            "text-CNN + item KNNBaseline + biases": lambda: blend(inputs, members=SMALL),
            "the whole blend (eleven)": lambda: blend(inputs, members=BLEND_MEMBERS),
        }
        served = None
        for name, build in predictors.items():
            started = time.perf_counter()
            predict = build()
            stars = np.clip(predict(test.user_ids, test.movie_ids), 0.5, 5.0)
            seconds = time.perf_counter() - started
            shown = half_stars(stars)
            if served is None:
                served = shown
            differs = shown != served
            nearer = (np.abs(shown - truth) < np.abs(served - truth))[differs].mean() if differs.any() else 0.0
            rows.append((seed, name, rmse(truth, stars), seconds, differs.mean(), nearer))
            print(f"seed {seed} {name}: RMSE {rows[-1][2]:.4f}, {seconds:.0f} s, half stars differ on "
                  f"{differs.mean():.1%} of cards, nearer the truth on {nearer:.1%} of those", flush=True)
    n_movies, n_users = len(np.unique(data.movie_ids)), len(np.unique(data.user_ids))
    print(f"\n{args.dataset.name}, holdout 10 %, seeds {args.seeds}\n")
    print("| seed | predictor | RMSE | fit + predict | cards whose half stars change | of those, nearer the truth |")
    print("|---|---|---|---|---|---|")
    for seed, name, error, seconds, differs, nearer in rows:
        print(f"| {seed} | {name} | {error:.4f} | {seconds:.0f} s | {differs:.1%} | {nearer:.1%} |")
    print(f"\nAdded to a run: item KNNBaseline's similarities {4 * n_movies ** 2 / 2 ** 20:.0f} MiB "
          f"({n_movies:,} movies); user KNNBaseline's {4 * n_users ** 2 / 2 ** 20:.0f} MiB ({n_users:,} viewers). "
          "At ML-1M's size (3,706 movies, 6,040 viewers): 52 and 139 MiB; at ML-25M's (62,423 movies, "
          "162,541 viewers): 14.5 and 98 GiB.")


if __name__ == "__main__":
    main()
