"""Three ways to ask whether *this* viewer will rate a new film, tried in the new-film rule; one served.

    python -m bench.experiments.bench_new_film_viewer [--dataset data/ml-100k] [--seeds 0 1 2]
        [--inner-splits 3] [--outer "RULE"]

The rule served before these (`serving.content_tower.new_film_scores` with
four signals, "before" below) knows the viewer through their genre shares,
the predicted stars and one content profile (the mean of their rated films'
neutral placements); how much the film will be rated comes from a regression
that is the same for everyone. Each signal below is personal and says where
in the catalogue this viewer's films lie:
- **neighbourhood share** (τ): of the rated films near the new one by title
  and genres, weighted exp(cosine / τ), the share this viewer rated, in logs:
  a content profile that is local, not one mean;
- **watched factors** (k): the classic attribute-to-factor mapping (Gantner
  et al., ICDM 2010): a rank-k SVD of who rated what (0/1, training films),
  each film's factors regressed (ridge, λ = 1) on its neutral placement; a
  new film's guessed factors times the viewer's (their row of the 0/1
  matrix times the film factors), so popularity and taste in one number;
- **years watched**: a film's year against the years of the films this
  viewer rated, as a share of the training films of about that year
  (Gaussian kernel, 1.5 years), in logs (`content_tower.years_share`). The
  share is drawn towards the viewer's share of every year by a prior of
  one film; "first prior" is the fixed tenth of a film first tried, which
  puts years the catalogue barely has above those the viewer watches. The
  other signals do not see the year. Served since 2026-12-08
  (`MovieTower.years_watched`): the rule "served" is `TextCNNContent.score`
  and repeats "before + years watched".

Each is tried beside the four signals of before and in place of the profile,
on the inner new-movies splits of bench_cold_start.py (the text-CNN trained
once per split), gains against genre popularity. With `--outer RULE` the
named rule is scored once beside "before" on protocol new-movies' own
splits, after it was chosen on the inner ones.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.common import movielens_frames  # noqa: E402
from bench.experiments.bench_cold_start import (gains_table, inner_split_parser, inner_splits,  # noqa: E402
                                               rule_gains, z)
from bench.experiments.bench_new_film_noise import outer_split  # noqa: E402
from re_sys.recommend.algorithms.base import Interactions  # noqa: E402
from re_sys.recommend.evaluation.new_movies import TextCNNContent  # noqa: E402
from re_sys.recommend.serving.content_tower import new_film_scores, years_share  # noqa: E402


class ViewerSignals:
    """The two personal signals that were not served, for one split's text-CNN run."""

    def __init__(self, model: TextCNNContent):
        tower = model.tower
        self.model, self.catalogue, self.index = model, tower._neutral_catalogue.astype(np.float64), tower._neutral_index
        self.watched: dict[int, np.ndarray] = {}
        for user, rows in model._rated_rows.items():
            at = self.index[np.asarray(rows)]
            self.watched[user] = np.unique(at[at >= 0])
        n_films = len(self.catalogue)
        users = sorted(self.watched)
        self.user_at = {u: i for i, u in enumerate(users)}
        self.matrix = np.zeros((len(users), n_films))
        for u, at in self.watched.items():
            self.matrix[self.user_at[u], at] = 1.0
        _, _, vt = np.linalg.svd(self.matrix, full_matrices=False)
        self.film_factors = vt.T                                     # films x rank, in order of importance
        x = np.hstack([self.catalogue, np.ones((n_films, 1))])
        self.gram = x.T @ x + np.eye(x.shape[1])
        self.x = x
        self._maps: dict[int, np.ndarray] = {}

    def _units(self, candidates) -> np.ndarray:
        vectors = np.stack([self.model._place(int(m)).vector for m in candidates]).astype(np.float64)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def neighbourhood(self, user: int, candidates, tau: float) -> np.ndarray:
        logits = self._units(candidates) @ self.catalogue.T / tau
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        mine = weights[:, self.watched.get(user, np.zeros(0, dtype=np.int64))].sum(axis=1)
        return np.log(mine + 1e-12) - np.log(weights.sum(axis=1))

    def factors(self, user: int, candidates, rank: int) -> np.ndarray:
        if rank not in self._maps:
            self._maps[rank] = np.linalg.solve(self.gram, self.x.T @ self.film_factors[:, :rank])
        guessed = np.hstack([self._units(candidates), np.ones((len(candidates), 1))]) @ self._maps[rank]
        at = self.user_at.get(user)
        if at is None:
            return np.zeros(len(candidates))
        viewer = self.matrix[at] @ self.film_factors[:, :rank]
        return guessed @ viewer


def first_prior(model: TextCNNContent, user: int, candidates) -> np.ndarray | None:
    """The years watched with the prior first tried: a tenth of a film for every viewer."""
    tower = model.tower
    mine = tower.rated_rows[np.unique(tower._rated_positions(model._rated_rows.get(int(user), [])))]
    return years_share(tower.years[mine], tower._rated_years,
                       [model._place(int(m)).year for m in candidates], viewer_prior=0.1)


def plus(score: np.ndarray, signal) -> np.ndarray:
    """A signal standardised and added, as `new_film_scores` adds it (none where it has nothing to say)."""
    return score if signal is None else score + z(signal)


def rules_of(model: TextCNNContent, extra: ViewerSignals) -> dict:
    def before_without_profile(u, c):
        s = model.signals(np.full(len(c), u), c)
        return new_film_scores(s["shares"], s["popularity"], s["stars"])

    def before(u, c):
        s = model.signals(np.full(len(c), u), c)
        return new_film_scores(s["shares"], s["popularity"], s["stars"], s["closeness"])

    def years(u, c):
        return model.signals(np.full(len(c), u), c)["years"]

    personal = {
        "neighbourhood share τ 0.05": lambda u, c: extra.neighbourhood(u, c, 0.05),
        "neighbourhood share τ 0.1": lambda u, c: extra.neighbourhood(u, c, 0.1),
        "watched factors k 16": lambda u, c: extra.factors(u, c, 16),
        "watched factors k 64": lambda u, c: extra.factors(u, c, 64),
        "years watched": years,
        "years watched, first prior": lambda u, c: first_prior(model, u, c),
    }
    rules = {"before": before}
    for name, signal in personal.items():
        rules[f"before + {name}"] = lambda u, c, signal=signal: plus(before(u, c), signal(u, c))
        rules[f"before, {name} for the profile"] = (
            lambda u, c, signal=signal: plus(before_without_profile(u, c), signal(u, c)))
    for weight in (0.5, 1.5, 2.0, 3.0):
        rules[f"before + {weight:g} × years watched"] = (
            lambda u, c, w=weight: before(u, c) + (0.0 if (y := years(u, c)) is None else w * z(y)))
    rules["before + watched factors k 16 + years watched"] = (
        lambda u, c: plus(plus(before(u, c), extra.factors(u, c, 16)), years(u, c)))
    rules["served"] = lambda u, c: model.score(np.full(len(c), u), c)
    return rules


def main() -> None:
    parser = inner_split_parser(__doc__)
    parser.add_argument("--outer", metavar="RULE", help="Score this rule beside before and served on protocol "
                                                         "new-movies' own splits.")
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)
    if args.outer:
        splits, where = [outer_split(data, movies, users, seed) for seed in args.seeds], "protocol new-movies' own splits"
    else:
        splits, where = inner_splits(data, movies, users, args.seeds, args.inner_splits), "inner new-movies splits"
    gains: dict[str, list] = {}
    for split in splits:
        model = TextCNNContent(split.inputs)
        rules = rules_of(model, ViewerSignals(model))
        if args.outer:
            rules = {name: rules[name] for name in dict.fromkeys(("before", args.outer, "served"))}
        rule_gains(split, rules, gains)
    gains_table(args.dataset.name, gains, where=where)


if __name__ == "__main__":
    main()
