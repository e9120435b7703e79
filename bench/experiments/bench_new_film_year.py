"""Whether a new film's release year would help rank it, on the inner splits of bench_cold_start.

    python -m bench.experiments.bench_new_film_year [--dataset data/ml-100k] [--seeds 0 1 2] [--inner-splits 3]

The movie tower does not see the year (`title_words` strips it). How much a film
is rated depends on its year (ML-100K was collected in 1997-98), and a film
added to the site has a year. "Year popularity" is the mean log(1 + ratings)
of the training films of the same year (of the years within one, where
none; 0 without any). Same splits, seeds and text-CNN as
bench_cold_start.py (defaults), and the same gains against genre popularity.
An experiment only, left out; the served rule reads the year per viewer
instead (the years they watch, bench_new_film_viewer.py).
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.experiments.bench_cold_start import (gains_table, inner_split_parser, inner_splits,  # noqa: E402
                                               rule_gains, z)
from re_sys.recommend.algorithms.base import Interactions  # noqa: E402
from re_sys.recommend.data.dataset import frames_from_movielens  # noqa: E402
from re_sys.recommend.data.movielens import read_dataset  # noqa: E402
from re_sys.recommend.evaluation.new_movies import TextCNNContent  # noqa: E402
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


def main() -> None:
    args = inner_split_parser(__doc__).parse_args()
    raw = read_dataset(args.dataset)
    years = {m.id: m.year for m in raw.movies}
    ratings, movies, users = frames_from_movielens(raw)
    data = Interactions.from_frame(ratings)
    gains: dict[str, list] = {}
    for split in inner_splits(data, movies, users, args.seeds, args.inner_splits):
        model = TextCNNContent(split.inputs)
        of_year = year_popularity(split.train, years)

        def signals(u, c):
            users_ = np.full(len(c), u)
            near = [nearest_popularity(model._place(int(m)).nearest, model._counts) for m in c]
            return (model._shares.score(users_, c), near, model.predict(users_, c),
                    [of_year(int(m)) for m in c])

        rules = {
            "served then (shares + nearest popularity + stars)": lambda u, c: new_film_scores(*signals(u, c)[:3]),
            "served then + year popularity": lambda u, c: new_film_scores(*signals(u, c)[:3]) + z(signals(u, c)[3]),
            "shares + year popularity + stars": lambda u, c: (
                lambda s: z(s[0]) + z(s[3]) + z(s[2]))(signals(u, c)),
            "year popularity alone": lambda u, c: np.asarray(signals(u, c)[3]),
        }
        rule_gains(split, rules, gains)
    gains_table(args.dataset.name, gains)


if __name__ == "__main__":
    main()
