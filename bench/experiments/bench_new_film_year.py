"""Whether a new film's release year would help rank it, on the inner splits of bench_cold_start.

    python -m bench.experiments.bench_new_film_year [--dataset data/ml-100k] [--seeds 0 1 2] [--inner-splits 3]

Neither the movie tower nor the served rule sees the year: `title_words`
strips it and the protocol's movie frame leaves it out. But how much a film
is rated depends on its year (ML-100K was collected in 1997-98), and a film
added to the site has a year. "Year popularity" is the mean log(1 + ratings)
of the training films of the same year (of the years within one, where
none; 0 without any). Same splits, seeds and text-CNN as
bench_cold_start.py (defaults), and the same gains against genre popularity.
An experiment only: nothing served reads the year yet.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.common import dataset_parser  # noqa: E402
from bench.experiments.bench_cold_start import ranking  # noqa: E402
from re_sys.recommend.algorithms.base import Interactions  # noqa: E402
from re_sys.recommend.data.dataset import frames_from_movielens  # noqa: E402
from re_sys.recommend.data.movielens import read_dataset  # noqa: E402
from re_sys.recommend.evaluation.new_movies import GenrePopularity, TextCNNContent, new_movie_split  # noqa: E402
from re_sys.recommend.evaluation.registry import RankerInputs  # noqa: E402
from re_sys.recommend.serving.content_tower import nearest_popularity, new_film_scores  # noqa: E402


def year_popularity(train: Interactions, years: dict[int, int | None]):
    counts: dict[int, int] = {}
    for movie in train.movie_ids.tolist():
        counts[movie] = counts.get(movie, 0) + 1
    by_year: dict[int, list[float]] = {}
    for movie, n in counts.items():
        if years.get(movie) is not None:
            by_year.setdefault(years[movie], []).append(np.log1p(n))

    def of(movie: int) -> float:
        year = years.get(movie)
        if year is None:
            return 0.0
        for spread in (0, 1):
            values = [v for y in range(year - spread, year + spread + 1) for v in by_year.get(y, [])]
            if values:
                return float(np.mean(values))
        return 0.0
    return of


def z(x):
    x = np.asarray(x, dtype=np.float64)
    return (x - x.mean()) / (x.std() + 1e-12) if len(x) > 1 else np.zeros_like(x)


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--inner-splits", type=int, default=3)
    args = parser.parse_args()
    raw = read_dataset(args.dataset)
    years = {m.id: m.year for m in raw.movies}
    ratings, movies, users = frames_from_movielens(raw)
    data = Interactions.from_frame(ratings)
    gains: dict[str, list] = {}
    for outer in args.seeds:
        outer_train, _ = new_movie_split(data, 0.1, outer)
        for i in range(args.inner_splits):
            inner = outer + 100 * (i + 1)
            inner_train, test = new_movie_split(outer_train, 0.1, inner)
            inputs = RankerInputs(inner_train, movies, users, outer)
            popularity = GenrePopularity(inputs)
            base = ranking(lambda u, c: popularity.score(np.full(len(c), u), c), test, outer)
            model = TextCNNContent(inputs)
            of_year = year_popularity(inner_train, years)

            def signals(u, c):
                users_ = np.full(len(c), u)
                near = [nearest_popularity(model._place(int(m)).nearest, model._counts) for m in c]
                return (model._shares.score(users_, c), near, model.predict(users_, c),
                        [of_year(int(m)) for m in c])

            rules = {
                "served (shares + nearest popularity + stars)": lambda u, c: new_film_scores(*signals(u, c)[:3]),
                "served + year popularity": lambda u, c: new_film_scores(*signals(u, c)[:3]) + z(signals(u, c)[3]),
                "shares + year popularity + stars": lambda u, c: (
                    lambda s: z(s[0]) + z(s[3]) + z(s[2]))(signals(u, c)),
                "year popularity alone": lambda u, c: np.asarray(signals(u, c)[3]),
            }
            cells = []
            for name, rule in rules.items():
                n, liked = ranking(rule, test, outer)
                gains.setdefault(name, []).append((n / base[0] - 1, liked / base[1] - 1))
                cells.append(f"{name} {n / base[0] - 1:+.1%} / {liked / base[1] - 1:+.1%}")
            print(f"seed {outer}, inner split {inner}: " + "; ".join(cells), flush=True)
    print(f"\n{args.dataset.name}, inner new-movies splits; NDCG@10 / liked-NDCG@10 gain against genre popularity\n")
    print("| rule | mean | per split |")
    print("|---|---|---|")
    for name, values in gains.items():
        mean = np.mean(values, axis=0)
        print(f"| {name} | {mean[0]:+.1%} / {mean[1]:+.1%} | "
              + ", ".join(f"{n:+.0%} / {liked:+.0%}" for n, liked in values) + " |")


if __name__ == "__main__":
    main()
