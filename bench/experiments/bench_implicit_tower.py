"""The user tower with and without the films each viewer rated (SVD++'s implicit feedback).

    python -m bench.experiments.bench_implicit_tower [--dataset data/ml-100k] [--seeds 1 2 3 4 5]
        [--l2 1e-3 1e-4 1e-5] [--no-demographics]

For each seed, the random 90/10 split of `bench.bench_accuracy`; the text-CNN
is trained on the 90 % as `manage.py train` trains it, once without the
implicit input and once with it for each `--l2` on its embeddings. Reported:
the validation RMSE (the tenth of the training ratings that early stopping
watches: what the setting is chosen on) and the RMSE on the untouched 10 %.
`--no-demographics` blanks every viewer's gender, age group and occupation
first, as in the ml-latest format, which has none.
"""
from __future__ import annotations

import dataclasses
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.common import dataset_parser, movielens_frames, without_demographics  # noqa: E402
from re_sys.recommend.data.dataset import DataSet, random_split  # noqa: E402
from re_sys.recommend.metrics import rmse  # noqa: E402
from re_sys.recommend.textcnn import training  # noqa: E402
from re_sys.recommend.textcnn.config import TextCNNConfig, TrainConfig  # noqa: E402


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--l2", type=float, nargs="+", default=[TextCNNConfig().implicit_l2])
    parser.add_argument("--no-demographics", action="store_true")
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    if args.no_demographics:
        users = without_demographics(users)
    variants = {"without": {"implicit": False},
                **{f"with, L2 {l2:g}": {"implicit": True, "implicit_l2": l2} for l2 in args.l2}}
    table: dict[str, list[tuple[float, float, float]]] = {name: [] for name in variants}
    for seed in args.seeds:
        split = random_split(len(ratings), 0.1, seed)
        dataset = DataSet.from_frames(ratings.iloc[split.train], movies, users)
        test = ratings.iloc[split.valid]
        inputs = dataset.user_inputs(np.array([dataset.user_index(u) for u in test.user_id]))
        inputs.update(dataset.movie_inputs(np.array([dataset.movie_index(m) for m in test.movie_id])))
        for name, changes in variants.items():
            config = dataclasses.replace(TextCNNConfig(title_length=dataset.title_length), **changes)
            started = time.perf_counter()
            result = training.fit(dataset, model_config=config, train_config=TrainConfig(seed=seed))
            predicted = np.clip(training.predict_inputs(result.towers.rating, inputs), 0.5, 5.0)
            table[name].append((result.metrics["valid_rmse"], rmse(test.stars.to_numpy(), predicted),
                                time.perf_counter() - started))
            print(f"seed {seed} {name}: validation {table[name][-1][0]:.4f}, test {table[name][-1][1]:.4f} "
                  f"({table[name][-1][2]:.0f} s)", flush=True)
    what = ", no demographics" if args.no_demographics else ""
    print(f"\n{args.dataset.name}, random 90/10, seeds {args.seeds}{what}; validation / test RMSE\n")
    print("| user tower | " + " | ".join(f"seed {s}" for s in args.seeds) + " | mean | fit |")
    print("|---|" + "---|" * (len(args.seeds) + 2))
    for name, values in table.items():
        cells = " | ".join(f"{v:.4f} / {t:.4f}" for v, t, _ in values)
        mean_v, mean_t = np.mean([v for v, _, _ in values]), np.mean([t for _, t, _ in values])
        print(f"| {name} | {cells} | {mean_v:.4f} / {mean_t:.4f} | {np.mean([s for *_, s in values]):.0f} s |")


if __name__ == "__main__":
    main()
