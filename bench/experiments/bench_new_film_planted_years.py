"""What the years watched cost where years say nothing: the planted data of protocol new-movies' test.

    python -m bench.experiments.bench_new_film_planted_years [--weights 0 1 2 3] [--seeds 1 2]

The inner splits of bench_new_film_viewer.py gain more the more the years
weigh (1, 1.5, 2, 3 times the other signals). On ML-100K the years say much
of which films a viewer rates; on data where they say nothing, the signal is
noise standardised to full weight. Here the planted data of
tests/recommend/evaluation/test_new_movies.py (two tastes, read from the title
words and genres) get release years drawn at random, and the rule's
liked-NDCG@5 with the years at each weight is printed beside genre
popularity's, whose ratio that test holds at 0.95 or more without years.
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from re_sys.recommend.algorithms.base import Interactions  # noqa: E402
from re_sys.recommend.evaluation import new_movies  # noqa: E402
from re_sys.recommend.evaluation.new_movies import (GenrePopularity, TextCNNContent, new_movie_split,  # noqa: E402
                                                    time_new_movie_model)
from re_sys.recommend.evaluation.registry import RankerInputs  # noqa: E402
from re_sys.recommend.scores import standardised  # noqa: E402
from re_sys.recommend.textcnn.config import TextCNNConfig, TrainConfig  # noqa: E402
from tests.recommend.planted import planted_frames  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 1.0, 2.0, 3.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    served = new_movies.new_film_scores
    print("| planted seed | weight of the years | liked-NDCG@5 | genre popularity | ratio |")
    print("|---|---|---|---|---|")
    for seed in args.seeds:
        ratings, movies, users = planted_frames(n_users=80, n_movies=40, density=0.7, seed=seed)
        movies = movies.assign(year=np.random.default_rng(seed).integers(1950, 2000, len(movies)))
        train, test = new_movie_split(Interactions.from_frame(ratings), 0.2, seed=0)
        inputs = RankerInputs(train, movies, users, seed=0)
        small = TextCNNConfig(id_dim=8, demographic_dim=4, hidden_dim=8, feature_dim=16, word_dim=8, filters=4)
        fast = TrainConfig(epochs=25, batch_size=64, lr=1e-2, seed=3, val_fraction=0.2, patience=4, refit=False)
        content = TextCNNContent(inputs, small, fast)
        baseline = time_new_movie_model("new-movies", "genre-popularity", "", lambda: GenrePopularity(inputs),
                                        test, 5).metrics["liked_ndcg@5"]
        for weight in args.weights:
            def rule(shares, popularity, stars=None, closeness=None, years=None, weight=weight):
                score = served(shares, popularity, stars, closeness)
                return score if years is None else score + weight * standardised(np.asarray(years, dtype=float))
            new_movies.new_film_scores = rule
            got = time_new_movie_model("new-movies", "text-cnn", "", lambda: content, test, 5).metrics["liked_ndcg@5"]
            new_movies.new_film_scores = served
            print(f"| {seed} | {weight:g} | {got:.3f} | {baseline:.3f} | {got / baseline:.2f} |", flush=True)


if __name__ == "__main__":
    main()
