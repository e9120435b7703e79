"""The sitting Gram matrix and EASE over it: movies rated together in time bond more."""
import numpy as np
import pandas as pd
import pytest

from re_sys.recommend.algorithms import EASE, Interactions
from re_sys.recommend.algorithms.sittings import sitting_gram
from re_sys.recommend.data.dataset import DataSet
from re_sys.recommend.serving.channels.fitting import item_channel_arrays

DAY = 86_400


def test_pairs_weigh_by_time_apart_and_days_apart_count_nothing():
    # Viewer 0: movie 0, then movie 1 five minutes later, movie 2 twelve days later.
    # Viewer 1: movie 0, then movie 2 ten minutes later.
    users = np.array([0, 0, 0, 1, 1])
    movies = np.array([0, 1, 2, 0, 2])
    times = np.array([0, 300, 12 * DAY, 5_000, 5_600])
    gram = sitting_gram(users, movies, times, 3, seconds=300.0)
    expected = np.array([[2, np.exp(-1), np.exp(-2)],
                         [np.exp(-1), 1, 0],
                         [np.exp(-2), 0, 2]])
    np.testing.assert_allclose(gram, expected, atol=1e-12)


def test_the_order_of_the_ratings_does_not_matter_and_the_matrix_is_positive_semidefinite():
    rng = np.random.default_rng(0)
    pairs = {(int(u), int(m)) for u, m in zip(rng.integers(0, 30, 400), rng.integers(0, 25, 400))}
    users, movies = np.array(sorted(pairs)).T
    times = rng.integers(0, 3 * DAY, len(users))
    gram = sitting_gram(users, movies, times, 25)
    shuffled = rng.permutation(len(users))
    np.testing.assert_allclose(sitting_gram(users[shuffled], movies[shuffled], times[shuffled], 25), gram)
    np.testing.assert_allclose(gram, gram.T)
    np.testing.assert_allclose(np.diag(gram), np.bincount(movies, minlength=25))
    assert np.linalg.eigvalsh(gram).min() > -1e-9


def test_no_ratings_and_bad_settings():
    empty = np.zeros(0, np.int64)
    np.testing.assert_array_equal(sitting_gram(empty, empty, empty, 4), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="seconds"):
        sitting_gram(empty, empty, empty, 4, seconds=0)
    with pytest.raises(ValueError, match="sitting_weight"):
        EASE(sitting_weight=-1.0)


def _met_together_or_apart() -> Interactions:
    """Movie 1 and movie 2 are each rated by the same ten viewers of movie 0: movie 1 within a
    minute of it, movie 2 weeks later. Viewers 10-29 rate two of movies 3-5 as ballast."""
    rows = []
    for viewer in range(10):
        start = viewer * DAY
        rows += [(viewer, 0, start), (viewer, 1, start + 60), (viewer, 2, start + 30 * DAY)]
    rng = np.random.default_rng(1)
    for viewer in range(10, 30):
        for movie in rng.choice([3, 4, 5], size=2, replace=False):
            rows.append((viewer, int(movie), int(rng.integers(0, 60 * DAY))))
    users, movies, times = np.array(rows).T
    return Interactions(users, movies, np.full(len(users), 4.0, np.float32), times)


def test_ease_over_sittings_prefers_the_movie_met_in_the_same_sitting():
    data = _met_together_or_apart()
    plain = EASE(regularisation=1.0).fit(data).scores_for([0])
    sittings = EASE(regularisation=1.0, sitting_weight=2.0).fit(data).scores_for([0])
    # Without times the two are interchangeable; with them movie 1 is far ahead.
    assert plain[1] == pytest.approx(plain[2], abs=1e-6)
    assert sittings[1] > sittings[2] + 0.1


def test_settings_survive_save_and_load_and_older_files_load_as_plain_ease(tmp_path):
    data = _met_together_or_apart()
    model = EASE(regularisation=2.0, sitting_weight=1.5, sitting_seconds=120.0).fit(data)
    model.save(tmp_path / "ease.npz")
    back = EASE.load(tmp_path / "ease.npz")
    assert (back.regularisation, back.sitting_weight, back.sitting_seconds) == (2.0, 1.5, 120.0)
    np.testing.assert_array_equal(back.weights, model.weights)
    np.savez(tmp_path / "old.npz", movie_ids=model.movie_ids, weights=model.weights, regularisation=2.0)
    assert EASE.load(tmp_path / "old.npz").sitting_weight == 0.0


def test_the_runs_item_to_item_channel_is_built_over_sittings():
    data = _met_together_or_apart()
    ratings = pd.DataFrame({"user_id": data.user_ids + 1, "movie_id": data.movie_ids + 1,
                            "stars": data.stars, "timestamp": data.timestamps})
    movies = pd.DataFrame({"movie_id": np.arange(1, 7), "title": [f"Film {i}" for i in range(1, 7)],
                           "genres": ["Drama"] * 6})
    users = pd.DataFrame({"user_id": np.arange(1, 31), "gender": "F", "age_group": 25,
                          "occupation": "writer", "zip_code": "00000"})
    dataset = DataSet.from_frames(ratings, movies, users)
    weights = item_channel_arrays(dataset, regularisation=1.0)["item_weights"]
    first, together, apart = (int(np.flatnonzero(dataset.movie_ids == m)[0]) for m in (1, 2, 3))
    assert weights[first, together] > weights[first, apart] + 0.1
    plain = item_channel_arrays(dataset, regularisation=1.0, sitting_weight=0.0)["item_weights"]
    assert plain[first, together] == pytest.approx(plain[first, apart], abs=1e-6)
