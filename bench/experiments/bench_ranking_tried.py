"""Further for-you variants tried, each scored where settings are chosen and where they are judged.

    python -m bench.experiments.bench_ranking_tried [--dataset data/ml-100k] [--seeds 0 1 2]

For each split seed S: the outer split is the per-user 75/25 split
`evaluate --seed S` scores; the inner split holds out a quarter of that
split's training ratings the same way (seed S), and is where settings were
chosen. Every row is NDCG@10 on both, beside the blend served before genres
(EASE over ratings and sittings + implicit ALS, each standardised over the
movies the viewer may be shown), which this script reproduces exactly on the
outer splits. A variant is kept only if it gains on the inner splits and the
outer ones alike, on every seed: of these, only genres as pseudo-viewers in
EASE's Gram (weight 3, the best on the inner splits) and, on top of them,
co-liking (the stars centred on each viewer's mean, β = 0.15) did, and both
are now served (docs/benchmarks.md). Dense numpy: ML-100K-sized data only;
15 to 25 minutes on 2 cores.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from bench.common import dataset_parser  # noqa: E402
import numpy as np


from bench.experiments.bench_ranking_variants import ease_weights, ndcg_and_precision  # noqa: E402
from re_sys.recommend.algorithms import Interactions  # noqa: E402
from re_sys.recommend.algorithms.ease import centred_stars, genre_matrix  # noqa: E402
from re_sys.recommend.algorithms.sittings import SITTING_SECONDS, sitting_gram  # noqa: E402
from re_sys.recommend.serving.channels.implicit_als import ImplicitALS  # noqa: E402
from re_sys.recommend.data.dataset import frames_from_movielens, title_words  # noqa: E402
from re_sys.recommend.evaluation.protocols import per_user_split  # noqa: E402
from re_sys.recommend.data.movielens import read_dataset  # noqa: E402
from re_sys.recommend.serving.channels.fitting import (GENRE_WEIGHT, ITEM_REGULARISATION, LIKING_WEIGHT,  # noqa: E402
                                                     SITTING_WEIGHT)


def over_unseen(scores: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Each row standardised over the movies its viewer did not rate, as `Engine.for_user` does."""
    scores = np.where(seen > 0, np.nan, scores.astype(np.float64))
    scores = scores - np.nanmean(scores, axis=1, keepdims=True)
    return np.nan_to_num(scores / (np.nanstd(scores, axis=1, keepdims=True) + 1e-12), nan=-np.inf)


def ials_step(other: np.ndarray, support: list[np.ndarray], regularisation: float,
              unobserved: float) -> np.ndarray:
    """One side of iALS given the other's factors: for each row, the least-squares fit to 1 on the
    cells in its support and to 0 (weighted `unobserved`) on all others, with L2 grown with support."""
    factors = other.shape[1]
    gram = unobserved * other.T @ other
    out = np.empty((len(support), factors))
    for row, rated in enumerate(support):
        chosen = other[rated]
        system = gram + chosen.T @ chosen
        system[np.diag_indices(factors)] += regularisation * (len(rated) + unobserved * len(other))
        out[row] = np.linalg.solve(system, chosen.sum(axis=0))
    return out


def ials_item_factors(x: np.ndarray, factors: int, regularisation: float, unobserved: float,
                      iterations: int, seed: int) -> np.ndarray:
    """iALS as revisited by Rendle et al. (2021): every unrated cell weighs `unobserved`, and each row's
    L2 penalty grows with its support, λ·(ratings + unobserved·width), so frequent rows are not
    under-regularised as with one λ for all."""
    rng = np.random.default_rng(seed)
    movies = rng.normal(0, 0.1 / np.sqrt(factors), (x.shape[1], factors))
    by_user = [np.flatnonzero(row) for row in x]
    by_movie = [np.flatnonzero(column) for column in x.T]
    for _ in range(iterations):
        users = ials_step(movies, by_user, regularisation, unobserved)
        movies = ials_step(users, by_movie, regularisation, unobserved)
    return movies


def ials_scores(x: np.ndarray, movies: np.ndarray, regularisation: float, unobserved: float) -> np.ndarray:
    """Every viewer folded in from their rated movies against fixed item factors (the iALS user step)."""
    users = ials_step(movies, [np.flatnonzero(row) for row in x], regularisation, unobserved)
    return users @ movies.T


def sitting_rows(user_rows: np.ndarray, movie_rows: np.ndarray, times: np.ndarray, n_movies: int,
                 gap: float) -> tuple[np.ndarray, np.ndarray]:
    """One 0/1 row per sitting (a viewer's ratings with no gap over `gap` seconds), and whose it is."""
    order = np.lexsort((movie_rows, times, user_rows))
    users, movies, times = user_rows[order], movie_rows[order], times[order].astype(np.float64)
    starts = np.r_[True, (users[1:] != users[:-1]) | (np.diff(times) > gap)]
    sitting = np.cumsum(starts) - 1
    rows = np.zeros((sitting[-1] + 1, n_movies), np.float32)
    rows[sitting, movies] = 1.0
    return rows, users[starts]


def session_knn(rows: np.ndarray, owners: np.ndarray, n_users: int, neighbours: int) -> np.ndarray:
    """Session-based kNN: each sitting's nearest other viewers' sittings (cosine), their movies summed."""
    unit = rows / np.sqrt(rows.sum(axis=1, keepdims=True))
    similarity = unit @ unit.T
    similarity[owners[:, None] == owners[None, :]] = 0.0      # never the viewer's own sittings
    # Ties at the k-th similarity are all kept: small sittings tie often, and which of them to drop
    # would otherwise be an accident of order.
    kth = -np.partition(-similarity, neighbours - 1, axis=1)[:, neighbours - 1][:, None]
    per_sitting = np.where((similarity >= kth) & (similarity > 0), similarity, 0.0) @ rows
    scores = np.zeros((n_users, rows.shape[1]))
    np.add.at(scores, owners, per_sitting)
    return scores


def first_sitting_share(data: Interactions, gap: float) -> tuple[float, float]:
    """The share of all ratings made in their viewer's first sitting, and the median viewer's share."""
    users = np.searchsorted(np.unique(data.user_ids), data.user_ids)
    rows, owners = sitting_rows(users, np.searchsorted(np.unique(data.movie_ids), data.movie_ids),
                                data.timestamps, len(np.unique(data.movie_ids)), gap)
    first = rows[np.r_[True, owners[1:] != owners[:-1]]].sum(axis=1)   # sittings come in viewer order
    per_viewer = first / np.bincount(users)
    return float(first.sum() / len(data)), float(np.median(per_viewer))


def title_word_features(movie_ids: np.ndarray, titles: dict[int, str], most: int) -> np.ndarray:
    """Movies x title words of 3 letters or more that are in 2 to `most` titles (sequels, names)."""
    words = {m: set(title_words(title)) for m, title in titles.items()}
    counts: dict[str, int] = {}
    for found in words.values():
        for word in found:
            counts[word] = counts.get(word, 0) + 1
    kept = {w for w, n in counts.items() if 2 <= n <= most and len(w) >= 3}
    return genre_matrix(movie_ids, {m: sorted(found & kept) for m, found in words.items()})


def viewer_features(users) -> np.ndarray:
    """Viewers x every gender, age group and occupation value, 0/1 (a frame indexed in viewer order)."""
    columns = [(users[name].astype(str).to_numpy() == value)
               for name in ("gender", "age_group", "occupation") for value in np.unique(users[name].astype(str))]
    return np.stack(columns, axis=1).astype(np.float64)


@dataclass
class Split:
    train: Interactions
    test: Interactions
    seed: int
    user_ids: np.ndarray
    movie_ids: np.ndarray
    # Side information, rows in movie_ids / user_ids order: movies x genres, movies x release
    # years, viewers x (gender, age group, occupation), movies x title words; all 0/1.
    genres: np.ndarray
    years: np.ndarray
    demographics: np.ndarray
    titles: dict = field(default_factory=dict)     # most titles a word may be in -> movies x words
    # Scores a variant reuses across rows (its channel alone, then in the blend).
    cache: dict = field(default_factory=dict)

    def matrix(self, part: Interactions) -> np.ndarray:
        out = np.zeros((len(self.user_ids), len(self.movie_ids)), np.float32)
        out[np.searchsorted(self.user_ids, part.user_ids), np.searchsorted(self.movie_ids, part.movie_ids)] = 1
        return out

    @cached_property
    def x(self) -> np.ndarray:
        return self.matrix(self.train)

    @cached_property
    def user_rows(self) -> np.ndarray:
        return np.searchsorted(self.user_ids, self.train.user_ids)

    @cached_property
    def movie_rows(self) -> np.ndarray:
        return np.searchsorted(self.movie_ids, self.train.movie_ids)

    @cached_property
    def gram(self) -> np.ndarray:
        return (self.x.T @ self.x).astype(np.float64)

    def sittings(self, seconds: float = SITTING_SECONDS) -> np.ndarray:
        return sitting_gram(self.user_rows, self.movie_rows, self.train.timestamps, len(self.movie_ids), seconds)

    @cached_property
    def item_gram(self) -> np.ndarray:
        """The item-to-item channel's Gram matrix before genres: ratings and sittings."""
        return (self.gram + SITTING_WEIGHT * self.sittings()) / (1 + SITTING_WEIGHT)

    @cached_property
    def item_weights(self) -> np.ndarray:
        return ease_weights(self.item_gram, ITEM_REGULARISATION)

    @cached_property
    def ease(self) -> np.ndarray:
        return self.x @ self.item_weights

    def als(self, regularisation: float | None = None, genre_rows: bool = False) -> np.ndarray:
        extra = {} if regularisation is None else {"regularisation": regularisation}
        users, movies, n_users = self.user_rows, self.movie_rows, len(self.user_ids)
        if genre_rows:      # each genre a pseudo-viewer who rated its movies
            genre, movie = np.nonzero(self.genres.T)
            users, movies, n_users = np.r_[users, n_users + genre], np.r_[movies, movie], n_users + len(self.genres.T)
        model = ImplicitALS.fit(users, movies, n_users, len(self.movie_ids), seed=self.seed, **extra)
        return np.stack([model.scores(np.flatnonzero(row)) for row in self.x])

    @cached_property
    def liking_gram(self) -> np.ndarray:
        """CᵀC, C the training stars centred on each viewer's own mean (0 where unrated)."""
        liking = centred_stars(np.array(self.x), self.user_rows, self.movie_rows, self.train.stars)
        return (liking.T @ liking).astype(np.float64)

    def with_side(self, *blocks: tuple[float, np.ndarray], liking: float = 0.0) -> np.ndarray:
        """EASE scores over the Gram before genres plus w²·FFᵀ for each (w, F) of movie features,
        plus `liking` × the co-liking Gram."""
        gram = self.item_gram.copy()
        for weight, features in blocks:
            gram += weight ** 2 * features @ features.T
        if liking:
            gram += liking * self.liking_gram
        return self.x @ ease_weights(gram, ITEM_REGULARISATION)

    def with_viewer_side(self, weight: float) -> np.ndarray:
        """EASE with the viewer's demographics as extra columns, weight w: [X, wD] times its weights."""
        side = weight * self.demographics
        gram = np.block([[self.item_gram, self.x.T @ side], [side.T @ self.x, side.T @ side]])
        return np.hstack([self.x, side]) @ ease_weights(gram, ITEM_REGULARISATION)[:, :self.x.shape[1]]

    @cached_property
    def served_als(self) -> np.ndarray:
        return self.als()

    @cached_property
    def served(self) -> np.ndarray:
        return self.z(self.ease) + self.z(self.served_als)

    def z(self, scores: np.ndarray) -> np.ndarray:
        return over_unseen(scores, self.x)

    def ndcg(self, scores: np.ndarray) -> float:
        return ndcg_and_precision(scores, self.x, self.matrix(self.test))[0]


def variants():
    """(label, scores of a Split): what was tried, in the order of docs/benchmarks.md."""
    yield "served before genres: EASE over ratings and sittings + implicit ALS", lambda s: s.served
    for setting in ((64, 0.005, 0.1), (64, 0.01, 0.03), (64, 0.01, 0.3), (128, 0.01, 0.1), (64, 0.02, 0.1),
                    (32, 0.04, 0.1), (64, 0.04, 0.1), (64, 0.08, 0.1)):
        factors, regularisation, unobserved = setting
        label = f"iALS {factors} factors, λ {regularisation:g}, unobserved {unobserved:g}"

        def ials(s, factors=factors, regularisation=regularisation, unobserved=unobserved):
            key = ("ials", factors, regularisation, unobserved)
            if key not in s.cache:
                movies = ials_item_factors(s.x, factors, regularisation, unobserved, 10, s.seed)
                s.cache[key] = ials_scores(s.x, movies, regularisation, unobserved)
            return s.cache[key]
        yield f"{label}: alone", ials
        yield f"{label}: in place of implicit ALS", lambda s, f=ials: s.z(s.ease) + s.z(f(s))
        yield f"{label}: as a third channel", lambda s, f=ials: s.served + s.z(f(s))
    for neighbours in (50, 200):
        def knn(s, neighbours=neighbours):
            key = ("knn", neighbours)
            if key not in s.cache:
                rows, owners = sitting_rows(s.user_rows, s.movie_rows, s.train.timestamps, len(s.movie_ids),
                                            8 * SITTING_SECONDS)
                s.cache[key] = session_knn(rows, owners, len(s.user_ids), neighbours)
            return s.cache[key]
        yield f"session kNN over sittings, {neighbours} neighbours: alone", knn
        for weight in (0.3, 0.6):
            yield (f"session kNN, {neighbours} neighbours: served + {weight:g} ×",
                   lambda s, f=knn, weight=weight: s.served + weight * s.z(f(s)))
    for seconds in (2.0, 20.0):
        for weight in (1.0, 3.0):
            def paged(s, seconds=seconds, weight=weight):
                gram = (s.gram + SITTING_WEIGHT * s.sittings() + weight * s.sittings(seconds)) \
                    / (1 + SITTING_WEIGHT + weight)
                return s.z(s.x @ ease_weights(gram, ITEM_REGULARISATION)) + s.z(s.served_als)
            yield f"+ {weight:g} × a page-level Gram (τ = {seconds:g} s)", paged
    for exponent in (0.1, 0.25):
        yield (f"query weighted by popularity^-{exponent:g}",
               lambda s, e=exponent: s.z((s.x * np.maximum(s.x.sum(axis=0), 1) ** -e) @ s.item_weights)
               + s.z(s.served_als))
    for weight in (0.1, 0.3):
        yield (f"two-hop: + {weight:g} × XBB",
               lambda s, w=weight: s.served + w * s.z(s.ease @ s.item_weights))
    inner_to_outer = 1 / 0.75      # the inner split trains on three quarters of the outer's ratings
    yield (f"EASE λ scaled to the outer split's size ({ITEM_REGULARISATION * inner_to_outer:g})",
           lambda s: s.z(s.x @ ease_weights(s.item_gram, ITEM_REGULARISATION * inner_to_outer))
           + s.z(s.served_als))
    yield ("ALS λ scaled likewise (26.7)", lambda s: s.z(s.ease) + s.z(s.als(20.0 * inner_to_outer)))
    # Side information (Jeunen et al. 2020): movie features as pseudo-viewers, viewer features as
    # pseudo-movies. Genres at GENRE_WEIGHT is served, with co-liking (below).
    for weight in (1.0, 2.0, 3.0, 5.0, 10.0):
        yield (f"genres as pseudo-viewers in EASE, weight {weight:g}" + (" (served before co-liking)"
                                                                         if weight == GENRE_WEIGHT else ""),
               lambda s, w=weight: s.z(s.with_side((w, s.genres))) + s.z(s.served_als))
    yield ("genres in EASE (3) and as pseudo-viewers in ALS",
           lambda s: s.z(s.with_side((GENRE_WEIGHT, s.genres))) + s.z(s.als(genre_rows=True)))
    for weight in (1.0, 3.0):
        yield (f"release year as pseudo-viewers in EASE, weight {weight:g}",
               lambda s, w=weight: s.z(s.with_side((w, s.years))) + s.z(s.served_als))
        yield (f"genres (3) and release year ({weight:g}) in EASE",
               lambda s, w=weight: s.z(s.with_side((GENRE_WEIGHT, s.genres), (w, s.years))) + s.z(s.served_als))
    for weight in (1.0, 3.0):
        yield (f"gender, age group and occupation as pseudo-movies in EASE, weight {weight:g}",
               lambda s, w=weight: s.z(s.with_viewer_side(w)) + s.z(s.served_als))
    # Co-liking (algorithms/ease.py): the centred stars' Gram × β on top of genres at weight 3.
    for beta in (0.05, 0.1, 0.15, 0.25, 0.5, 1.0):
        yield (f"genres (3) and co-liking in EASE, β {beta:g}" + (" (served)" if beta == LIKING_WEIGHT else ""),
               lambda s, b=beta: s.z(s.with_side((GENRE_WEIGHT, s.genres), liking=b)) + s.z(s.served_als))
    for most, weight in ((15, 1.0), (15, 3.0), (15, 5.0), (40, 3.0)):
        yield (f"genres (3) and title words (in 2 to {most} titles) in EASE, weight {weight:g}",
               lambda s, m=most, w=weight: s.z(s.with_side((GENRE_WEIGHT, s.genres), (w, s.titles[m])))
               + s.z(s.served_als))


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    dataset = read_dataset(args.dataset)
    ratings, _movies, users = frames_from_movielens(dataset)
    data = Interactions.from_frame(ratings)
    user_ids, movie_ids = np.unique(data.user_ids), np.unique(data.movie_ids)
    records = {m.id: m for m in dataset.movies}
    side = (genre_matrix(movie_ids, {m: r.genres for m, r in records.items()}),
            genre_matrix(movie_ids, {m: [str(r.year)] for m, r in records.items() if r.year}),
            viewer_features(users.set_index("user_id").loc[user_ids]),
            {most: title_word_features(movie_ids, {m: r.title for m, r in records.items()}, most)
             for most in (15, 40)})
    share, median = first_sitting_share(data, 8 * SITTING_SECONDS)
    print(f"ratings made in their viewer's first sitting: {share:.1%} (the median viewer's share: {median:.0%})")
    pairs = []
    for seed in args.seeds:
        train, test = per_user_split(data, 0.25, seed)
        pairs.append((Split(train, test, seed, user_ids, movie_ids, *side),
                      Split(*per_user_split(train, 0.25, seed), seed, user_ids, movie_ids, *side)))

    rows = []
    for label, scores in variants():
        outer = [o.ndcg(scores(o)) for o, _ in pairs]
        inner = [i.ndcg(scores(i)) for _, i in pairs]
        rows.append((label, outer, inner))
        print(f"{label:70} outer {np.mean(outer):.4f}  inner {np.mean(inner):.4f}", flush=True)

    seeds = ", ".join(map(str, args.seeds))
    print(f"\n{args.dataset.name}: NDCG@10, per-user 75/25; outer split seeds {seeds}, inner splits of their "
          "training ratings\n")
    print("| variant | outer, per seed | outer mean | inner, per seed | inner mean |\n|---|---|---|---|---|")
    for label, outer, inner in rows:
        print(f"| {label} | {' / '.join(f'{v:.4f}' for v in outer)} | {np.mean(outer):.4f} | "
              f"{' / '.join(f'{v:.4f}' for v in inner)} | {np.mean(inner):.4f} |")


if __name__ == "__main__":
    main()
