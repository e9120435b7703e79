"""The for-you ranking policy's choices, each scored on what people like, regret and are told.

    python -m bench.experiments.bench_trust [--dataset data/ml-100k] [--seeds 0 1 2] [--outer]
        [--only WORD ...] [--no-inner] [--no-demographics]

For each seed the ratings are split per viewer 75/25 (the outer split of
`manage.py evaluate`); the training part is split again, 75/25 (seed + 1000)
and leave-last-out, and every policy of VARIANTS is scored on those inner
splits, the choice made there. `--outer` scores the served policy, the old
one (unsigned, no stars, no floor) and each of its parts alone (OUTER) on the
outer split too. Figures: HR@10, NDCG@10 (any rating relevant),
liked-NDCG@10 (≥ 4★ relevant), disliked@10, contradiction@10 (the run's own
rating model as the judge), coverage@10. `--no-demographics` blanks every
viewer's gender, age group and occupation first, as the ml-latest format has
none; `--no-inner` scores the outer split alone.
"""
from __future__ import annotations

import os
from dataclasses import replace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.common import movielens_frames, nested_splits, seeds_parser, without_demographics  # noqa: E402
from re_sys.recommend.algorithms import Interactions  # noqa: E402
from re_sys.recommend.evaluation.protocols import evaluate_ranker, leave_last_out  # noqa: E402
from re_sys.recommend.evaluation.rankers import RankerInputs, for_you_ranker, served_engine, served_stars  # noqa: E402
from re_sys.recommend.serving.ranking import RankingPolicy  # noqa: E402

SERVED = RankingPolicy()
OLD = RankingPolicy(signed=False, stars_weight=0.0, floor=None)
VARIANTS = {
    "old: unsigned, no stars, no floor": OLD,
    "old + floor": replace(OLD, floor=SERVED.floor),
    "unsigned + stars 1.0 + floor": replace(SERVED, signed=False, stars_weight=1.0),
    **{f"signed, pivot level − {o} (≥ 2★) + stars {w} + floor": replace(SERVED, level_offset=o, stars_weight=w)
       for o in (0.0, 1.0, 2.0, 3.0) for w in (0.5, 1.0)},
    # Tried after the policy was chosen (2026-12-02): more weight on the stars, and on ALS or EASE.
    **{f"signed, pivot level − 2.0 (≥ 2★) + stars {w} + floor": replace(SERVED, stars_weight=w) for w in (1.5, 2.0)},
    **{f"served with ALS weight {w}": replace(SERVED, als_weight=w) for w in (0.5, 1.5)},
    # Tried 2026-12-08: the stars as log P(stars ≥ c), a penalty for a likely miss that barely
    # reorders likely hits, in place of the standardised stars.
    **{f"stars as log P(≥ {c}), spread {sd}, weight {w}":
       replace(SERVED, like_threshold=c, like_spread=sd, stars_weight=w)
       for c in (3.5, 4.0) for sd in (0.5, 1.0) for w in (0.5, 1.0, 2.0)},
    # Tried 2026-12-08: recent ratings count more (a rating h ratings before the latest, half).
    **{f"served, recency half-life {h}": replace(SERVED, recency_half_life=h) for h in (10, 25, 50, 100)},
}
# Also scored on the outer split with --outer, beside the old and the served policy.
OUTER = {"old + floor": replace(OLD, floor=SERVED.floor), "signed only": replace(SERVED, stars_weight=0.0, floor=None),
         "stars only": replace(OLD, stars_weight=SERVED.stars_weight)}
COLUMNS = ("hit_rate@10", "ndcg@10", "liked_ndcg@10", "disliked@10", "contradiction@10", "coverage@10")


def scored(inputs: RankerInputs, test: Interactions, policies: dict[str, RankingPolicy]) -> dict[str, dict]:
    """Each policy's figures on `test`, one engine (and one judge) for all of them."""
    recommend = for_you_ranker(inputs)
    engine = served_engine(inputs)
    judge = served_stars(inputs)
    n_items = len(set(inputs.train.movie_ids.tolist()))
    figures = {}
    for name, policy in policies.items():
        engine.policy = policy
        figures[name] = evaluate_ranker(recommend, test, 10, predicted=judge, n_items=n_items)
    return figures


def table(figures: dict[str, dict], columns: tuple[str, ...] = COLUMNS, label: str = "policy") -> None:
    """One markdown row per policy (or setting) and its figures."""
    print(f"| {label} | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name, metrics in figures.items():
        print(f"| {name} | " + " | ".join(f"{metrics.get(c, float('nan')):.4f}" for c in columns) + " |", flush=True)


def main() -> None:
    parser = seeds_parser(__doc__)
    parser.add_argument("--only", nargs="+", default=[],
                        help="Score only the policies whose name holds one of these words (and the served one).")
    parser.add_argument("--no-inner", action="store_true", help="Skip the inner splits (with --outer).")
    parser.add_argument("--no-demographics", action="store_true", help="Blank the viewers' demographics first.")
    args = parser.parse_args()
    variants = {name: policy for name, policy in VARIANTS.items()
                if not args.only or policy == SERVED or any(word in name for word in args.only)}
    ratings, movies, users = movielens_frames(args.dataset)
    if args.no_demographics:
        users = without_demographics(users)
    data = Interactions.from_frame(ratings)
    for seed in args.seeds:
        train, test, inner_train, inner_test = nested_splits(data, seed)
        if not args.no_inner:
            inner(seed, train, inner_train, inner_test, movies, users, variants)
        if args.outer:
            print(f"\n### seed {seed}: outer split (held-out quarter)\n")
            table(scored(RankerInputs(train, movies, users, seed), test, {"old": OLD, **OUTER, "served": SERVED}))


def inner(seed, train, inner_train, inner_test, movies, users, variants) -> None:
    """Every policy of `variants` on the two inner splits of one seed."""
    print(f"\n### seed {seed}: inner split of the training ratings\n")
    table(scored(RankerInputs(inner_train, movies, users, seed), inner_test, variants))
    inner_train, inner_test = leave_last_out(train)
    print(f"\n### seed {seed}: inner leave-last-out of the training ratings\n")
    table(scored(RankerInputs(inner_train, movies, users, seed), inner_test, variants))


if __name__ == "__main__":
    main()
