"""How films the run never saw rank for one viewer (`serving.content_tower`), on hand-computed cases."""
import numpy as np
import pytest

from re_sys.recommend.serving.content_tower import genre_shares, nearest_popularity, new_film_scores


def test_each_signal_is_standardised_over_the_films_and_added():
    shares, popularity, stars = [0.0, 0.5, 1.0], [1.0, 1.0, 4.0], [4.0, 3.0, 2.0]
    # z of [0, .5, 1] is [-1.2247, 0, 1.2247]; of [1, 1, 4] [-0.7071, -0.7071, 1.4142]; of [4, 3, 2] reversed.
    np.testing.assert_allclose(new_film_scores(shares, popularity), [-1.9319, -0.7071, 2.6390], atol=1e-4)
    np.testing.assert_allclose(new_film_scores(shares, popularity, stars), [-0.7071, -0.7071, 1.4142], atol=1e-4)
    # Equal on the other two, the film with the better stars for this viewer goes first.
    assert np.argmax(new_film_scores([0.5, 0.5], [2.0, 2.0], [3.0, 4.5])) == 1
    assert new_film_scores([0.3], [1.0], [4.0]).tolist() == [0.0]       # one film: nothing to standardise


def test_genre_shares_and_nearest_popularity():
    loved = [[1, 2], [2, 0], [3, 0]]                  # genre ids of three loved films, 0 pads
    assert genre_shares(loved, [[2, 0], [1, 3], [4, 0]]).tolist() == pytest.approx([2 / 3, 2 / 3, 0.0])
    counts = np.array([0, 9, 99])
    assert nearest_popularity(np.array([1, 2]), counts) == pytest.approx((np.log(10) + np.log(100)) / 2)
    assert nearest_popularity(np.array([], dtype=np.int64), counts) == 0.0
