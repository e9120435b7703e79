"""KNNBaseline: its similarity by hand, its prediction by hand, and planted tastes."""
import numpy as np
import pytest

from re_sys.recommend.algorithms import Interactions
from re_sys.recommend.algorithms.baseline_knn import BaselineKNN, shrunk_residual_correlation
from re_sys.recommend.evaluation.protocols import holdout_split
from re_sys.recommend.metrics import rmse
from tests.recommend.planted import planted_frames


def test_similarity_uses_common_raters_and_shrinks_by_their_number():
    residuals = np.array([[1.0, 2.0, 0.5],
                          [-1.0, -1.0, 0.0],
                          [0.5, 9.0, 1.0],
                          [2.0, 0.0, -2.0]])
    rated = np.array([[1, 1, 1],
                      [1, 1, 0],
                      [1, 0, 1],
                      [1, 1, 1]], dtype=bool)
    similarity = shrunk_residual_correlation(residuals, rated, shrinkage=2.0)
    # movies 0 and 1: common raters 0, 1, 3 (the 9.0 of row 2 is not a rating)
    a, b = np.array([1.0, -1.0, 2.0]), np.array([2.0, -1.0, 0.0])
    expected = a @ b / np.sqrt((a @ a) * (b @ b)) * (3 - 1) / (3 - 1 + 2.0)
    assert similarity[0, 1] == pytest.approx(expected) and similarity[1, 0] == pytest.approx(expected)
    # movies 1 and 2: common raters 0 and 3
    a, b = np.array([2.0, 0.0]), np.array([0.5, -2.0])
    assert similarity[1, 2] == pytest.approx(a @ b / np.sqrt((a @ a) * (b @ b)) * 1 / (1 + 2.0))
    assert np.all(np.diag(similarity) == 0)


def test_prediction_is_the_baseline_plus_the_positive_neighbours_weighted_residuals():
    # Three viewers; the third's rating of movie 3 is asked. Movie 1 is like movie 3 (s > 0) and
    # votes; movie 2 is unlike it (s < 0) and does not.
    data = Interactions(np.array([1, 1, 1, 2, 2, 2, 3, 3]), np.array([1, 2, 3, 1, 2, 3, 1, 2]),
                        np.array([5.0, 3.0, 4.5, 2.0, 3.5, 1.0, 4.0, 2.5], np.float32), np.arange(8))
    model = BaselineKNN(shrinkage=0.0, bias_regularisation=0.0, sweeps=50).fit(data)
    u, m = 2, 2     # rows of viewer 3 and movie 3
    assert model.similarity[m, 0] > 0 > model.similarity[m, 1]
    baseline = model.mean + model.user_bias[u] + model.movie_bias[m]
    expected = baseline + model.residuals[u, 0]       # one voter: its weight cancels out
    assert model.predict([3], [3])[0] == pytest.approx(expected)
    assert abs(expected - baseline) > 0.3
    # Unknown ids fall back to what the biases know.
    assert model.predict([99], [3])[0] == pytest.approx(np.clip(model.mean + model.movie_bias[m], 0.5, 5))
    assert model.predict([3], [99])[0] == pytest.approx(np.clip(model.mean + model.user_bias[u], 0.5, 5))
    with pytest.raises(ValueError, match="by must be"):
        BaselineKNN(by="movie")


@pytest.mark.parametrize("by", ["item", "user"])
def test_beats_the_biases_alone_on_planted_tastes(by):
    ratings, _movies, _users = planted_frames(n_users=80, n_movies=40, density=0.5, seed=6)
    train, test = holdout_split(Interactions.from_frame(ratings), 0.2, seed=1)
    model = BaselineKNN(by=by).fit(train)
    biases_only = BaselineKNN(by=by, neighbours=0).fit(train)   # no neighbour votes
    with_neighbours = rmse(test.stars, model.predict(test.user_ids, test.movie_ids))
    alone = rmse(test.stars, biases_only.predict(test.user_ids, test.movie_ids))
    assert with_neighbours < 0.6 * alone, (with_neighbours, alone)
