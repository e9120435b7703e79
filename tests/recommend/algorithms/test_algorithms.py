"""One contract test run against every algorithm, on the same small planted data."""
import numpy as np
import pytest

from re_sys.recommend.algorithms import EASE, Interactions, Popularity
from re_sys.recommend.algorithms.neighbours import CosineCF, PearsonItemCF
from re_sys.recommend.evaluation.protocols import evaluate_ranker, leave_last_out, per_user_split
from tests.recommend.planted import planted_frames


@pytest.fixture(scope="module")
def data():
    ratings, _, _ = planted_frames(n_users=80, n_movies=40, density=0.5, seed=4)
    # Implicit view: a viewer 'watches' what they like, so keep the liked ratings.
    return Interactions.from_frame(ratings[ratings.stars >= 3.5])


ALGORITHMS = [Popularity, lambda: EASE(regularisation=10.0), lambda: EASE(regularisation=10.0, sitting_weight=2.0),
              PearsonItemCF, lambda: CosineCF(by="user"), lambda: CosineCF(by="item")]


@pytest.mark.parametrize("make", ALGORITHMS)
class TestContract:
    def test_fit_returns_self_and_recommend_skips_rated(self, make, data):
        algo = make()
        assert algo.fit(data) is algo
        user = int(data.user_ids[0])
        rated = set(data.movie_ids[data.user_ids == user].tolist())
        answer = algo.recommend(user, k=5)
        assert len(answer) == 5 and not rated & {m for m, _ in answer}
        assert [s for _, s in answer] == sorted((s for _, s in answer), reverse=True)

    def test_exclude_and_unknown_user(self, make, data):
        algo = make().fit(data)
        user = int(data.user_ids[0])
        first = algo.recommend(user, k=1)[0][0]
        assert first not in [m for m, _ in algo.recommend(user, k=5, exclude=[first])]
        with pytest.raises(KeyError):
            algo.recommend(10_000)

    def test_k_beyond_the_catalogue(self, make, data):
        algo = make().fit(data)
        user = int(data.user_ids[0])
        n_unseen = 40 - int((data.user_ids == user).sum())
        assert len(algo.recommend(user, k=1000)) <= n_unseen


@pytest.mark.parametrize("sitting_weight", [0.0, 2.0])
def test_ease_beats_popularity_on_planted_tastes(data, sitting_weight):
    if sitting_weight:
        # The planted times follow movie ids, which alternate the two kinds: a rating's
        # neighbour in time is always of the other kind. Shuffled, time says nothing either way.
        data = Interactions(data.user_ids, data.movie_ids, data.stars,
                            np.random.default_rng(0).permutation(data.timestamps))
    train, test = per_user_split(data, 0.25, seed=1)
    pop = evaluate_ranker(Popularity().fit(train).recommend, test, k=5)
    ease = evaluate_ranker(EASE(regularisation=10.0, sitting_weight=sitting_weight).fit(train).recommend,
                           test, k=5)
    assert ease["ndcg@5"] > pop["ndcg@5"] + 0.2


def test_ease_similar_items_are_of_the_same_kind(data):
    ease = EASE(regularisation=10.0).fit(data)
    similar = [m for m, _ in ease.similar_items(1, k=5)]
    assert 1 not in similar and sum(m % 2 == 1 for m in similar) >= 4


def test_ease_save_load_round_trip(data, tmp_path):
    ease = EASE(regularisation=10.0).fit(data)
    ease.save(tmp_path / "ease.npz")
    back = EASE.load(tmp_path / "ease.npz")
    np.testing.assert_array_equal(back.weights, ease.weights)
    assert back.similar_items(1, 3) == ease.similar_items(1, 3)
    np.testing.assert_allclose(back.scores_for([1, 3]), ease.weights[[0, 2]].sum(0))


def test_per_user_split_holds_out_a_quarter_of_each_viewer(data):
    train, test = per_user_split(data, 0.25, seed=3)
    assert len(train) + len(test) == len(data)
    for user in np.unique(data.user_ids)[:10]:
        n = int((data.user_ids == user).sum())
        assert int((test.user_ids == user).sum()) == int(np.floor(n * 0.25 + 0.5))
    again, _ = per_user_split(data, 0.25, seed=3)
    assert np.array_equal(again.movie_ids, train.movie_ids)


def test_leave_last_out_holds_out_each_viewers_latest(data):
    train, test = leave_last_out(data)
    assert len(test) == len(np.unique(data.user_ids))
    for user, stamp in zip(test.user_ids[:10], test.timestamps[:10]):
        assert stamp == data.timestamps[data.user_ids == user].max()
        assert (train.timestamps[train.user_ids == user] <= stamp).all()


@pytest.mark.parametrize("make", ALGORITHMS)
def test_save_load_keeps_item_queries(make, data, tmp_path):
    algo = make().fit(data)
    algo.save(tmp_path / "model.npz")
    back = type(algo).load(tmp_path / "model.npz")
    assert back.similar_items(1, 5) == algo.similar_items(1, 5)
    assert 1 not in [m for m, _ in back.similar_items(1, 5)]


def test_popularity_similar_items_are_the_most_rated_others(data):
    pop = Popularity().fit(data)
    counts = {int(m): int((data.movie_ids == m).sum()) for m in np.unique(data.movie_ids)}
    expected = sorted((m for m in counts if m != 2), key=lambda m: (-counts[m], m))[:3]
    assert [m for m, _ in pop.similar_items(2, 3)] == expected
