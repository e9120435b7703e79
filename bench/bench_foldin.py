"""Fold-in quality: a viewer's vector solved from their ratings vs the trained one.

    python -m bench.bench_foldin [--dataset data/ml-100k] [--seed 1]

Trains the text-CNN on a random 90% of the ratings, then for every viewer with
held-out ratings predicts those ratings with: the trained user vector and
bias; a vector folded in from the viewer's training ratings against the fixed
movie matrix (`Engine.fold_in`, as the site does for new viewers), shrunk
towards zero; the user tower's own vector of them as a stranger (their
details and the films they rated, `Engine.tower_vector`; no bias); and the
fold-in shrunk towards that vector (what the site serves when the run has a
user tower). `--few N` folds in from only each viewer's first N training
ratings (by time), as for a new member. Also times the fold-in.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.common import dataset_parser, movielens_frames  # noqa: E402
import numpy as np  # noqa: E402

from re_sys.recommend.textcnn import training  # noqa: E402
from re_sys.recommend.textcnn.config import TextCNNConfig, TrainConfig  # noqa: E402
from re_sys.recommend.data.dataset import DataSet, random_split  # noqa: E402
from re_sys.recommend.serving.engine import Engine  # noqa: E402
from re_sys.recommend.metrics import rmse  # noqa: E402
from re_sys.recommend.serving.runs import Run  # noqa: E402


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--few", type=int, default=None,
                        help="Fold in from each viewer's first N training ratings only.")
    parser.add_argument("--implicit", action=argparse.BooleanOptionalAction, default=None,
                        help="Train the user tower with (or without) the films each viewer rated "
                             "(default: TextCNNConfig's).")
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    split = random_split(len(ratings), 0.1, args.seed)
    train, test = ratings.iloc[split.train], ratings.iloc[split.valid]
    dataset = DataSet.from_frames(train, movies, users)
    model_config = TextCNNConfig(title_length=dataset.title_length)
    if args.implicit is not None:
        model_config = dataclasses.replace(model_config, implicit=args.implicit)
    result = training.fit(dataset, model_config=model_config, train_config=TrainConfig(seed=args.seed))
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(Run.load(training.export_run(result, dataset, Path(tmp), item_channel=False)))
        by_user = {u: dict(zip(g.movie_id, g.stars))
                   for u, g in train.sort_values("timestamp").groupby("user_id")}
        if args.few:
            by_user = {u: dict(list(r.items())[:args.few]) for u, r in by_user.items()}
        details = users.set_index("user_id")
        predicted = {name: [] for name in ("trained", "folded in, shrunk to zero", "the user tower alone",
                                           "folded in, shrunk to the user tower")}
        truth, seconds = [], []
        for user, group in test.groupby("user_id"):
            mine = by_user.get(user, {})
            person = details.loc[user] if user in details.index else None
            tower = engine.tower_vector(
                mine, gender=None if person is None else person.get("gender"),
                age_group=None if person is None or not np.isfinite(person.get("age_group", np.nan))
                else int(person["age_group"]),
                occupation=None if person is None else person.get("occupation"))
            started = time.perf_counter()
            prior = engine.fold_in(mine, prior=tower)
            seconds.append(time.perf_counter() - started)
            vectors = {"folded in, shrunk to zero": engine.fold_in(mine),
                       "the user tower alone": (tower, 0.0) if tower is not None else None,
                       "folded in, shrunk to the user tower": prior if tower is not None else None}
            for movie, stars in zip(group.movie_id, group.stars):
                truth.append(stars)
                predicted["trained"].append(engine.predict(user, movie))
                for name, vector in vectors.items():
                    if vector is not None:
                        predicted[name].append(engine.predict_many(*vector, [movie])[movie])
    few = f", folded in from each viewer's first {args.few} training ratings" if args.few else ""
    print(f"{args.dataset.name}, random 90/10 split, seed {args.seed}{few}: {len(truth):,} held-out "
          f"ratings of {len(seconds):,} viewers")
    print("| user vector | RMSE |\n|---|---|")
    for name, values in predicted.items():
        if len(values) == len(truth):
            print(f"| {name} | {rmse(truth, values):.4f} |")
    print(f"fold-in time: median {np.median(seconds) * 1000:.2f} ms, "
          f"max {np.max(seconds) * 1000:.2f} ms per viewer")


if __name__ == "__main__":
    main()
