"""Fold-in quality: a viewer's vector solved from their ratings vs the trained one.

    python -m bench.bench_foldin [--dataset data/ml-100k] [--seed 1]

Trains the text-CNN on a random 90% of the ratings, then for every viewer with
held-out ratings predicts those ratings twice: with the trained user vector
and bias, and with a vector folded in from the viewer's training ratings
against the fixed movie matrix (`Engine.fold_in`, as the site does for new
viewers). Also times the fold-in.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.common import dataset_parser, movielens_frames  # noqa: E402
import numpy as np  # noqa: E402

from re_sys.recommend.textcnn import training  # noqa: E402
from re_sys.recommend.textcnn.config import TrainConfig  # noqa: E402
from re_sys.recommend.data.dataset import DataSet, random_split  # noqa: E402
from re_sys.recommend.serving.engine import Engine  # noqa: E402
from re_sys.recommend.metrics import rmse  # noqa: E402
from re_sys.recommend.serving.runs import Run  # noqa: E402


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    split = random_split(len(ratings), 0.1, args.seed)
    train, test = ratings.iloc[split.train], ratings.iloc[split.valid]
    dataset = DataSet.from_frames(train, movies, users)
    result = training.fit(dataset, train_config=TrainConfig(seed=args.seed))
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(Run.load(training.export_run(result, dataset, Path(tmp), item_channel=False)))
        by_user = {u: dict(zip(g.movie_id, g.stars)) for u, g in train.groupby("user_id")}
        truth, trained, folded, seconds = [], [], [], []
        for user, group in test.groupby("user_id"):
            started = time.perf_counter()
            vector = engine.fold_in(by_user.get(user, {}))
            seconds.append(time.perf_counter() - started)
            for movie, stars in zip(group.movie_id, group.stars):
                truth.append(stars)
                trained.append(engine.predict(user, movie))
                folded.append(engine.predict_many(*vector, [movie])[movie])
    print(f"{args.dataset.name}, random 90/10 split, seed {args.seed}: {len(truth):,} held-out "
          f"ratings of {len(seconds):,} viewers")
    print("| user vector | RMSE |\n|---|---|")
    print(f"| trained | {rmse(truth, trained):.4f} |")
    print(f"| folded in from the viewer's training ratings | {rmse(truth, folded):.4f} |")
    print(f"fold-in time: median {np.median(seconds) * 1000:.2f} ms, "
          f"max {np.max(seconds) * 1000:.2f} ms per viewer")


if __name__ == "__main__":
    main()
