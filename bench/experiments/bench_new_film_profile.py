"""Whether a content profile of the viewer would help rank new films, on the inner splits of bench_cold_start.

    python -m bench.experiments.bench_new_film_profile [--dataset data/ml-100k] [--seeds 0 1 2] [--inner-splits 3]

The rule served before ("before": genre shares + the mean popularity of the
ten nearest films + stars) knows the viewer through the genre shares of the
films they loved and the stars; the title words say nothing about the
viewer there. A
content profile is the classic content-based filter's answer: the mean of the
unit vectors the movie tower gives the viewer's films from title and genres
alone (the neutral placement `MovieTower.placed` compares new films with),
less the mean of every rated film's, so that what all films share cancels.
A new film scores its cosine with that profile. Profiles of the films the
viewer rated and of those they loved (≥ 4★) are tried, added to that rule
(the rated one at weight 1 and 2) and in place of its genre shares. The
rated profile at weight 1 is served, with the popularity guessed as
bench_new_film_popularity.py chose. Same splits, seeds and text-CNN as
bench_cold_start.py (defaults), and the same gains against genre popularity.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.experiments.bench_cold_start import (gains_table, inner_split_parser, inner_splits_of,  # noqa: E402
                                               rule_gains, z)
from re_sys.recommend.algorithms.base import Interactions  # noqa: E402
from re_sys.recommend.evaluation.new_movies import TextCNNContent  # noqa: E402
from re_sys.recommend.serving.content_tower import nearest_popularity, new_film_scores, profile_closeness  # noqa: E402
from re_sys.recommend.stars import LOVED_STARS  # noqa: E402


def profiles(model: TextCNNContent, train: Interactions, loved_only: bool) -> dict[int, np.ndarray]:
    """Each viewer's content profile (`MovieTower.profile_of`) of the films they rated (or loved)."""
    rows: dict[int, list[int]] = {}
    for user, movie, stars in zip(train.user_ids.tolist(), train.movie_ids.tolist(), train.stars.tolist()):
        if stars >= LOVED_STARS or not loved_only:
            rows.setdefault(user, []).append(model.dataset.movie_row(movie))
    out = {user: model.tower.profile_of(of_user) for user, of_user in rows.items()}
    return {user: profile for user, profile in out.items() if profile is not None}


def main() -> None:
    args = inner_split_parser(__doc__).parse_args()
    gains: dict[str, list] = {}
    for split in inner_splits_of(args):
        model = TextCNNContent(split.inputs)
        of = {"rated": profiles(model, split.train, False), "loved": profiles(model, split.train, True)}
        cache: dict[int, tuple] = {}

        def signals(u, c):
            if u not in cache:
                users_ = np.full(len(c), u)
                vectors = [model._place(int(m)).vector for m in c]
                near = [nearest_popularity(model._place(int(m)).nearest, model._counts) for m in c]
                fit = {k: profile_closeness(p[u], vectors) if u in p else np.zeros(len(c)) for k, p in of.items()}
                cache[u] = (model._shares.score(users_, c), near, model.predict(users_, c), fit)
            return cache[u]

        rules = {
            "before: shares + popularity + stars": lambda u, c: new_film_scores(*signals(u, c)[:3]),
            "before + rated profile": lambda u, c: (new_film_scores(*signals(u, c)[:3])
                                                    + z(signals(u, c)[3]["rated"])),
            "before + 2 × rated profile": lambda u, c: (new_film_scores(*signals(u, c)[:3])
                                                        + 2 * z(signals(u, c)[3]["rated"])),
            "before + loved profile": lambda u, c: (new_film_scores(*signals(u, c)[:3])
                                                    + z(signals(u, c)[3]["loved"])),
            "before + rated and loved profiles": lambda u, c: (new_film_scores(*signals(u, c)[:3])
                                                               + z(signals(u, c)[3]["rated"])
                                                               + z(signals(u, c)[3]["loved"])),
            "rated profile + popularity + stars": lambda u, c: (
                lambda s: z(s[3]["rated"]) + z(s[1]) + z(s[2]))(signals(u, c)),
            "loved profile + popularity + stars": lambda u, c: (
                lambda s: z(s[3]["loved"]) + z(s[1]) + z(s[2]))(signals(u, c)),
            "rated profile + popularity": lambda u, c: (lambda s: z(s[3]["rated"]) + z(s[1]))(signals(u, c)),
        }
        rule_gains(split, rules, gains)
    gains_table(args.dataset.name, gains)


if __name__ == "__main__":
    main()
