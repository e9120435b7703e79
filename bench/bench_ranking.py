"""Top-N ranking on ML-100K: popularity, EASE, implicit ALS and the text-CNN, same splits.

    python -m bench.bench_ranking [--dataset data/ml-100k] [--seed 0] [--no-cnn]

Protocols (all movies a viewer did not train on are ranked, no sampled
negatives): per-viewer random 75/25 split of the ratings, every held-out
rating relevant (Precision/Recall/NDCG/MAP@10); and leave-last-out, each
viewer's latest rating held out (HR@10). `manage.py evaluate` measures the
same protocols for every method the site serves; this script adds the
text-CNN ranked by its own predicted rating.
"""
from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.common import dataset_parser, movielens_frames  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from re_sys.recommend.algorithms import EASE, Interactions, Popularity  # noqa: E402
from re_sys.recommend.algorithms.base import top_k  # noqa: E402
from re_sys.recommend.data.dataset import DataSet  # noqa: E402
from re_sys.recommend.evaluation.protocols import evaluate_ranker, leave_last_out, per_user_split  # noqa: E402
from re_sys.recommend.evaluation.rankers import RankerInputs, als_ranker  # noqa: E402


def cnn_recommender(train: Interactions, movies: pd.DataFrame, users: pd.DataFrame, seed: int,
                    use_bias: bool):
    """The text-CNN trained on the training ratings; ranks by predicted rating or by taste only."""
    from re_sys.recommend.textcnn import training
    from re_sys.recommend.textcnn.config import TrainConfig

    dataset = DataSet.from_frames(train.to_frame(), movies, users)
    result = training.fit(dataset, train_config=TrainConfig(seed=seed))
    factors = training.factors_of(result, dataset)
    u, m, b_m = factors.user_features, factors.movie_features, factors.movie_bias
    seen: dict[int, list[int]] = {}
    for user, movie in zip(dataset.rating_users.tolist(), dataset.rating_movies.tolist()):
        seen.setdefault(user, []).append(movie)

    def recommend(user, k, with_bias=use_bias):
        row = dataset.user_index(user)
        scores = (m @ u[row] + (b_m if with_bias else 0)).astype(np.float64)
        scores[seen.get(row, [])] = -np.inf
        return [(int(dataset.movie_ids[i]), float(scores[i])) for i in top_k(scores, k)]
    return recommend


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-cnn", action="store_true")
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)

    rows = []
    for protocol, (train, test) in (("per-user 75/25", per_user_split(data, 0.25, args.seed)),
                                    ("leave-last-out", leave_last_out(data))):
        candidates = {
            "popularity": lambda: Popularity().fit(train).recommend,
            "EASE λ=250": lambda: EASE(250.0).fit(train).recommend,
            "EASE λ=500": lambda: EASE(500.0).fit(train).recommend,
            "implicit ALS (64 factors)": lambda: als_ranker(RankerInputs(train, movies, users, args.seed)),
        }
        if not args.no_cnn:
            candidates["text-CNN, predicted rating"] = lambda: cnn_recommender(
                train, movies, users, args.seed, use_bias=True)
            candidates["text-CNN, taste only (u·m)"] = lambda: cnn_recommender(
                train, movies, users, args.seed, use_bias=False)
        for name, build in candidates.items():
            started = time.perf_counter()
            recommend = build()
            fitted = time.perf_counter() - started
            metrics = evaluate_ranker(recommend, test, k=10)
            rows.append((protocol, name, metrics, fitted))
            print(protocol, name, {k: round(v, 4) for k, v in metrics.items()},
                  f"fit {fitted:.1f} s", flush=True)

    print(f"\n{args.dataset.name}, seed {args.seed}\n")
    print("| protocol | model | P@10 | R@10 | NDCG@10 | MAP@10 | HR@10 | fit |")
    print("|---|---|---|---|---|---|---|---|")
    for protocol, name, m, fitted in rows:
        print(f"| {protocol} | {name} | {m['precision@10']:.4f} | {m['recall@10']:.4f} | "
              f"{m['ndcg@10']:.4f} | {m['map@10']:.4f} | {m['hit_rate@10']:.4f} | {fitted:.1f} s |")


if __name__ == "__main__":
    main()
