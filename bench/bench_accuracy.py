"""Rating accuracy on a random 90/10 split: the text-CNN beside Surprise's SVD, SVD++, KNNBaseline.

    python -m bench.bench_accuracy [--dataset data/ml-100k] [--seeds 1 2 3] [--quick]

For each seed the ratings are split 90/10 at random. Our model trains on the
90% (holding out a further 10% of it for early stopping) with the default
`TrainConfig`/`TextCNNConfig`, exactly as `manage.py train` does; every model
is scored on the same untouched 10%. Needs requirements-bench.txt.
"""
from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.common import dataset_parser, movielens_frames  # noqa: E402
import numpy as np  # noqa: E402

from re_sys.recommend.textcnn import training  # noqa: E402
from re_sys.recommend.textcnn.config import TrainConfig  # noqa: E402
from re_sys.recommend.data.dataset import DataSet, random_split  # noqa: E402
from re_sys.recommend.metrics import rmse, mae  # noqa: E402


def ours(ratings, movies, users, train_rows, test_rows, seed):
    dataset = DataSet.from_frames(ratings.iloc[train_rows], movies, users)
    started = time.perf_counter()
    result = training.fit(dataset, train_config=TrainConfig(seed=seed))
    test = ratings.iloc[test_rows]
    inputs = dataset.user_inputs(np.array([dataset.user_index(u) for u in test.user_id]))
    inputs.update(dataset.movie_inputs(np.array([dataset.movie_index(m) for m in test.movie_id])))
    predicted = np.clip(training.predict_inputs(result.towers.rating, inputs), 0.5, 5.0)
    return predicted, time.perf_counter() - started


def surprise_model(name, ratings, train_rows, test_rows, seed):
    from surprise import SVD, Dataset, KNNBaseline, Reader, SVDpp

    algo = {"SVD": lambda: SVD(random_state=seed),
            "SVD++": lambda: SVDpp(random_state=seed),
            "KNNBaseline (item, pearson_baseline)": lambda: KNNBaseline(
                sim_options={"name": "pearson_baseline", "user_based": False}, verbose=False),
            }[name]()
    train = ratings.iloc[train_rows][["user_id", "movie_id", "stars"]]
    data = Dataset.load_from_df(train, Reader(rating_scale=(0.5, 5.0)))
    started = time.perf_counter()
    algo.fit(data.build_full_trainset())
    test = ratings.iloc[test_rows]
    predicted = np.array([algo.predict(u, m).est for u, m in zip(test.user_id, test.movie_id)])
    return predicted, time.perf_counter() - started


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--quick", action="store_true", help="Skip SVD++ (slow).")
    args = parser.parse_args()

    ratings, movies, users = movielens_frames(args.dataset)
    names = ["text-CNN (ours, defaults)", "SVD", "KNNBaseline (item, pearson_baseline)"]
    if not args.quick:
        names.insert(2, "SVD++")
    scores = {n: [] for n in names + ["global mean"]}
    seconds = {n: [] for n in names}
    for seed in args.seeds:
        split = random_split(len(ratings), 0.1, seed)
        truth = ratings.stars.to_numpy()[split.valid]
        mean = np.full_like(truth, ratings.stars.to_numpy()[split.train].mean())
        scores["global mean"].append((rmse(truth, mean), mae(truth, mean)))
        for name in names:
            if name.startswith("text-CNN"):
                predicted, took = ours(ratings, movies, users, split.train, split.valid, seed)
            else:
                predicted, took = surprise_model(name, ratings, split.train, split.valid, seed)
            scores[name].append((rmse(truth, predicted), mae(truth, predicted)))
            seconds[name].append(took)
            print(f"seed {seed} {name}: RMSE {scores[name][-1][0]:.4f} MAE {scores[name][-1][1]:.4f} "
                  f"({took:.0f} s)", flush=True)

    print(f"\n{args.dataset.name}, random 90/10 split, seeds {args.seeds}\n")
    print("| model | RMSE per seed | mean RMSE | mean MAE | fit time |")
    print("|---|---|---|---|---|")
    for name, values in scores.items():
        per_seed = " / ".join(f"{r:.4f}" for r, _ in values)
        took = f"{np.mean(seconds[name]):.0f} s" if name in seconds else "—"
        print(f"| {name} | {per_seed} | {np.mean([r for r, _ in values]):.4f} | "
              f"{np.mean([m for _, m in values]):.4f} | {took} |")


if __name__ == "__main__":
    main()
