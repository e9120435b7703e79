"""Protocol new-movies: films held out whole, and a content tower that places them from title and genres."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from re_sys.recommend.algorithms.base import Interactions
from re_sys.recommend.evaluation.new_movies import (GenreMean, GenrePopularity, TextCNNContent, new_movie_split,
                                                     time_new_movie_model)
from re_sys.recommend.evaluation.registry import RankerInputs
from re_sys.recommend.metrics import rmse
from re_sys.recommend.textcnn.config import TextCNNConfig, TrainConfig
from tests.recommend.planted import planted_frames


def test_the_split_holds_out_a_seeded_tenth_of_the_movies_with_all_their_ratings():
    ratings, _movies, _users = planted_frames(n_movies=40)
    data = Interactions.from_frame(ratings)
    train, test = new_movie_split(data, 0.1, seed=5)
    held = set(test.movie_ids.tolist())
    assert len(held) == 4 and not held & set(train.movie_ids.tolist())
    assert len(train) + len(test) == len(data)
    again = new_movie_split(data, 0.1, seed=5)[1]
    assert set(again.movie_ids.tolist()) == held != set(new_movie_split(data, 0.1, seed=6)[1].movie_ids.tolist())


def _inputs(train, movies, users):
    return RankerInputs(train, movies, users, seed=0)


# A text-CNN small and quick enough for planted data of 80 viewers and 40 films.
SMALL = TextCNNConfig(id_dim=8, demographic_dim=4, hidden_dim=8, feature_dim=16, word_dim=8, filters=4)
FAST = TrainConfig(epochs=25, batch_size=64, lr=1e-2, seed=3, val_fraction=0.2, patience=4, refit=False)


def _ndcg_at_5(build, test) -> float:
    return time_new_movie_model("new-movies", "m", "", build, test, 5).metrics["ndcg@5"]


def test_the_genre_baselines_compute_what_they_say():
    ratings = pd.DataFrame({"user_id": [1, 1, 2, 2], "movie_id": [1, 2, 1, 3], "stars": [5.0, 1.0, 4.0, 2.0],
                            "timestamp": [1, 2, 3, 4]})
    movies = pd.DataFrame({"movie_id": [1, 2, 3, 4, 5], "title": ["A", "B", "C", "D", "E"],
                           "genres": [["Action"], ["Drama"], ["Action", "Drama"], ["Action", "Drama"], []]})
    users = pd.DataFrame({"user_id": [1, 2]})
    inputs = _inputs(Interactions.from_frame(ratings), movies, users)
    # Action: 5, 4, 2 -> 11/3; Drama: 1, 2 -> 1.5; a film of both gets their mean; none: the global mean.
    assert GenreMean(inputs).predict([1, 1], [4, 5]).tolist() == pytest.approx([(11 / 3 + 1.5) / 2, 3.0])
    # Viewer 1 liked one film (Action): Action 1.0, Drama 0; viewer 2 liked one Action film too.
    assert GenrePopularity(inputs).score([1, 1, 2], [4, 5, 4]).tolist() == [1.0, 0.0, 1.0]


@pytest.mark.slow
def test_the_content_tower_places_films_nobody_rated_better_than_the_genre_baselines():
    # Planted: half the viewers love 'Boom Blast' action films and dislike 'Love Story' romances, half
    # the reverse. A held-out film's genre mean is about 3★ for everyone; only a model that knows the
    # viewer's taste and reads the new film's title and genres can tell who will love it.
    ratings, movies, users = planted_frames(n_users=80, n_movies=40, density=0.7, seed=1)
    train, test = new_movie_split(Interactions.from_frame(ratings), 0.2, seed=0)
    inputs = _inputs(train, movies, users)
    content = time_new_movie_model("new-movies", "text-cnn", "", lambda: TextCNNContent(inputs, SMALL, FAST), test, 5)
    genre_mean = time_new_movie_model("new-movies", "genre-mean", "", lambda: GenreMean(inputs), test, 5)
    popularity = time_new_movie_model("new-movies", "genre-popularity", "", lambda: GenrePopularity(inputs), test, 5)
    assert content.metrics["rmse"] < 0.6 * genre_mean.metrics["rmse"]
    assert rmse(test.stars, np.full(len(test), train.stars.mean())) > 1.5 * content.metrics["rmse"]
    # Ranking the new films for each viewer: the loved ones first, as well as the viewer's own genre
    # shares do (they know the taste too, through the genre), far better than the genres' mean stars.
    assert content.metrics["liked_ndcg@5"] >= 0.95 * popularity.metrics["liked_ndcg@5"]
    assert content.metrics["liked_ndcg@5"] > 1.2 * genre_mean.metrics["liked_ndcg@5"]


@pytest.mark.slow
def test_cold_start_training_lets_the_tower_read_a_title_word_that_marks_quality():
    """Planted: on top of the two tastes, films whose title says 'Classic' are rated a star higher by
    everyone and the others a star lower. A tower that always saw each film's id leaves that to the
    film's own bias, which a new film does not have; trained with films standing in for new ones, the
    content must carry it, and a held-out 'Classic' is placed high."""
    ratings, movies, users = planted_frames(n_users=80, n_movies=40, density=0.7, seed=1)
    classic = dict(zip(movies["movie_id"], (movies["movie_id"] % 4 < 2).tolist()))
    movies = movies.assign(title=[f"{'Boom Blast' if 'Boom' in t else 'Love Story'}{' Classic' if classic[m] else ''} {m}"
                                  for m, t in zip(movies["movie_id"], movies["title"])])
    ratings = ratings.assign(stars=[min(5.0, s + 1.0) if classic[m] else max(0.5, s - 1.0)
                                    for m, s in zip(ratings["movie_id"], ratings["stars"])])
    train, test = new_movie_split(Interactions.from_frame(ratings), 0.2, seed=0)
    assert {classic[m] for m in test.movie_ids.tolist()} == {True, False}
    inputs = _inputs(train, movies, users)
    figures = {rate: time_new_movie_model("new-movies", "text-cnn", "", lambda: TextCNNContent(
        inputs, dataclasses.replace(SMALL, cold_start_rate=rate), FAST), test, 5).metrics["rmse"]
        for rate in (0.0, 0.3)}
    assert figures[0.3] < 0.7 * figures[0.0]


@pytest.mark.slow
def test_the_viewers_content_profile_ranks_new_films_of_the_kind_they_watch_first(monkeypatch):
    """Planted: half the viewers mostly watch (and love) 'Boom Blast' films, half 'Love Story' ones, and
    every film is a Drama, so the genres say nothing. With the stars left out of the rule, the content
    profile of the films a viewer rated is what reads the title words for them: the held-out films of
    their kind go first, far above the rule without it and genre popularity (whose scores all tie)."""
    from re_sys.recommend.evaluation import new_movies

    ratings, movies, users = planted_frames(n_users=80, n_movies=40, density=0.7, other_density=0.1, seed=1)
    movies = movies.assign(genres=[["Drama"]] * len(movies))
    train, test = new_movie_split(Interactions.from_frame(ratings), 0.2, seed=0)
    inputs = _inputs(train, movies, users)
    content = TextCNNContent(inputs, SMALL, FAST)

    real = new_movies.new_film_scores

    def without_stars(profile: bool):
        monkeypatch.setattr(new_movies, "new_film_scores", lambda shares, popularity, stars=None, closeness=None, years=None:
                            real(shares, popularity, None, closeness if profile else None))
        return _ndcg_at_5(lambda: content, test)
    baseline = _ndcg_at_5(lambda: GenrePopularity(inputs), test)
    with_profile, without_profile = without_stars(True), without_stars(False)
    assert with_profile > 1.3 * baseline and with_profile > 1.3 * without_profile


@pytest.mark.slow
def test_the_years_a_viewer_watches_rank_new_films_of_those_years_first(monkeypatch):
    """Planted: half the viewers mostly watch (and love) films of the 1950s, half this decade's, and
    every film is a Drama called 'Film N', so title and genres say nothing and neither can the stars.
    Only the years the viewer watched tell which held-out films they will rate: with them in the
    rule those go first, far above the rule without them and genre popularity."""
    from re_sys.recommend.evaluation import new_movies

    rng = np.random.default_rng(4)
    n_users, n_movies = 80, 40
    era = np.arange(n_movies) % 2                       # 0: the 1950s, 1: the 1990s
    fan_of = rng.integers(0, 2, n_users)
    rows = []
    for u in range(n_users):
        for m in np.flatnonzero(rng.random(n_movies) < np.where(era == fan_of[u], 0.7, 0.1)):
            stars = 4.5 if era[m] == fan_of[u] else 2.5
            rows.append((u + 1, m + 1, stars, 1_000_000 + len(rows)))
    ratings = pd.DataFrame(rows, columns=["user_id", "movie_id", "stars", "timestamp"])
    movies = pd.DataFrame({"movie_id": np.arange(1, n_movies + 1),
                           "title": [f"Film {m}" for m in range(1, n_movies + 1)],
                           "genres": [["Drama"]] * n_movies,
                           "year": [1950 + 45 * e + m % 5 for m, e in enumerate(era)]})
    users = pd.DataFrame({"user_id": np.arange(1, n_users + 1), "gender": "M", "age_group": 25,
                          "occupation": "writer"})
    train, test = new_movie_split(Interactions.from_frame(ratings), 0.2, seed=0)
    assert set(era[test.movie_ids - 1].tolist()) == {0, 1}
    inputs = _inputs(train, movies, users)
    content = TextCNNContent(inputs, SMALL, FAST)

    with_years = _ndcg_at_5(lambda: content, test)
    real = new_movies.new_film_scores
    monkeypatch.setattr(new_movies, "new_film_scores", lambda years=None, **signals: real(**signals))
    without_years = _ndcg_at_5(lambda: content, test)
    baseline = _ndcg_at_5(lambda: GenrePopularity(inputs), test)
    assert with_years > 1.3 * without_years and with_years > 1.3 * baseline
