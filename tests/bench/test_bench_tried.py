"""The methods measured in bench/experiments/bench_ranking_tried.py (not served): iALS, sittings and session kNN."""
import numpy as np
import pytest

from bench.experiments.bench_ranking_tried import (first_sitting_share, ials_item_factors, ials_scores, session_knn,
                                       sitting_rows)
from bench.experiments.bench_ranking_variants import ndcg_and_precision
from re_sys.recommend.algorithms import Interactions


def planted(seed=1, viewers=80, movies=60):
    """Two kinds of viewer, each watching mostly its own kind of movie; both kinds about as popular."""
    rng = np.random.default_rng(seed)
    taste = rng.integers(0, 2, viewers)
    kind = np.arange(movies) % 2
    likes = np.where(taste[:, None] == kind[None, :], 0.6, 0.05)
    watched = (rng.random((viewers, movies)) < likes).astype(np.float32)
    held = (rng.random(watched.shape) < 0.25) & (watched > 0)
    return np.where(held, 0, watched), held.astype(np.float32)


def test_ials_finds_planted_tastes_better_than_popularity():
    train, test = planted()
    movies = ials_item_factors(train, 8, 0.02, 0.1, 10, seed=0)
    ials, _ = ndcg_and_precision(ials_scores(train, movies, 0.02, 0.1), train, test)
    popular, _ = ndcg_and_precision(np.tile(train.sum(axis=0), (len(train), 1)), train, test)
    assert ials > popular + 0.1


def test_ials_fold_in_solves_the_weighted_objective():
    # At the fold-in's answer the gradient of Σ_rated (u·h − 1)² + w Σ_all (u·h)² + λ(n + w·m)|u|²
    # vanishes; checked directly for one viewer rather than by re-deriving the solve.
    train, _ = planted(seed=2, viewers=10, movies=12)
    movies = np.random.default_rng(0).normal(size=(12, 3))
    regularisation, unobserved = 0.05, 0.2
    row = 3
    rated = np.flatnonzero(train[row])
    scores = ials_scores(train, movies, regularisation, unobserved)[row]
    user = np.linalg.lstsq(movies, scores, rcond=None)[0]
    gradient = (movies[rated].T @ (movies[rated] @ user - 1) + unobserved * movies.T @ (movies @ user)
                + regularisation * (len(rated) + unobserved * len(movies)) * user)
    np.testing.assert_allclose(gradient, 0, atol=1e-9)


def test_sitting_rows_break_at_gaps_and_between_viewers():
    users = np.array([0, 0, 0, 1, 1])
    movies = np.array([2, 0, 1, 0, 3])
    times = np.array([100, 0, 4000, 10, 20])
    rows, owners = sitting_rows(users, movies, times, 4, gap=2400)
    # Viewer 0: movies 0 and 2 (100 s apart), then movie 1 after a gap of over 40 minutes; viewer 1: 0 and 3.
    np.testing.assert_array_equal(rows, [[1, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 1]])
    np.testing.assert_array_equal(owners, [0, 0, 1])


def test_session_knn_borrows_the_nearest_other_viewers_sittings_ties_included():
    rows = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]], np.float32)
    owners = np.array([0, 0, 1, 2])
    scores = session_knn(rows, owners, 3, neighbours=1)
    # Viewer 0's two sittings are most alike each other (2/√6) but may not borrow from each other.
    # Its first is nearest viewer 2's sitting (1/2); its second ties viewers 1 and 2 (1/√6 each).
    third = 1 / np.sqrt(6)
    np.testing.assert_allclose(scores[0], 0.5 * rows[3] + third * (rows[2] + rows[3]))
    np.testing.assert_allclose(scores[1], 0.5 * rows[3])
    # Viewer 2's sitting ties viewer 0's first and viewer 1's at 1/2.
    np.testing.assert_allclose(scores[2], 0.5 * (rows[0] + rows[2]))


def test_first_sitting_share_counts_each_viewers_first_sitting():
    data = Interactions(user_ids=np.array([1, 1, 1, 1, 2, 2]), movie_ids=np.array([10, 11, 12, 13, 10, 11]),
                        stars=np.full(6, 4.0, np.float32),
                        timestamps=np.array([0, 60, 120, 100_000, 5, 10]))
    share, median = first_sitting_share(data, gap=2400)
    assert share == pytest.approx(5 / 6)     # viewer 1: 3 of 4 in the first sitting; viewer 2: both
    assert median == pytest.approx((0.75 + 1.0) / 2)


def test_side_information_rows_add_pseudo_viewers_and_pseudo_movies():
    import pandas as pd

    from bench.experiments.bench_ranking_tried import Split, viewer_features
    from bench.experiments.bench_ranking_variants import ease_weights

    users = pd.DataFrame({"gender": ["F", "M", "F"], "age_group": [25, 25, 56], "occupation": ["a", "b", "a"]})
    np.testing.assert_array_equal(viewer_features(users),       # F, M | 25, 56 | a, b
                                  [[1, 0, 1, 0, 1, 0], [0, 1, 1, 0, 0, 1], [1, 0, 0, 1, 1, 0]])
    train = Interactions(np.array([1, 1, 2, 3, 3]), np.array([10, 20, 20, 10, 30]),
                         np.full(5, 4.0, np.float32), np.array([0, 10, 20, 30, 40]))
    genres = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    split = Split(train, train, 0, np.array([1, 2, 3]), np.array([10, 20, 30]), genres, genres,
                  viewer_features(users))
    plain = split.x @ ease_weights(split.item_gram, 150.0)
    np.testing.assert_allclose(split.with_side((0.0, genres)), plain)
    by_hand = split.x @ ease_weights(split.item_gram + 4.0 * genres @ genres.T, 150.0)
    np.testing.assert_allclose(split.with_side((2.0, genres)), by_hand)
    # Demographic columns at weight 0 change nothing about the movies' scores.
    np.testing.assert_allclose(split.with_viewer_side(0.0), plain, atol=1e-9)
    assert not np.allclose(split.with_viewer_side(1.0), plain)


def test_co_liking_adds_the_centred_stars_gram():
    from bench.experiments.bench_ranking_tried import Split
    from bench.experiments.bench_ranking_variants import ease_weights

    # Viewer 1 gave 5 and 3 stars (mean 4), viewer 2 one rating, viewer 3 gave 1 and 3 (mean 2).
    train = Interactions(np.array([1, 1, 2, 3, 3]), np.array([10, 20, 20, 10, 30]),
                         np.array([5, 3, 4, 1, 3], np.float32), np.array([0, 10, 20, 30, 40]))
    none = np.zeros((3, 0))
    split = Split(train, train, 0, np.array([1, 2, 3]), np.array([10, 20, 30]), none, none, none)
    centred = np.array([[1, -1, 0], [0, 0, 0], [-1, 0, 1]], float)
    by_hand = split.x @ ease_weights(split.item_gram + 0.5 * centred.T @ centred, 150.0)
    np.testing.assert_allclose(split.with_side(liking=0.5), by_hand)
    np.testing.assert_allclose(split.with_side(liking=0.0), split.x @ ease_weights(split.item_gram, 150.0))
