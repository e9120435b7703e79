"""Protocol "new-movies": films nobody has rated yet, placed by their title and genres alone.

A seeded 10 % of the movies is held out with every rating of theirs; methods
learn from the rest (the text-CNN's vocabulary too: a held-out film's words
count only if other titles use them). For the viewers who rated held-out
films, each method is judged twice:
- its stars for those films: RMSE and MAE;
- ranking only the held-out films for each viewer: NDCG@k and liked-NDCG@k
  (every held-out rating relevant, or only those ≥ 4★).

Each method is a `NewMovieModel`: `predict(user_ids, movie_ids)` gives stars
(None where it has none) and `score(user_ids, movie_ids)` a ranking score.
The text-CNN one goes through the serving path: the numpy movie tower
(`serving.content_tower.MovieTower`) places each film as the site places a
film added after training, and ranks them by the score for-you ranks new
films by (for-you also leaves out films below 3★ and films of genres the
viewer never loved, and lists only the best).
"""
from __future__ import annotations

import time
from typing import Protocol

import numpy as np
import pandas as pd

from ..algorithms.base import Interactions
from ..data.dataset import movie_genre_lists
from ..metrics import mae, rmse
from ..serving.content_tower import (Placement, nearest_popularity, new_film_scores, predicted_popularity,
                                     profile_closeness)
from ..stars import LOVED_STARS
from .protocols import Result, evaluate_ranker
from .registry import Method, RankerInputs, Registry

__all__ = ["NEW_MOVIE_METHODS", "NewMovieModel", "new_movie_split", "time_new_movie_model"]


def new_movie_split(data: Interactions, fraction: float = 0.1, seed: int = 0) -> tuple[Interactions, Interactions]:
    """A seeded `fraction` of the rated movies held out with all their ratings."""
    movies = np.unique(data.movie_ids)
    held = np.random.default_rng(seed).choice(movies, size=max(1, round(len(movies) * fraction)), replace=False)
    is_test = np.isin(data.movie_ids, held)
    return data.subset(np.flatnonzero(~is_test)), data.subset(np.flatnonzero(is_test))


class NewMovieModel(Protocol):
    def predict(self, user_ids: np.ndarray, movie_ids: np.ndarray) -> np.ndarray | None: ...

    def score(self, user_ids: np.ndarray, movie_ids: np.ndarray) -> np.ndarray | None: ...


def _genres_of(movies: pd.DataFrame) -> dict[int, list[str]]:
    return dict(zip(movies["movie_id"].astype(int).tolist(), movie_genre_lists(movies)))


class GlobalMean:
    """Every new film gets the training mean: no ranking (every film ties)."""

    def __init__(self, inputs: RankerInputs):
        self.mean = float(inputs.train.stars.mean())

    def predict(self, user_ids, movie_ids):
        return np.full(len(user_ids), self.mean)

    def score(self, user_ids, movie_ids):
        return None


class GenreMean:
    """A new film's stars: the mean of its genres' training means (the global mean without genres)."""

    def __init__(self, inputs: RankerInputs):
        train, self.genres = inputs.train, _genres_of(inputs.movies)
        self.mean = float(train.stars.mean())
        sums: dict[str, list[float]] = {}
        for movie, stars in zip(train.movie_ids.tolist(), train.stars.tolist()):
            for genre in self.genres.get(movie, ()):
                entry = sums.setdefault(genre, [0.0, 0])
                entry[0] += stars
                entry[1] += 1
        self.genre_mean = {g: total / n for g, (total, n) in sums.items()}

    def _of(self, movie: int) -> float:
        means = [self.genre_mean[g] for g in self.genres.get(int(movie), ()) if g in self.genre_mean]
        return float(np.mean(means)) if means else self.mean

    def predict(self, user_ids, movie_ids):
        return np.asarray([self._of(m) for m in movie_ids])

    def score(self, user_ids, movie_ids):
        return self.predict(user_ids, movie_ids)


class GenrePopularity:
    """Rank by how much of the viewer's liked training ratings fall in the film's genres (no stars)."""

    def __init__(self, inputs: RankerInputs, liked: float = LOVED_STARS):
        train, self.genres = inputs.train, _genres_of(inputs.movies)
        self.share: dict[int, dict[str, float]] = {}
        counts: dict[int, dict[str, int]] = {}
        totals: dict[int, int] = {}
        for user, movie, stars in zip(train.user_ids.tolist(), train.movie_ids.tolist(), train.stars.tolist()):
            if stars < liked:
                continue
            totals[user] = totals.get(user, 0) + 1
            of_user = counts.setdefault(user, {})
            for genre in self.genres.get(movie, ()):
                of_user[genre] = of_user.get(genre, 0) + 1
        for user, by_genre in counts.items():
            self.share[user] = {g: n / totals[user] for g, n in by_genre.items()}

    def predict(self, user_ids, movie_ids):
        return None

    def score(self, user_ids, movie_ids):
        return np.asarray([sum(self.share.get(int(u), {}).get(g, 0.0) for g in self.genres.get(int(m), ()))
                           for u, m in zip(user_ids, movie_ids)])


class TextCNNContent:
    """The text-CNN trained on the other films; a new film placed by the numpy movie tower, as serving does.

    Stars: the viewer's vector · the film's + the viewer's bias + the global
    mean + the unseen movie bias (learned with cold-start training, else the
    mean trained one: its own bias is unknown). Ranking:
    the viewer's genre shares (as GenrePopularity) and, from a run trained
    with cold-start, how much a film of its title and genres is rated (the
    tower's regression over the rated films), these stars, the film's
    closeness to the content profile of the films the viewer rated in
    training and how much the viewer watched films of its year (where the
    movies frame has a `year` column); a run trained without cold-start
    ranks by the shares and how much the ten rated films nearest it are rated.
    """

    def __init__(self, inputs: RankerInputs, model_config=None, train_config=None):
        from ..data.dataset import DataSet
        from ..serving.content_tower import MovieTower
        from ..textcnn import training
        from ..textcnn.config import TrainConfig
        from ..textcnn.export import movie_tower_arrays

        train = inputs.train
        trained = np.unique(train.movie_ids)
        dataset = DataSet.from_frames(train.to_frame(), inputs.movies, inputs.users, vocabulary_from=trained)
        result = training.fit(dataset, model_config=model_config,
                              train_config=train_config or TrainConfig(seed=inputs.seed))
        factors = training.factors_of(result, dataset)
        rows = np.asarray([dataset.movie_row(m) for m in trained])
        unseen_bias = training.unseen_movie_bias(result, dataset)
        arrays = movie_tower_arrays(result.towers.movie, result.model_config, dataset.title_length,
                                    n_movies=dataset.n_movies, rated_rows=rows, unseen_bias=unseen_bias)
        encoded = dataset.movie_inputs()
        self.tower = MovieTower(arrays, words=dataset.vocabulary, genres=dataset.genres,
                                catalogue=(encoded["genres"], encoded["title"]), years=dataset.movie_year)
        self.dataset, self.factors, self.metrics = dataset, factors, result.metrics
        self.movie_bias = unseen_bias if unseen_bias is not None else float(factors.movie_bias[rows].mean())
        self.titles = dict(zip(inputs.movies["movie_id"].astype(int).tolist(), inputs.movies["title"].tolist()))
        self.genres = _genres_of(inputs.movies)
        self.years = dict(zip(dataset.movie_ids.tolist(), dataset.movie_year.tolist()))
        self._placed: dict[int, Placement] = {}
        self._shares = GenrePopularity(inputs)
        self._counts = np.bincount([dataset.movie_row(m) for m in train.movie_ids.tolist()],
                                   minlength=dataset.n_movies)
        self._popularity = self.tower.popularity_model(self._counts) if self.tower.cold_start else None
        self._rated_rows: dict[int, list[int]] = {}
        for user, movie in zip(train.user_ids.tolist(), train.movie_ids.tolist()):
            self._rated_rows.setdefault(user, []).append(dataset.movie_row(movie))

    def _place(self, movie: int) -> Placement:
        """As serving places a film it never saw (`Engine.content_placement`)."""
        if movie not in self._placed:
            self._placed[movie] = self.tower.placed(self.titles.get(movie, ""), self.genres.get(movie, ()),
                                                    self.years.get(movie))
        return self._placed[movie]

    def _dot(self, user_ids, movie_ids) -> np.ndarray:
        rows = [self.dataset.user_row(u) for u in user_ids]
        users = np.stack([self.factors.user_features[r] for r in rows])
        movies = np.stack([self._place(int(m)).vector for m in movie_ids])
        bias = np.asarray([self.factors.user_bias[r] for r in rows])
        return (users * movies).sum(axis=1) + bias

    def predict(self, user_ids, movie_ids):
        return self._dot(user_ids, movie_ids) + self.factors.global_mean + self.movie_bias

    def signals(self, user_ids, movie_ids) -> dict:
        """What the rule ranks one viewer's films by (`new_film_scores`' arguments), not yet standardised."""
        shares = self._shares.score(user_ids, movie_ids)
        if not self.tower.cold_start:
            return {"shares": shares,
                    "popularity": [nearest_popularity(self._place(int(m)).nearest, self._counts) for m in movie_ids]}
        placed = [self._place(int(m)) for m in movie_ids]
        vectors = [p.vector for p in placed]
        rated = self._rated_rows.get(int(user_ids[0]), [])
        profile = self.tower.profile_of(rated)
        return {"shares": shares, "popularity": predicted_popularity(self._popularity, vectors),
                "stars": self.predict(user_ids, movie_ids),
                "closeness": None if profile is None else profile_closeness(profile, vectors),
                "years": self.tower.years_watched(rated, [p.year for p in placed])}

    def score(self, user_ids, movie_ids):
        """As for-you ranks new films (`serving.content_tower.new_film_scores`); one viewer per call."""
        return new_film_scores(**self.signals(user_ids, movie_ids))


NEW_MOVIE_METHODS: Registry = {
    "global-mean": Method("the training mean for every new film", GlobalMean),
    "genre-mean": Method("the mean stars of the film's genres", GenreMean),
    "genre-popularity": Method("the share of the viewer's liked films in the film's genres", GenrePopularity),
    "text-cnn": Method("the text-CNN's movie tower on title and genres (serving's numpy tower)", TextCNNContent),
}


def time_new_movie_model(protocol: str, name: str, description: str, build, test: Interactions,
                         k: int, seed: int = 0) -> Result:
    """Fit, then judge the stars (RMSE, MAE) and the ranking of the held-out films (NDCG, liked-NDCG).

    Ties are broken by a shuffle seeded with `seed`, the same for every
    method: by id they would favour methods with many ties, because
    MovieLens ids follow the order films joined the catalogue, and so
    track how much they were rated.
    """
    started = time.perf_counter()
    model = build()
    fitted = time.perf_counter() - started
    metrics: dict[str, float] = {}
    stars = model.predict(test.user_ids, test.movie_ids)
    if stars is not None:
        stars = np.clip(np.asarray(stars, dtype=np.float64), 0.5, 5.0)
        metrics.update(rmse=rmse(test.stars, stars), mae=mae(test.stars, stars))
    candidates = np.unique(test.movie_ids)
    shuffled = np.random.default_rng(seed).permutation(len(candidates))
    if model.score(test.user_ids[:1], candidates[:1]) is not None:
        def recommend(user, k):
            scores = np.asarray(model.score(np.full(len(candidates), user), candidates), dtype=np.float64)
            order = np.lexsort((shuffled, -scores))[:k]
            return [(int(candidates[i]),) for i in order]

        ranking = evaluate_ranker(recommend, test, k)
        metrics.update({key: ranking[key] for key in (f"ndcg@{k}", f"liked_ndcg@{k}", f"hit_rate@{k}")})
    return Result(protocol, name, description, metrics, fitted, time.perf_counter() - started - fitted)
