"""The walk of a new member who dislikes the blockbusters and loves Disney, through the served engine.

    python -m bench.bench_new_member [--dataset data/ml-100k] [--old]

A run is built from every rating of the dataset as `manage.py train` would
(text-CNN included), the member is folded in from MEMBER's ratings as the
site does, and their for-you list is printed with the stars the site prints
under each pick, then "next for you" (the latest rating last). `--old` ranks
with the policy before stars were read as signed feedback, for comparison
(only the ranking: "next for you" starts from liked films either way).
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.common import dataset_parser, movielens_frames  # noqa: E402
from re_sys.recommend.algorithms import Interactions  # noqa: E402
from re_sys.recommend.data.titles import display_title  # noqa: E402
from re_sys.recommend.evaluation.rankers import RankerInputs, served_engine  # noqa: E402
from re_sys.recommend.serving.ranking import RankingPolicy  # noqa: E402

# ML-100K ids, in the order rated: Star Wars 2★; The Terminator, Pulp Fiction, The Silence of the
# Lambs 1★; Aladdin, The Lion King, Beauty and the Beast, Snow White, Cinderella 5★; Liar Liar 1★ last.
MEMBER = {50: 2.0, 195: 1.0, 56: 1.0, 98: 1.0, 95: 5.0, 71: 5.0, 588: 5.0, 99: 5.0, 418: 5.0, 294: 1.0}


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--old", action="store_true")
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    inputs = RankerInputs(Interactions.from_frame(ratings), movies, users, 0)
    engine = served_engine(inputs)
    engine.titles = dict(zip(movies["movie_id"].astype(int), movies["title"]))
    if args.old:
        engine.policy = RankingPolicy(signed=False, stars_weight=0.0, floor=None)
    vector = engine.fold_in(MEMBER)
    picks = engine.for_user(MEMBER, vector=vector, k=10)
    stars = engine.predict_many(*vector, [r.movie_id for r in picks])
    print("| for you | the site's stars | reason |\n|---|---|---|")
    for r in picks:
        print(f"| {display_title(engine.titles[r.movie_id])} | {stars[r.movie_id]:.1f}★ | {r.reason} |")
    print("\n| next for you | reason |\n|---|---|")
    for r in engine.next_up(MEMBER, k=6):
        print(f"| {display_title(engine.titles[r.movie_id])} | {r.reason} |")


if __name__ == "__main__":
    main()
