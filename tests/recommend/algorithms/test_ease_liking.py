"""EASE with co-liking: β·CᵀC in the Gram matrix, C the stars centred on each viewer's own mean."""
import numpy as np
import pandas as pd
import pytest

from re_sys.recommend.algorithms import EASE, Interactions, Popularity
from re_sys.recommend.data.dataset import DataSet
from re_sys.recommend.metrics import ndcg_at_k
from re_sys.recommend.serving.channels.fitting import item_channel_arrays


def _interactions(users, movies, stars) -> Interactions:
    return Interactions(np.array(users, np.int64), np.array(movies, np.int64), np.array(stars, np.float32),
                        np.arange(len(users), dtype=np.int64))


def test_the_gram_gains_beta_times_the_centred_stars_gram_and_the_weights_follow_the_closed_form():
    # Viewer 1 rated 10, 20 (5, 3 stars: mean 4); viewer 2 rated 20, 30 (2, 4: mean 3);
    # viewer 3 rated 10, 30, 40 (1, 2, 3: mean 2).
    data = _interactions([1, 1, 2, 2, 3, 3, 3], [10, 20, 20, 30, 10, 30, 40], [5, 3, 2, 4, 1, 2, 3])
    model = EASE(regularisation=2.0, liking_weight=0.5).fit(data)
    x = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 1, 1]], float)
    c = np.array([[1, -1, 0, 0], [0, -1, 1, 0], [-1, 0, 0, 1]], float)
    p = np.linalg.inv(x.T @ x + 0.5 * c.T @ c + 2.0 * np.eye(4))
    expected = -p / np.diag(p)
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(model.weights, expected, rtol=1e-5, atol=1e-6)
    # The query stays the 0/1 row: what the viewer rated, not how.
    np.testing.assert_allclose(model.scores(0), expected[[0, 1]].sum(axis=0), rtol=1e-5, atol=1e-6)
    assert not np.allclose(EASE(regularisation=2.0).fit(data).weights, model.weights)


def test_equal_stars_add_nothing_and_a_repeated_rating_counts_once():
    # Every viewer gives every film the same stars: nothing is liked more than usual.
    flat = _interactions([1, 1, 2, 2, 3], [10, 20, 20, 30, 30], [4, 4, 2, 2, 5])
    np.testing.assert_allclose(EASE(regularisation=2.0, liking_weight=5.0).fit(flat).weights,
                               EASE(regularisation=2.0).fit(flat).weights, atol=1e-6)
    # Viewer 1 is listed twice for film 10, 1 star then 5: the last one counts, and the pair once.
    twice = _interactions([1, 1, 1, 2, 2], [10, 20, 10, 10, 20], [1, 3, 5, 2, 4])
    once = _interactions([1, 1, 2, 2], [20, 10, 10, 20], [3, 5, 2, 4])
    np.testing.assert_allclose(EASE(regularisation=2.0, liking_weight=1.0).fit(twice).weights,
                               EASE(regularisation=2.0, liking_weight=1.0).fit(once).weights, atol=1e-6)


def test_co_liking_ranks_held_out_movies_better_when_co_rating_says_nothing():
    # 120 movies of two tastes. 400 explorers rate 20 movies at random and give their own
    # taste's 4-5 stars, the other's 1-2: who rated what links nothing, how they rated it
    # links each taste's movies. 200 fans rate 8 movies of their taste; 3 are held out.
    rng = np.random.default_rng(0)
    taste = np.arange(120) % 2
    users, movies, stars, held_out = [], [], [], {}
    for viewer in range(400):
        chosen = rng.choice(120, size=20, replace=False)
        users += [viewer] * 20
        movies += chosen.tolist()
        stars += np.where(taste[chosen] == viewer % 2, rng.choice([4.0, 5.0], 20),
                          rng.choice([1.0, 2.0], 20)).tolist()
    for fan in range(400, 600):
        chosen = rng.choice(np.flatnonzero(taste == fan % 2), size=8, replace=False)
        users += [fan] * 5
        movies += chosen[:5].tolist()
        stars += rng.choice([4.0, 5.0], 5).tolist()
        held_out[fan] = chosen[5:].tolist()
    data = _interactions(users, movies, stars)

    def mean_ndcg(recommend) -> float:
        return float(np.mean([ndcg_at_k([m for m, _ in recommend(v, 10)], held_out[v], 10)
                              for v in held_out]))

    with_liking = mean_ndcg(EASE(regularisation=10.0, liking_weight=3.0).fit(data).recommend)
    without = mean_ndcg(EASE(regularisation=10.0).fit(data).recommend)
    popular = mean_ndcg(Popularity().fit(data).recommend)
    # Over rng seeds 0-7: 0.099 to 0.131 with co-liking, 0.064 to 0.092 without, popularity 0.05 to 0.08.
    assert with_liking > 1.2 * without and with_liking > popular + 0.015, (with_liking, without, popular)


def test_the_runs_item_to_item_channel_uses_co_liking_by_default():
    # All four viewers rated films 1 and 2. Viewers 1 and 2 gave both the same stars, which says
    # nothing about liking; viewers 3 and 4 each liked one and not the other.
    ratings = pd.DataFrame({"user_id": [1, 1, 2, 2, 3, 3, 4, 4], "movie_id": [1, 2, 1, 2, 1, 2, 1, 2],
                            "stars": [5.0, 5.0, 1.0, 1.0, 5.0, 1.0, 1.0, 5.0],
                            "timestamp": [0, 10**6, 0, 10**6, 0, 10**6, 0, 10**6]})
    movies = pd.DataFrame({"movie_id": [1, 2], "title": ["A", "B"], "genres": ["Comedy", "Horror"]})
    users = pd.DataFrame({"user_id": [1, 2, 3, 4], "gender": "F", "age_group": 25,
                          "occupation": "writer", "zip_code": "00000"})
    dataset = DataSet.from_frames(ratings, movies, users)
    default = item_channel_arrays(dataset, regularisation=1.0)["item_weights"]
    plain = item_channel_arrays(dataset, regularisation=1.0, liking_weight=0.0)["item_weights"]
    # Co-rating links the pair; being liked apart lowers that link, without undoing it at 0.15.
    assert 0 < default[0, 1] < plain[0, 1]
