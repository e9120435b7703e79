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
