"""Whether a new film's popularity is better guessed from its title words and genres themselves, on the
inner splits of bench_cold_start.

    python -m bench.experiments.bench_new_film_words [--dataset data/ml-100k] [--seeds 0 1 2] [--inner-splits 3]

The served guess of how much a new film will be rated is a ridge regression
of the rated films' log(1 + ratings) on where the movie tower puts them by
title and genres (`MovieTower.popularity_model`). That placement moves with
the tower's training seed (bench_new_film_noise.py), and the guess with it.
The classic guess moves with nothing: the same regression on the film's
words and genres as indicators (its distinct title words known to the run,
its genres and a constant), penalty λ. Each is tried in the served rule in
place of the tower's, and the two together. Also printed: the Spearman
correlation of each guess with how often the held-out films were rated.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from bench.experiments.bench_cold_start import (gains_table, inner_split_parser, inner_splits_of,  # noqa: E402
                                               rule_gains, z)
from re_sys.recommend.evaluation.new_movies import TextCNNContent  # noqa: E402
from re_sys.recommend.serving.content_tower import predicted_popularity, profile_closeness  # noqa: E402

PENALTIES = (3.0, 10.0, 30.0)


def indicators(genres: np.ndarray, titles: np.ndarray, n_words: int, n_genres: int) -> np.ndarray:
    """One row per film, as the run encodes them: its distinct known title words (ids ≥ 2), its genres
    (ids ≥ 1) and a constant, as 0/1 columns."""
    x = np.zeros((len(titles), n_words - 2 + n_genres + 1))
    rows = np.arange(len(titles))[:, None]
    x[np.broadcast_to(rows, titles.shape)[titles >= 2], titles[titles >= 2] - 2] = 1.0
    x[np.broadcast_to(rows, genres.shape)[genres >= 1], n_words - 2 + genres[genres >= 1] - 1] = 1.0
    x[:, -1] = 1.0
    return x


def main() -> None:
    args = inner_split_parser(__doc__).parse_args()
    gains: dict[str, list] = {}
    rhos: dict[str, list] = {}
    for split in inner_splits_of(args):
        model = TextCNNContent(split.inputs)
        tower = model.tower
        candidates = np.unique(split.test.movie_ids)
        at = {int(m): i for i, m in enumerate(candidates)}
        truth = np.bincount(np.searchsorted(candidates, split.test.movie_ids), minlength=len(candidates))
        genres, titles = tower.catalogue
        shape = (len(tower._word), len(tower._genre))
        known = indicators(genres[tower.rated_rows], titles[tower.rated_rows], *shape)
        new = indicators(np.stack([tower.encode_genres(model.genres.get(int(m), ()), genres.shape[1])
                                   for m in candidates]),
                         np.stack([tower.encode_title(model.titles.get(int(m), "")) for m in candidates]), *shape)
        log_counts = np.log1p(model._counts[tower.rated_rows].astype(np.float64))
        guesses = {"the tower's placement (served)": predicted_popularity(
            model._popularity, [model._place(int(m)).vector for m in candidates])}
        for l2 in PENALTIES:
            beta = np.linalg.solve(known.T @ known + l2 * np.eye(known.shape[1]), known.T @ log_counts)
            guesses[f"words and genres, λ = {l2:g}"] = new @ beta
        for name, guess in guesses.items():
            rhos.setdefault(name, []).append(spearmanr(guess, truth)[0])

        def rule(*names):
            def score(u, c):
                users = np.full(len(c), u)
                vectors = [model._place(int(m)).vector for m in c]
                profile = tower.profile_of(model._rated_rows.get(int(u), []))
                closeness = 0.0 if profile is None else z(profile_closeness(profile, vectors))
                rows = [at[int(m)] for m in c]
                return (z(model._shares.score(users, c)) + z(model.predict(users, c)) + closeness
                        + sum(z(guesses[name][rows]) for name in names))
            return score
        rules = {f"popularity by {name}": rule(name) for name in guesses}
        rules["popularity by both, λ = 10"] = rule("the tower's placement (served)", "words and genres, λ = 10")
        rule_gains(split, rules, gains)
    print("\nSpearman ρ with the held-out films' counts, mean of the splits: "
          + "; ".join(f"{name} {np.mean(values):.3f}" for name, values in rhos.items()))
    gains_table(args.dataset.name, gains)


if __name__ == "__main__":
    main()
