"""The implicit-ALS channel: its fold-in is the ALS user step, it ranks planted tastes, the engine serves it."""
import json

import numpy as np
import pytest
import scipy.sparse as sp

from re_sys.recommend.serving.channels.implicit_als import ImplicitALS
from re_sys.recommend.data.dataset import DataSet
from re_sys.recommend.serving.engine import Engine
from re_sys.recommend.serving.ranking import RankingPolicy
from re_sys.recommend.evaluation.protocols import per_user_split
from re_sys.recommend.algorithms import Interactions, Popularity
from re_sys.recommend.metrics import mean_ranking_metrics
from re_sys.recommend.serving.runs import Run, RunError
from re_sys.recommend.serving.channels.fitting import item_channel_arrays
from tests.recommend.fake_run import two_kinds_run, with_item_channel
from tests.recommend.planted import planted_frames


def _groups(n_users=240, n_groups=4, per_group=15, seed=0):
    """Each viewer watches half of their group's films plus two of the most popular films."""
    rng = np.random.default_rng(seed)
    n_movies = n_groups * per_group + 5           # the last 5 are popular with everyone
    users, movies = [], []
    for user in range(n_users):
        group = user % n_groups
        own = group * per_group + rng.choice(per_group, size=per_group // 2, replace=False)
        everyone = n_groups * per_group + rng.choice(5, size=2, replace=False)
        for movie in (*own, *everyone):
            users.append(user + 1)
            movies.append(movie + 1)
    n = len(users)
    return Interactions(np.array(users), np.array(movies), np.full(n, 4.0, np.float32), np.arange(n))


def test_fold_in_is_the_als_user_step_written_out_in_full():
    rng = np.random.default_rng(1)
    als = ImplicitALS(rng.normal(size=(12, 3)), regularisation=0.3, confidence=7.0)
    rows = np.array([0, 4, 5])
    y = als.item_factors.astype(np.float64)
    preference = np.zeros(12)
    preference[rows] = 1
    confidence = np.diag(np.where(preference > 0, 7.0, 1.0))       # every movie, not only the rated ones
    expected = np.linalg.solve(y.T @ confidence @ y + 0.3 * np.eye(3), y.T @ confidence @ preference)
    np.testing.assert_allclose(als.user_vector(rows), expected, rtol=1e-8)
    np.testing.assert_allclose(als.user_vector(np.array([5, 0, 4, 4])), expected, rtol=1e-8)
    np.testing.assert_allclose(als.scores(rows), y @ expected, rtol=1e-8)
    assert not als.scores(np.array([], dtype=np.int64)).any()


def test_fold_in_agrees_with_implicits_own_recalculation():
    from implicit.cpu.als import AlternatingLeastSquares

    data = _groups(n_users=40)
    users, movies = data.user_ids - 1, data.movie_ids - 1
    als = ImplicitALS.fit(users, movies, 40, int(movies.max()) + 1, factors=8, iterations=5)
    model = AlternatingLeastSquares(factors=8, regularization=als.regularisation, alpha=als.confidence)
    model.item_factors = als.item_factors
    row = sp.csr_matrix((np.ones(int((users == 3).sum()), np.float32), (np.zeros((users == 3).sum(), int),
                         movies[users == 3])), shape=(1, als.n_movies))
    theirs = np.asarray(model.recalculate_user(0, row)).ravel()
    np.testing.assert_allclose(als.user_vector(movies[users == 3]), theirs, rtol=1e-3, atol=1e-4)


def test_als_ranks_held_out_films_of_the_viewers_group_above_popularity():
    data = _groups()
    train, test = per_user_split(data, 0.25, seed=0)
    users, movies = train.user_ids - 1, train.movie_ids - 1
    n_movies = int(data.movie_ids.max())
    als = ImplicitALS.fit(users, movies, int(data.user_ids.max()), n_movies, factors=8, seed=0)
    popular = Popularity().fit(train)
    relevant, ranked_als, ranked_popular = {}, {}, {}
    for user in np.unique(test.user_ids):
        relevant[user] = set(test.movie_ids[test.user_ids == user].tolist())
        seen = movies[users == user - 1]
        scores = als.scores(seen)
        scores[seen] = -np.inf
        ranked_als[user] = (np.argsort(-scores, kind="stable")[:10] + 1).tolist()
        ranked_popular[user] = [m for m, _ in popular.recommend(int(user), 10)]
    als_ndcg = mean_ranking_metrics(ranked_als, relevant, 10)["ndcg@10"]
    popular_ndcg = mean_ranking_metrics(ranked_popular, relevant, 10)["ndcg@10"]
    assert als_ndcg > popular_ndcg + 0.2, (als_ndcg, popular_ndcg)


@pytest.fixture
def als_run(tmp_path):
    """Ten movies, odd and even kinds; ALS factors point each kind its own way."""
    run = two_kinds_run(tmp_path / "run")
    kind = np.arange(10) % 2
    factors = np.stack([kind == 0, kind == 1], axis=1).astype(np.float32) + 0.01 * np.arange(10)[:, None]
    ImplicitALS(factors, regularisation=0.1, confidence=10.0).save(run)
    np.save(run / "movie_popularity.npy", np.arange(10, dtype=np.float32)[::-1])
    return run


def test_without_ease_the_engine_ranks_by_als_and_says_why(als_run):
    engine = Engine(Run.load(als_run), titles={1: "Heat"})
    answer = engine.for_user({1: 5.0, 3: 4.0}, k=3)
    assert [r.channel for r in answer] == ["als"] * 3
    assert all(r.movie_id % 2 == 1 and r.movie_id not in (1, 3) for r in answer)
    assert answer[0].reason == "Watched by viewers with tastes like yours"
    # The viewer may choose ALS to order their list even where EASE is there.
    with_item_channel(als_run, np.zeros((10, 10)), np.arange(10)[::-1])
    chosen = Engine(Run.load(als_run)).for_user({2: 5.0}, k=2, order="als")
    assert [r.channel for r in chosen] == ["als", "als"] and all(r.movie_id % 2 == 0 for r in chosen)


def test_damaged_als_files_are_refused_with_a_reason(als_run):
    (als_run / "als.json").write_text(json.dumps({"regularisation": 0.1, "confidence": 10.0, "factors": 3}))
    with pytest.raises(RunError, match="ALS channel"):
        Run.load(als_run)
    ImplicitALS(np.ones((4, 2))).save(als_run)
    with pytest.raises(RunError, match="ALS factors for 4 movies, not 10"):
        Run.load(als_run)


def test_catalogues_above_the_dense_limit_get_no_movies_squared_matrices():
    ratings, movies, users = planted_frames(n_users=20, n_movies=12)
    dataset = DataSet.from_frames(ratings, movies, users)
    small = item_channel_arrays(dataset)
    assert small["item_weights"].shape == (12, 12) and small["transitions"].shape == (12, 12)
    large = item_channel_arrays(dataset, dense_limit=10)
    assert "item_weights" not in large and "transitions" not in large
    np.testing.assert_array_equal(large["movie_popularity"], small["movie_popularity"])


def test_the_blend_adds_standardised_ease_and_als_scores(als_run):
    rng = np.random.default_rng(3)
    weights = rng.random((10, 10))
    np.fill_diagonal(weights, 0)
    with_item_channel(als_run, weights, np.arange(10)[::-1])
    run = Run.load(als_run)
    rated = {1: 5.0, 4: 3.0}
    answer = Engine(run).for_user(rated, k=8)

    rows = np.array([0, 3])
    feedback = RankingPolicy().feedback(np.array([5.0, 3.0]), run.global_mean)   # signed: both pull here
    ease = feedback @ weights[rows]
    als = run.als.scores(rows, feedback > 0)
    open_rows = np.setdiff1d(np.arange(10), rows)
    z = lambda s: (s[open_rows] - s[open_rows].mean()) / s[open_rows].std()  # noqa: E731
    expected = open_rows[np.argsort(-(z(ease) + z(als)), kind="stable")][:8] + 1
    assert [r.movie_id for r in answer] == expected.tolist()
    # Neither channel alone gives that order: the blend is not one of them in disguise.
    assert expected.tolist() != (open_rows[np.argsort(-ease[open_rows], kind="stable")][:8] + 1).tolist()
    assert expected.tolist() != (open_rows[np.argsort(-als[open_rows], kind="stable")][:8] + 1).tolist()
