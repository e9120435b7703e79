"""How for-you should rank films nobody has rated yet, chosen on inner splits of the training ratings.

    python -m bench.experiments.bench_new_film_ranking [--dataset data/ml-100k] [--seeds 0 1 2]

For each seed S, protocol new-movies' outer split (`new_movie_split`, seed S)
is left alone: its test part is never read here. Inside its training part a
second 10 % of the films is held out the same way (seed S + 100), the
text-CNN is fitted on the rest, and each rule ranks only the inner held-out
films for each viewer who rated some (NDCG@10 and liked-NDCG@10, as the
protocol scores). The text-CNN is trained without cold-start training, as
when this chose the rule `serving.content_tower.new_film_scores` serves for
such runs (genre shares + popularity); with cold-start training the
predicted stars join that rule, chosen by bench_cold_start.py.
`manage.py evaluate --protocol new-movies` reports the served rule on the
outer split.

Rules, over a new film's nearest (the NEIGHBOURS films nearest it by title
and genres, `MovieTower.placed`):
- stars: the predicted stars alone;
- loved: how many nearest the viewer loved (>= LOVED_STARS);
- loved, then stars: the same, ties by the predicted stars;
- loved, then popularity: ties by the nearest' mean log number of ratings;
- loved, by closeness: the nearest' cosine to the new film, summed over the loved ones;
- rated: how many nearest the viewer rated, any stars;
- rated, then popularity;
- popularity: the nearest' mean log number of ratings alone;
- mixes: standardised per viewer and added, the nearest' counts beside the
  viewer's genre shares (the baseline's own signal) and the popularity;
and the protocol's baseline, genre popularity. Remaining ties are broken by
a seeded shuffle, as the protocol breaks them: by id, a count (with many
ties) would be helped by ML-100K's ids, which follow the order films joined
the catalogue and so track how much they were rated.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.common import dataset_parser, movielens_frames  # noqa: E402
from re_sys.recommend.algorithms.base import Interactions  # noqa: E402
from re_sys.recommend.evaluation.new_movies import GenrePopularity, TextCNNContent, new_movie_split  # noqa: E402
from re_sys.recommend.evaluation.protocols import evaluate_ranker  # noqa: E402
from re_sys.recommend.evaluation.registry import RankerInputs  # noqa: E402
from re_sys.recommend.stars import LOVED_STARS  # noqa: E402
from re_sys.recommend.textcnn.config import TextCNNConfig  # noqa: E402


def rules(model: TextCNNContent, train: Interactions) -> dict:
    """name -> score(user, candidates) for each rule."""
    row = model.dataset.movie_row
    history: dict[int, dict[int, float]] = {}
    for user, movie, stars in zip(train.user_ids.tolist(), train.movie_ids.tolist(), train.stars.tolist()):
        history.setdefault(user, {})[row(movie)] = stars
    tower = model.tower

    def nearest_of(movie: int):
        placement = model._place(movie)
        genres = tower.encode_genres(model.genres.get(movie, ()))[None, :]
        words = tower.encode_title(model.titles.get(movie, ""))[None, :]
        neutral = tower.vectors(tower.unseen_id[None, :], genres, words)[0]
        closeness = tower._neutral_catalogue @ (neutral / np.linalg.norm(neutral))
        by_row = dict(zip(tower.rated_rows.tolist(), closeness.tolist()))
        return placement.nearest, np.array([by_row[r] for r in placement.nearest])

    cache: dict[int, tuple] = {}

    def over_nearest(weigh):
        def score(user: int, candidates: np.ndarray) -> np.ndarray:
            mine = history.get(user, {})
            out = []
            for movie in candidates.tolist():
                if movie not in cache:
                    cache[movie] = nearest_of(movie)
                rows, closeness = cache[movie]
                out.append(sum(weigh(mine[r], c) for r, c in zip(rows.tolist(), closeness) if r in mine))
            return np.asarray(out, dtype=np.float64)
        return score

    def stars(user: int, candidates: np.ndarray) -> np.ndarray:
        return np.asarray(model.predict(np.full(len(candidates), user), candidates), dtype=np.float64)

    counts = np.bincount([row(m) for m in train.movie_ids.tolist()], minlength=model.dataset.n_movies)

    def popularity(user: int, candidates: np.ndarray) -> np.ndarray:
        """The nearest' mean log(1 + ratings), scaled into [0, 1) so that it only breaks ties."""
        out = []
        for movie in candidates.tolist():
            if movie not in cache:
                cache[movie] = nearest_of(movie)
            out.append(np.log1p(counts[cache[movie][0]]).mean() if len(cache[movie][0]) else 0.0)
        return np.asarray(out) / (np.log1p(counts.max()) + 1e-9) * 0.99

    loved = over_nearest(lambda s, c: float(s >= LOVED_STARS))
    rated = over_nearest(lambda s, c: 1.0)
    return {
        "stars": stars,
        "loved": loved,
        "loved, then stars": lambda u, c: loved(u, c) + stars(u, c) / 10.0,
        "loved, then popularity": lambda u, c: loved(u, c) + popularity(u, c),
        "loved, by closeness": over_nearest(lambda s, c: c * float(s >= LOVED_STARS)),
        "rated": rated,
        "rated, then popularity": lambda u, c: rated(u, c) + popularity(u, c),
        "popularity": popularity,
    }


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() + 1e-12)


def mixes(scorers: dict, shares) -> dict:
    """Each viewer's standardised scores added: the nearest' evidence beside the genre shares."""
    loved, rated, popularity = scorers["loved"], scorers["rated"], scorers["popularity"]
    return {
        "loved + genre shares": lambda u, c: _z(loved(u, c)) + _z(shares(u, c)),
        "loved + genre shares + popularity": lambda u, c: _z(loved(u, c)) + _z(shares(u, c)) + _z(popularity(u, c)),
        "rated + genre shares + popularity": lambda u, c: _z(rated(u, c)) + _z(shares(u, c)) + _z(popularity(u, c)),
        "genre shares + popularity": lambda u, c: _z(shares(u, c)) + _z(popularity(u, c)),
    }


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    ratings, movies, users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)
    table = {}
    for seed in args.seeds:
        outer_train, _ = new_movie_split(data, 0.1, seed)
        inner_train, inner_test = new_movie_split(outer_train, 0.1, seed + 100)
        inputs = RankerInputs(inner_train, movies, users, seed)
        model = TextCNNContent(inputs, model_config=TextCNNConfig(cold_start_rate=0.0))
        candidates = np.unique(inner_test.movie_ids)
        scorers = rules(model, inner_train)
        genre = GenrePopularity(inputs)
        shares = lambda u, c: genre.score(np.full(len(c), u), c)   # noqa: E731
        scorers.update(mixes(scorers, shares))
        scorers["genre popularity (baseline)"] = shares
        shuffled = np.random.default_rng(seed).permutation(len(candidates))
        for name, score in scorers.items():
            def recommend(user, k, score=score):
                order = np.lexsort((shuffled, -score(user, candidates)))[:k]
                return [(int(candidates[i]),) for i in order]
            figures = evaluate_ranker(recommend, inner_test, 10)
            table.setdefault(name, []).append((figures["ndcg@10"], figures["liked_ndcg@10"]))
            print(f"seed {seed} {name}: NDCG@10 {figures['ndcg@10']:.4f}, "
                  f"liked-NDCG@10 {figures['liked_ndcg@10']:.4f}", flush=True)
    print(f"\n{args.dataset.name}, inner new-movies splits, seeds {args.seeds}\n")
    print("| rule | " + " | ".join(f"seed {s} NDCG / liked" for s in args.seeds) + " |")
    print("|---|" + "---|" * len(args.seeds))
    for name, values in table.items():
        print(f"| {name} | " + " | ".join(f"{n:.4f} / {l:.4f}" for n, l in values) + " |")


if __name__ == "__main__":
    main()
