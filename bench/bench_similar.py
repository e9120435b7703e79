"""'Similar movies': content (the text-CNN's vectors), collaborative (EASE both ways), and the blend.

    python -m bench.bench_similar [--dataset data/ml-100k] [--seeds 0 1 2]

For each seed the ratings are split per viewer 75/25 and the training part
again (seed + 1000): a run is trained on the inner training part and every
variant of VARIANTS scored on the inner held-out part; `--outer` scores them
on the outer split as well (a second run, on all the training ratings).
Figure: held-out accuracy (bench/lists.py): for a viewer who loved movie A
in training, does A's top-10 similar list hold a movie they loved in the
held-out part? Also over the films A with fewer than 20 training ratings
(where content must carry the list), and where *Aliens* (1986) stands in
*Alien* (1979)'s list.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.common import movielens_frames, nested_splits, seeds_parser  # noqa: E402
from bench.lists import held_out_accuracy  # noqa: E402
from re_sys.recommend.algorithms import Interactions  # noqa: E402
from re_sys.recommend.evaluation.rankers import RankerInputs, served_engine  # noqa: E402
from re_sys.recommend.serving.similarity import Similarity  # noqa: E402

VARIANTS = {
    "content only (before)": Similarity(collaborative_weight=0.0),
    "collaborative only": Similarity(content=False, support=0.0),
    **{f"blend, weight {w}, support {s:g}": Similarity(collaborative_weight=w, support=s)
       for w in (0.5, 1.0, 2.0) for s in (0.0, 20.0)},
}
K, FEW = 10, 20
ALIEN, ALIENS = 183, 176      # ML-100K ids


def scored(inputs: RankerInputs, test: Interactions) -> dict[str, tuple[float, float, int | None]]:
    engine = served_engine(inputs)
    counts = dict(zip(*np.unique(inputs.train.movie_ids, return_counts=True)))
    movie_ids = [int(m) for m in engine.run.movie_ids]
    figures = {}
    for name, similarity in VARIANTS.items():
        engine.similarity = similarity
        lists = {m: [r.movie_id for r in engine.similar(m, 3 * K)] for m in movie_ids}
        everyone = held_out_accuracy(lists, inputs.train, test, K)
        few = held_out_accuracy(lists, inputs.train, test, K, counts=lambda m: counts.get(m, 0) < FEW)
        alien = lists.get(ALIEN, [])
        figures[name] = (everyone, few, alien.index(ALIENS) + 1 if ALIENS in alien else None)
    return figures


def main() -> None:
    args = seeds_parser(__doc__).parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)
    print(f"| seed | split | variant | accuracy | accuracy, films with < {FEW} ratings | Aliens in Alien's list |")
    print("|---|---|---|---|---|---|")
    for seed in args.seeds:
        train, test, inner_train, inner_test = nested_splits(data, seed)
        splits = [("inner", inner_train, inner_test)] + ([("outer", train, test)] if args.outer else [])
        for split, fit_on, held in splits:
            for name, (everyone, few, rank) in scored(RankerInputs(fit_on, movies, users, seed), held).items():
                print(f"| {seed} | {split} | {name} | {everyone:.4f} | {few:.4f} | "
                      f"{rank if rank else 'not in top 30'} |", flush=True)


if __name__ == "__main__":
    main()
