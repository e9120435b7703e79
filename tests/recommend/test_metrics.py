"""Metrics checked against hand-computed cases."""
import math

import pytest

from re_sys.recommend.metrics import (
    average_precision_at_k, hit_rate_at_k, mae, mean_ranking_metrics, ndcg_at_k, precision_at_k,
    recall_at_k, rmse,
)


def test_rmse_and_mae():
    assert rmse([1, 2, 3], [1, 2, 5]) == pytest.approx(math.sqrt(4 / 3))
    assert mae([1, 2, 3], [2, 2, 1]) == pytest.approx(1.0)


def test_a_perfect_ranking_scores_one():
    ranked, relevant = [4, 7, 9], {4, 7, 9}
    for metric in (precision_at_k, recall_at_k, ndcg_at_k, average_precision_at_k, hit_rate_at_k):
        assert metric(ranked, relevant, 3) == pytest.approx(1.0)


def test_a_reversed_ranking_scores_what_it_should():
    # 5 items, only the true best (item 1) relevant; the reversed list puts it last.
    ranked = [5, 4, 3, 2, 1]
    assert precision_at_k(ranked, {1}, 5) == pytest.approx(0.2)
    assert ndcg_at_k(ranked, {1}, 5) == pytest.approx(1 / math.log2(6))
    assert average_precision_at_k(ranked, {1}, 5) == pytest.approx(0.2)
    assert hit_rate_at_k(ranked, {1}, 4) == 0.0


def test_hand_computed_mixed_case():
    ranked, relevant = [10, 20, 30, 40], {20, 40, 50}
    assert precision_at_k(ranked, relevant, 4) == pytest.approx(0.5)
    assert recall_at_k(ranked, relevant, 4) == pytest.approx(2 / 3)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranked, relevant, 4) == pytest.approx(dcg / idcg)
    assert average_precision_at_k(ranked, relevant, 4) == pytest.approx((1 / 2 + 2 / 4) / 3)


def test_short_lists_are_not_rewarded():
    assert precision_at_k([1], {1}, 10) == pytest.approx(0.1)


def test_mean_over_users_skips_users_without_held_out_items():
    out = mean_ranking_metrics({1: [1, 2], 2: [3, 4]}, {1: {1}, 2: {9}, 3: set()}, k=2)
    assert out["precision@2"] == pytest.approx(0.25) and out["hit_rate@2"] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        mean_ranking_metrics({}, {1: set()}, k=2)


# ---------------------------------------------------------------- what people like, regret and are told

def test_contradiction_counts_the_listed_movies_predicted_below_the_floor():
    from re_sys.recommend.metrics import contradiction_at_k

    assert contradiction_at_k([2.9, 3.0, 4.5, 1.0], 10, 3.0) == 0.5
    assert contradiction_at_k([2.0, 2.5], 10, 3.0) == 1.0
    assert contradiction_at_k([4.0, 2.0, 1.0], 1, 3.0) == 0.0      # only the first k count
    assert contradiction_at_k([], 10, 3.0) == 0.0


def test_coverage_and_largest_share_by_hand():
    from re_sys.recommend.metrics import catalogue_coverage, largest_share

    lists = [[1, 2, 3], [1, 4], [1, 5, 6], []]
    assert catalogue_coverage(lists, 10, 2) == 4 / 10            # 1, 2, 4, 5 in some top 2
    assert largest_share(lists, 2) == 1.0                        # movie 1 in all three non-empty lists
    assert largest_share([[1, 2], [3, 4]], 2) == 0.5
    assert largest_share([[], []], 2) == 0.0


def _interactions(rows):
    import numpy as np
    from re_sys.recommend.algorithms.base import Interactions

    users, movies, stars = (np.array(c) for c in zip(*rows))
    return Interactions(users.astype(np.int64), movies.astype(np.int64), stars.astype(np.float32),
                        np.zeros(len(rows), np.int64))


def test_a_list_of_only_disliked_movies_scores_disliked_one_and_liked_zero():
    from re_sys.recommend.evaluation.protocols import evaluate_ranker

    # Viewer 1 held out 1★, 2★ and 5★ movies; the list names the two dislikes only.
    test = _interactions([(1, 10, 1.0), (1, 11, 2.0), (1, 12, 5.0)])
    figures = evaluate_ranker(lambda user, k: [(10, 1.0), (11, 0.5)], test, 2)
    assert figures["disliked@2"] == 1.0
    assert figures["liked_ndcg@2"] == 0.0 and figures["liked_precision@2"] == 0.0
    assert figures["precision@2"] == 1.0                          # yet every rating "relevant" loves it


def test_liked_figures_count_only_held_out_ratings_of_four_stars_and_more():
    from re_sys.recommend.evaluation.protocols import evaluate_ranker

    test = _interactions([(1, 10, 4.0), (1, 11, 3.5), (2, 20, 2.5), (2, 21, 4.5)])
    lists = {1: [(11, 1.0), (10, 0.5)], 2: [(21, 1.0), (20, 0.5)]}
    figures = evaluate_ranker(lambda user, k: lists[user], test, 2, n_items=8)
    # Viewer 1's one liked movie at rank 2: DCG 1/log2(3), ideal 1; viewer 2's at rank 1.
    assert abs(figures["liked_ndcg@2"] - (1 / __import__("math").log2(3) + 1) / 2) < 1e-12
    assert figures["liked_precision@2"] == 0.5
    assert figures["disliked@2"] == 0.0
    assert figures["coverage@2"] == 4 / 8


def test_contradiction_is_judged_by_the_given_rating_model_per_viewer():
    import numpy as np
    from re_sys.recommend.evaluation.protocols import evaluate_ranker

    test = _interactions([(1, 10, 4.0), (2, 20, 4.0)])
    # The judge: viewer 1 would give every movie 2★, viewer 2 every movie 4★.
    judge = lambda users, movies: np.where(np.asarray(users) == 1, 2.0, 4.0)  # noqa: E731
    figures = evaluate_ranker(lambda user, k: [(10, 1.0), (11, 0.5)], test, 2, predicted=judge)
    assert figures["contradiction@2"] == 0.5                      # viewer 1: 1.0, viewer 2: 0.0
