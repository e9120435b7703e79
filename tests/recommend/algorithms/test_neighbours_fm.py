"""Neighbourhood CF and the factorization machine: hand-computed cases, then planted structure."""
import numpy as np
import pandas as pd
import pytest

from re_sys.recommend.algorithms import Interactions
from re_sys.recommend.algorithms.base import Side
from re_sys.recommend.algorithms.fm import FactorizationMachine
from re_sys.recommend.algorithms.neighbours import CosineCF, PearsonItemCF, cosine_similarity, pearson_common
from re_sys.recommend.evaluation.protocols import holdout_split
from re_sys.recommend.metrics import rmse
from tests.recommend.planted import planted_frames


def fm_predict_direct(w0: float, w: np.ndarray, v: np.ndarray, active: list[int]) -> float:
    """The FM equation as written: every pair of distinct active features once (for tests)."""
    total = w0 + sum(w[f] for f in active)
    for a in range(len(active)):
        for b in range(a + 1, len(active)):
            total += float(v[active[a]] @ v[active[b]])
    return total



def test_pearson_uses_only_the_viewers_who_rated_both():
    nan = np.nan
    table = np.array([[5, 4, 1, 2],
                      [3, 2, nan, 4],
                      [4, nan, 2, 5],
                      [1, 2, 5, nan]])
    rated = ~np.isnan(table)
    corr = pearson_common(np.nan_to_num(table), rated, min_common=2)
    # columns 0 and 1 over rows 0, 1, 3: (5, 3, 1) and (4, 2, 2)
    assert corr[0, 1] == pytest.approx(np.corrcoef([5, 3, 1], [4, 2, 2])[0, 1])
    # columns 0 and 2 over rows 0, 2, 3
    assert corr[0, 2] == pytest.approx(np.corrcoef([5, 4, 1], [1, 2, 5])[0, 1])
    assert corr[1, 0] == corr[0, 1]
    # columns 1 and 2 share rows 0 and 3 only: below min_common=3 they count for nothing
    assert pearson_common(np.nan_to_num(table), rated, min_common=3)[1, 2] == 0.0
    assert corr[1, 2] == pytest.approx(np.corrcoef([4, 2], [1, 5])[0, 1])


def test_cosine_of_rating_vectors():
    sims = cosine_similarity(np.array([[3.0, 4.0], [4.0, 3.0], [0.0, 0.0]]))
    assert sims[0, 1] == pytest.approx(24 / 25) and sims[0, 0] == pytest.approx(1.0)
    assert sims[2, 0] == 0.0


def _tiny():
    # viewer 1 rated movies 1, 2; viewer 2 rated 1, 2, 3; viewer 3 rated 1, 3
    return Interactions(np.array([1, 1, 2, 2, 2, 3, 3]), np.array([1, 2, 1, 2, 3, 1, 3]),
                        np.array([3.0, 1.0, 4.0, 2.0, 5.0, 1.0, 4.0], np.float32), np.arange(7))


def test_user_cosine_prediction_by_hand():
    model = CosineCF(by="user", neighbours=5).fit(_tiny())
    # Viewer 1 on movie 3: neighbours with a rating of 3 are viewers 2 and 3.
    r = {1: np.array([3, 1, 0.0]), 2: np.array([4, 2, 5.0]), 3: np.array([1, 0, 4.0])}
    cos = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)  # noqa: E731
    mean = {1: 2.0, 2: 11 / 3, 3: 2.5}
    s2, s3 = cos(r[1], r[2]), cos(r[1], r[3])
    expected = mean[1] + (s2 * (5 - mean[2]) + s3 * (4 - mean[3])) / (abs(s2) + abs(s3))
    assert 0.5 < expected < 5 and model.predict([1], [3])[0] == pytest.approx(expected, rel=1e-5)


def test_item_pearson_prediction_by_hand():
    model = PearsonItemCF(min_common=2, neighbours=5).fit(_tiny())
    # Movies 1 and 2 share viewers 1, 2: (3, 4) and (1, 2) -> correlation 1.
    # Movie 3's neighbours rated by viewer 1: movie 1 (viewers 2, 3: (4, 1) vs (5, 4) -> 1)
    # and movie 2 (one common viewer: below min_common, 0).
    mean1, mean3 = (3 + 4 + 1) / 3, (5 + 4) / 2
    assert model.similarity[0, 1] == pytest.approx(1.0) and model.similarity[2, 0] == pytest.approx(1.0)
    assert model.similarity[2, 1] == 0.0
    assert model.predict([1], [3])[0] == pytest.approx(mean3 + (3 - mean1), rel=1e-5)
    # an unknown viewer gets the movie's mean; an unknown movie the viewer's
    assert model.predict([99], [3])[0] == pytest.approx(mean3)
    assert model.predict([1], [99])[0] == pytest.approx(2.0)


@pytest.fixture(scope="module")
def planted():
    return planted_frames(n_users=80, n_movies=40, density=0.5, seed=6)


# Raw cosine sees every viewer as alike (all stars are positive), so it gains least.
@pytest.mark.parametrize("make, share", [(lambda: PearsonItemCF(min_common=3), 0.7),
                                         (lambda: CosineCF(by="user"), 0.95), (lambda: CosineCF(by="item"), 0.95)])
def test_neighbour_models_beat_the_global_mean_on_planted_tastes(planted, make, share):
    data = Interactions.from_frame(planted[0])
    train, test = holdout_split(data, 0.2, seed=1)
    model = make().fit(train)
    baseline = rmse(test.stars, np.full(len(test), train.stars.mean()))
    assert rmse(test.stars, model.predict(test.user_ids, test.movie_ids)) < share * baseline
    user = int(train.user_ids[0])
    seen = set(train.movie_ids[train.user_ids == user].tolist())
    assert not seen & {m for m, _ in model.recommend(user, 10)}


def test_fm_pairwise_term_matches_the_direct_sum():
    users = pd.DataFrame({"user_id": [1, 2], "gender": ["F", "M"], "age_group": [25, 35],
                          "occupation": ["writer", "artist"], "zip_code": ["90210", "10001"]})
    data = Interactions(np.array([1, 2]), np.array([7, 8]), np.array([4.0, 2.0], np.float32), np.arange(2))
    fm = FactorizationMachine(factors=3, epochs=1, seed=0).fit(data, Side(users=users))
    fm.v = np.random.default_rng(1).normal(size=fm.v.shape)
    fm.w = np.random.default_rng(2).normal(size=fm.w.shape)
    active = [fm.index[key] for key in (("user", 1), ("movie", 8), ("gender", "F"), ("age", 25),
                                         ("occupation", "writer"), ("zip", "9"))]
    predicted, *_ = fm._forward(fm._rows([1], [8]))
    assert predicted[0] == pytest.approx(fm_predict_direct(fm.w0, fm.w, fm.v, active))
    # a self-interaction would add ‖v_f‖² for every active f: make sure none is there
    with_self = fm_predict_direct(fm.w0, fm.w, fm.v, active) + sum(fm.v[f] @ fm.v[f] for f in active)
    assert predicted[0] != pytest.approx(with_self)


def test_fm_learns_planted_tastes_and_recalls_by_feature(planted):
    ratings, _movies, users = planted
    users = users.assign(zip_code="12345")
    data = Interactions.from_frame(ratings)
    train, test = holdout_split(data, 0.2, seed=1)
    fm = FactorizationMachine(factors=8, epochs=30, seed=0).fit(train, Side(users=users))
    baseline = rmse(test.stars, np.full(len(test), train.stars.mean()))
    assert rmse(test.stars, fm.predict(test.user_ids, test.movie_ids)) < 0.6 * baseline
    # planted: men love the odd-numbered action films, women the even romances (planted.py)
    men = [m for m, _ in fm.feature_recall("gender", "M", k=10)]
    women = [m for m, _ in fm.feature_recall("gender", "F", k=10)]
    assert sum(m % 2 == 1 for m in men) >= 9 and sum(m % 2 == 0 for m in women) >= 9
    with pytest.raises(KeyError):
        fm.feature_recall("gender", "X")


@pytest.mark.parametrize("make", [PearsonItemCF, lambda: CosineCF(by="user")])
def test_neighbour_models_reload_with_the_same_answers(planted, make, tmp_path):
    data = Interactions.from_frame(planted[0])
    model = make().fit(data)
    model.save(tmp_path / "model.npz")
    back = type(model).load(tmp_path / "model.npz")
    users, movies = data.user_ids[:50], data.movie_ids[::-1][:50]
    np.testing.assert_allclose(back.predict(users, movies), model.predict(users, movies), rtol=1e-6)
    assert back.recommend(3, 5) == model.recommend(3, 5)


def test_fm_factors_into_the_engines_form_term_for_term(planted):
    """mean + user bias + movie bias + user · movie reproduces the FM's own prediction."""
    from re_sys.recommend.data.dataset import DataSet
    from re_sys.recommend.algorithms.factor_training import _fm_factors

    ratings, movies, users = planted
    users = users.assign(zip_code=np.where(users.user_id % 2, "12345", "90210"))
    dataset = DataSet.from_frames(ratings, movies, users)
    fm = FactorizationMachine(factors=4, epochs=3, seed=0).fit(Interactions.from_frame(ratings), Side(users=users))
    factors = _fm_factors(fm, dataset)
    u, m = np.array([1, 5, 9, 30]), np.array([2, 7, 40, 11])
    rows_u = [dataset.user_index(x) for x in u]
    rows_m = [dataset.movie_index(x) for x in m]
    served = factors.global_mean + factors.user_bias[rows_u] + factors.movie_bias[rows_m] + \
        (factors.user_features[rows_u] * factors.movie_features[rows_m]).sum(axis=1)
    direct, *_ = fm._forward(fm._rows(u, m))
    np.testing.assert_allclose(served, direct, rtol=1e-9)
