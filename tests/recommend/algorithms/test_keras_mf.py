"""The Keras notebook's SVD, RSVD and NN models and their search, on planted tastes."""
import numpy as np
import pytest

from re_sys.recommend.algorithms import Interactions
from re_sys.recommend.algorithms.keras_mf import KerasRatingModel, search
from re_sys.recommend.evaluation.protocols import holdout_split
from re_sys.recommend.metrics import rmse
from tests.recommend.planted import planted_frames


@pytest.fixture(scope="module")
def split():
    ratings, _movies, _users = planted_frames(n_users=100, n_movies=40, density=0.6, seed=8)
    return holdout_split(Interactions.from_frame(ratings), 0.2, seed=2)


@pytest.mark.parametrize("kind", ["svd", "rsvd", "nn"])
def test_each_model_beats_the_global_mean_on_held_out_ratings(split, kind):
    train, test = split
    model = KerasRatingModel(kind, factors=8, l2=1e-5, epochs=60, batch_size=128, lr=1e-2, seed=1).fit(train)
    baseline = rmse(test.stars, np.full(len(test), train.stars.mean()))
    assert rmse(test.stars, model.predict(test.user_ids, test.movie_ids)) < 0.6 * baseline
    assert model.predict([10_000], [1])[0] == pytest.approx(model.mean)   # an unknown viewer: the mean


def test_search_returns_the_settings_with_the_lowest_cross_validated_rmse(split):
    train, _test = split
    best, rows = search(train, "rsvd", factors=(2, 8), l2=(1e-5,), folds=2, seed=1)
    assert len(rows) == 2
    assert (best["factors"], best["l2"]) == min(rows, key=lambda r: r[2])[:2]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        KerasRatingModel("deep")
