"""How a new film's popularity is best guessed from its title and genres, on the inner splits of bench_cold_start.

    python -m bench.experiments.bench_new_film_popularity [--dataset data/ml-100k] [--seeds 0 1 2] [--inner-splits 3]

Which of a viewer's unrated films they go on to rate depends most on how much
each film is rated at all: with the held-out films' true counts in place of
any guess, the served rule gains +33 % to +150 % against genre popularity on
these splits. A new film has no count, so the rule guesses it from the rated
films its title and genres alone put it near (the neutral placement of
`MovieTower.placed`). Guesses compared, each in the served rule (genre
shares + popularity + stars + content profile) in place of the others:
- the mean log(1 + ratings) of the k nearest rated films (k = 10 was served);
- the same over every rated film, weighted by exp(cosine / τ);
- a ridge regression of log(1 + ratings) on the rated films' unit vectors
  (`serving.content_tower.popularity_weights`, penalty λ), and the same of
  the ratings ≥ 4★ alone (what a viewer will like, not merely rate).
Also printed: the Spearman correlation of each guess with how often the
held-out films were rated. Same splits, seeds and text-CNN as
bench_cold_start.py (defaults), and the same gains against genre popularity.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from bench.experiments.bench_cold_start import inner_split_parser, inner_splits_of, ranking  # noqa: E402
from re_sys.recommend.evaluation.new_movies import TextCNNContent  # noqa: E402
from re_sys.recommend.serving.content_tower import new_film_scores, popularity_weights, profile_closeness  # noqa: E402
from re_sys.recommend.stars import LOVED_STARS  # noqa: E402


def guesses(catalogue: np.ndarray, log_counts: np.ndarray, units: np.ndarray,
            loved_counts: np.ndarray) -> dict[str, np.ndarray]:
    """Each way of guessing log(1 + ratings) of films at `units` from the rated films at `catalogue`
    (and one guessing log(1 + ratings ≥ 4★) from `loved_counts`, theirs per rated film)."""
    closeness = units @ catalogue.T
    order = np.argsort(-closeness, axis=1, kind="stable")
    out = {f"mean of the {k} nearest": np.array([log_counts[o[:k]].mean() for o in order]) for k in (10, 30, 100)}
    for tau in (0.05, 0.1):
        weights = np.exp((closeness - closeness.max(axis=1, keepdims=True)) / tau)
        out[f"all, weighted by exp(cosine / {tau})"] = (weights * log_counts).sum(axis=1) / weights.sum(axis=1)
    for l2 in (0.1, 1.0, 10.0):
        beta = popularity_weights(catalogue, np.expm1(log_counts), l2)
        out[f"ridge regression, λ = {l2:g}"] = units @ beta[:-1] + beta[-1]
    beta = popularity_weights(catalogue, loved_counts, 1.0)
    out["ridge regression of the ratings ≥ 4★ only, λ = 1"] = units @ beta[:-1] + beta[-1]
    return out


def main() -> None:
    args = inner_split_parser(__doc__).parse_args()
    gains: dict[str, list] = {}
    for split in inner_splits_of(args):
        outer, inner, inner_train, test, inputs, base = split
        model = TextCNNContent(inputs)
        tower = model.tower
        candidates = np.unique(test.movie_ids)
        at = {int(m): i for i, m in enumerate(candidates)}
        vectors = [model._place(int(m)).vector for m in candidates]
        units = np.stack(vectors).astype(np.float64)
        units /= np.linalg.norm(units, axis=1, keepdims=True)
        log_counts = np.log1p(model._counts[tower.rated_rows].astype(np.float64))
        loved = inner_train.stars >= LOVED_STARS
        loved_counts = np.bincount([model.dataset.movie_row(m) for m in inner_train.movie_ids[loved].tolist()],
                                   minlength=len(model._counts))[tower.rated_rows]
        options = guesses(tower._neutral_catalogue.astype(np.float64), log_counts, units, loved_counts)
        options["the true counts (not a guess: the ceiling)"] = np.log1p(
            np.bincount(np.searchsorted(candidates, test.movie_ids), minlength=len(candidates)))

        def rule(guess):
            def score(u, c):
                users_ = np.full(len(c), u)
                profile = tower.profile_of(model._rated_rows.get(int(u), []))
                mine = [vectors[at[int(m)]] for m in c]
                closeness = None if profile is None else profile_closeness(profile, mine)
                return new_film_scores(model._shares.score(users_, c), guess[[at[int(m)] for m in c]],
                                       model.predict(users_, c), closeness)
            return score
        rules = {name: rule(guess) for name, guess in options.items()}
        rules["served (TextCNNContent.score)"] = lambda u, c: model.score(np.full(len(c), u), c)
        truth = options["the true counts (not a guess: the ceiling)"]
        cells = []
        for name, score in rules.items():
            n, liked = ranking(score, test, outer)
            rho = spearmanr(options[name], truth)[0] if name in options else float("nan")
            gains.setdefault(name, []).append((rho, n / base[0] - 1, liked / base[1] - 1))
            cells.append(f"{name}: ρ {rho:.2f}, {n / base[0] - 1:+.1%} / {liked / base[1] - 1:+.1%}")
        print(f"seed {outer}, inner split {inner}: " + "; ".join(cells), flush=True)
    print(f"\n{args.dataset.name}, inner new-movies splits; NDCG@10 / liked-NDCG@10 gain against genre popularity\n")
    print("| popularity guessed by | Spearman ρ, mean | gain, mean | gain, lowest split | per split |")
    print("|---|---|---|---|---|")
    for name, values in gains.items():
        values = np.asarray(values)
        mean, low = values.mean(axis=0), values.min(axis=0)
        rho = "–" if np.isnan(mean[0]) else f"{mean[0]:.2f}"
        print(f"| {name} | {rho} | {mean[1]:+.1%} / {mean[2]:+.1%} | {low[1]:+.1%} / {low[2]:+.1%} | "
              + ", ".join(f"{n:+.0%} / {liked:+.0%}" for _, n, liked in values) + " |")


if __name__ == "__main__":
    main()
