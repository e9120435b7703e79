"""The held-out accuracy of a movie page's list, by hand."""
import numpy as np

from bench.lists import held_out_accuracy
from re_sys.recommend.algorithms import Interactions


def _ratings(rows):
    users, movies, stars = (np.array(c) for c in zip(*rows))
    return Interactions(users.astype(np.int64), movies.astype(np.int64), stars.astype(np.float32),
                        np.zeros(len(rows), np.int64))


def test_a_fan_is_counted_once_per_loved_film_and_seen_films_are_skipped():
    # Viewer 1 loved films 10 and 11 in training, and loves 20 later; viewer 2 loved 10, rated 11 low,
    # and loves nothing later (not counted); viewer 3 loved 10 and later loves 21.
    train = _ratings([(1, 10, 5), (1, 11, 4), (2, 10, 4), (2, 11, 2), (3, 10, 5), (3, 12, 3)])
    test = _ratings([(1, 20, 4), (2, 21, 3), (3, 21, 5)])
    lists = {10: [11, 12, 20], 11: [21, 20]}
    # Pairs: (1, 10): list minus seen 11 -> [12, 20] within k=2: hit. (1, 11): [21, 20]: hit.
    # (3, 10): 12 is seen -> [11, 20]: no 21, miss. Viewer 2 loves nothing later.
    assert held_out_accuracy(lists, train, test, 2) == 2 / 3
    assert held_out_accuracy(lists, train, test, 1) == 0.0       # (1, 10): [12]; (1, 11): [21]; (3, 10): [11]
    assert held_out_accuracy(lists, train, test, 2, counts=lambda movie: movie == 11) == 1.0
