"""How films the run never saw rank for one viewer (`serving.content_tower`), on hand-computed cases."""
import numpy as np
import pytest

from re_sys.recommend.serving.content_tower import (YEAR_PRIOR, MovieTower, genre_shares, nearest_popularity,
                                                    new_film_scores, popularity_weights, predicted_popularity,
                                                    profile_closeness, years_share)
from tests.recommend.fake_run import two_kinds_run, with_movie_tower


def test_each_signal_is_standardised_over_the_films_and_added():
    shares, popularity, stars = [0.0, 0.5, 1.0], [1.0, 1.0, 4.0], [4.0, 3.0, 2.0]
    # z of [0, .5, 1] is [-1.2247, 0, 1.2247]; of [1, 1, 4] [-0.7071, -0.7071, 1.4142]; of [4, 3, 2] reversed.
    np.testing.assert_allclose(new_film_scores(shares, popularity), [-1.9319, -0.7071, 2.6390], atol=1e-4)
    np.testing.assert_allclose(new_film_scores(shares, popularity, stars), [-0.7071, -0.7071, 1.4142], atol=1e-4)
    # Equal on the other two, the film with the better stars for this viewer goes first.
    assert np.argmax(new_film_scores([0.5, 0.5], [2.0, 2.0], [3.0, 4.5])) == 1
    assert new_film_scores([0.3], [1.0], [4.0]).tolist() == [0.0]       # one film: nothing to standardise
    # The profile's closeness is standardised and added like the others:
    # [0.1, 0.2, 0.6] has z [-0.9258, -0.4629, 1.3887].
    np.testing.assert_allclose(new_film_scores(shares, popularity, stars, [0.1, 0.2, 0.6]),
                               [-1.6329, -1.1700, 2.8029], atol=1e-4)
    # So are the years the viewer watches, with or without the profile: z of [1, 2, 3] is [-1.2247, 0, 1.2247].
    np.testing.assert_allclose(new_film_scores(shares, popularity, stars, [0.1, 0.2, 0.6], [1.0, 2.0, 3.0]),
                               [-2.8576, -1.1700, 4.0276], atol=1e-4)
    np.testing.assert_allclose(new_film_scores(shares, popularity, stars, years=[1.0, 2.0, 3.0]),
                               [-1.9319, -0.7071, 2.6390], atol=1e-4)


def test_profile_closeness_is_the_cosine_with_the_profile():
    closeness = profile_closeness(np.array([2.0, 0.0]), [np.array([3.0, 0.0]), np.array([0.0, 5.0]),
                                                         np.array([1.0, 1.0]), np.array([-1.0, 0.0])])
    np.testing.assert_allclose(closeness, [1.0, 0.0, np.sqrt(0.5), -1.0])


def space_and_love_tower(tmp_path, rated_rows=None) -> MovieTower:
    """Five catalogue films called "Space War" (rows 0-4), five "Love Story" (5-9), all of one genre."""
    run = two_kinds_run(tmp_path / "run")
    np.savez(run / "encodings.npz", movie_genres=np.ones((10, 1), dtype=np.int64),
             movie_title=np.array([[2, 3, 0, 0]] * 5 + [[4, 5, 0, 0]] * 5))
    with_movie_tower(run, words=["space", "war", "love", "story"], genres=["Drama"], rated_rows=rated_rows)
    return MovieTower.load(run)


def test_popularity_weights_are_a_ridge_regression_of_log_ratings():
    units = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    ratings = np.expm1(units @ [2.0, 0.5] + 1.0)          # log(1 + ratings) is exactly linear in them
    np.testing.assert_allclose(popularity_weights(units, ratings, l2=1e-9), [2.0, 0.5, 1.0], atol=1e-6)
    # The penalty shrinks the weights: with λ = 5 the fit is no longer exact and the weights are smaller.
    shrunk = popularity_weights(units, ratings, l2=5.0)
    assert np.linalg.norm(shrunk) < np.linalg.norm([2.0, 0.5, 1.0]) - 0.1


def test_a_new_film_is_expected_to_be_rated_as_much_as_the_films_its_title_puts_it_near(tmp_path):
    tower = space_and_love_tower(tmp_path)
    new = [tower.placed(title, ["Drama"]).vector for title in ("Space War", "Love Story")]
    for counts, first in (([90] * 5 + [2] * 5, 0), ([1] * 5 + [40] * 5, 1)):
        guessed = predicted_popularity(tower.popularity_model(np.array(counts)), new)
        assert int(np.argmax(guessed)) == first, counts
    (tmp_path / "run" / "encodings.npz").unlink()
    assert MovieTower.load(tmp_path / "run").popularity_model(np.ones(10)) is None     # no catalogue


def test_only_films_with_ratings_teach_the_popularity_and_make_the_profile(tmp_path):
    """The run's rows of films without ratings (here 2, 4, 6, 8) stand nowhere in the catalogue the
    tower compares new films with; rows are matched to it through `rated_rows`, in any order."""
    tower = space_and_love_tower(tmp_path, rated_rows=[9, 1, 3, 5, 7, 0])
    new = [tower.placed(title, ["Drama"]).vector for title in ("Space War", "Love Story")]
    # Rows without ratings carry a count that would turn the guess round if it were read.
    counts = np.array([50, 50, 1000, 50, 1000, 1, 1000, 1, 1000, 1])
    assert int(np.argmax(predicted_popularity(tower.popularity_model(counts), new))) == 0
    # A viewer of "Space War" films, whatever else they rated among rows the catalogue lacks.
    assert int(np.argmax(profile_closeness(tower.profile_of([0, 1, 2, 4, 6]), new))) == 0
    assert tower.profile_of([2, 4, 6, 8]) is None
    np.testing.assert_allclose(tower.profile_of([1, 2, 3]), tower.profile_of([1, 3]))


def test_a_viewers_content_profile_puts_new_films_like_theirs_first(tmp_path):
    """A viewer of "Space War" films is closest to a new "Space War", of "Love Story" films to a new
    "Love Story", and what every film shares cancels out of the profile."""
    tower = space_and_love_tower(tmp_path)
    run = tmp_path / "run"
    new = [tower.placed(title, ["Drama"]).vector for title in ("Space War", "Love Story")]
    for rows, first in (([0, 1, 2], 0), ([5, 8], 1), ([0, 1, 9], 0)):
        assert int(np.argmax(profile_closeness(tower.profile_of(rows), new))) == first, rows
    assert tower.profile_of([0, 5]) is None      # one of each kind: they lean no way, so no profile
    # Rows the run has no film for, or no rows, give no profile; nor does a run without its catalogue.
    assert tower.profile_of([]) is None and tower.profile_of([99, -1]) is None
    (run / "encodings.npz").unlink()
    assert MovieTower.load(run).profile_of([0, 1]) is None


def test_years_share_is_how_much_the_viewer_watches_films_of_about_that_year():
    """The viewer's films near the year, over the catalogue's near it (Gaussian, 1.5 years; films 35
    years apart do not count for each other), each drawn towards the viewer's share of all films by
    a prior of YEAR_PRIOR films, in logs."""
    catalogue = [1960] * 5 + [1995] * 5 + [0]           # 0: a film of unknown year, in neither sum
    mine = YEAR_PRIOR * 4 / 10                           # the viewer rated 4 of the 10 dated films
    by_hand = {1995: np.log((3 + mine) / (5 + YEAR_PRIOR)), 1960: np.log((1 + mine) / (5 + YEAR_PRIOR)),
               2030: np.log(mine / YEAR_PRIOR)}
    share = years_share([1995, 1995, 1995, 1960, 0], catalogue, [1995, 1960, 2030, None, 0])
    np.testing.assert_allclose(share[:3], [by_hand[1995], by_hand[1960], by_hand[2030]], atol=1e-9)
    # A film without a year neither gains nor loses: it gets the mean of the others.
    np.testing.assert_allclose(share[3:], [np.mean(share[:3])] * 2)
    # A year between two the viewer watched counts both, each weighed by the kernel.
    between = years_share([1994, 1996], [1994, 1996, 1960], [1995])[0]
    k = np.exp(-0.5 / 1.5 ** 2)
    assert between == pytest.approx(np.log((2 * k + YEAR_PRIOR * 2 / 3) / (2 * k + YEAR_PRIOR)))
    # Nothing to say: no dated film rated, or no new film with a year.
    assert years_share([0], catalogue, [1995]) is None and years_share([], catalogue, [1995]) is None
    assert years_share([1995], catalogue, [None, 0]) is None
    with pytest.raises(ValueError):
        years_share([1995], catalogue, [1995], prior=0.0)


def test_a_year_the_catalogue_lacks_is_neither_pushed_up_nor_down():
    """A viewer who rated 5 of 100 films, four of them of 1995's 50, one of 1960's 50. A film newer
    than the catalogue (2030) says nothing of them: it scores their share of all films, below the
    year they watch most and above the one they avoid. (A fixed prior of a tenth of a film put it
    first, above 1995, for anyone who rated under a tenth of the catalogue.)"""
    catalogue = [1960] * 50 + [1995] * 50
    share = years_share([1995] * 4 + [1960], catalogue, [1995, 2030, 1960])
    assert share[1] == pytest.approx(np.log(5 / 100)) and share[0] > share[1] > share[2]
    first = years_share([1995] * 4 + [1960], catalogue, [1995, 2030, 1960], viewer_prior=0.1)
    assert first[1] > first[0]


def test_a_run_keeps_its_films_years_for_the_years_its_viewers_watch(tmp_path):
    """Rows 0-4 ("Space War") came out in 1995, 5-9 ("Love Story") in 1960. A viewer of the old films
    is told a new 1961 film before a 1996 one; rows without ratings in the run do not count; a run saved
    before years were kept, or whose years are all unknown, says nothing."""
    tower = space_and_love_tower(tmp_path, rated_rows=[0, 1, 2, 3, 5, 6, 7, 8])
    assert tower.years is None and tower.years_watched([5, 6], [1961, 1996]) is None
    run = tmp_path / "run"
    with np.load(run / "encodings.npz") as saved:
        arrays = dict(saved)
    np.savez(run / "encodings.npz", **arrays, movie_year=np.array([1995] * 5 + [1960] * 5))
    tower = MovieTower.load(run)
    assert int(np.argmax(tower.years_watched([5, 6, 7], [1996, 1961]))) == 1
    assert int(np.argmax(tower.years_watched([0, 1, 9], [1996, 1961]))) == 0
    # Row 9 has no ratings: it is left out, as the catalogue leaves it out; row 99 is no film of the run.
    np.testing.assert_allclose(tower.years_watched([0, 1, 9, 4, 99], [1996, 1961]),
                               years_share([1995, 1995], [1995] * 4 + [1960] * 4, [1996, 1961]))
    assert tower.years_watched([4, 9], [1996]) is None
    np.savez(run / "encodings.npz", **arrays, movie_year=np.zeros(10, dtype=np.int64))
    assert MovieTower.load(run).years_watched([0, 1], [1996]) is None
    # Years that do not fit the run's films, one per film, are not read at all: one too few would
    # shift every year onto the wrong film.
    for wrong in (5, 9, 11):
        np.savez(run / "encodings.npz", **arrays, movie_year=np.full(wrong, 1995))
        assert MovieTower.load(run).years is None, wrong


def test_genre_shares_and_nearest_popularity():
    loved = [[1, 2], [2, 0], [3, 0]]                  # genre ids of three loved films, 0 pads
    assert genre_shares(loved, [[2, 0], [1, 3], [4, 0]]).tolist() == pytest.approx([2 / 3, 2 / 3, 0.0])
    counts = np.array([0, 9, 99])
    assert nearest_popularity(np.array([1, 2]), counts) == pytest.approx((np.log(10) + np.log(100)) / 2)
    assert nearest_popularity(np.array([], dtype=np.int64), counts) == 0.0


def test_the_engine_places_a_film_once_per_title_and_genres_and_keeps_each_callers_year(tmp_path):
    """The tower does not read the year, so a film is placed once for its title and genres; the
    year asked for is the one on the placement given back, whatever was asked before."""
    from re_sys.recommend.serving.engine import Engine
    from re_sys.recommend.serving.runs import Run

    space_and_love_tower(tmp_path)
    engine = Engine(Run.load(tmp_path / "run"))
    first = engine.content_placement("Space War", ["Drama"], 1990)
    later = engine.content_placement("Space War", ["Drama"], 2000)
    unknown = engine.content_placement("Space War", ["Drama"])
    assert (first.year, later.year, unknown.year) == (1990, 2000, None)
    assert first.vector is later.vector is unknown.vector
    assert engine.content_placement("Space War", ["Drama"], 1990).year == 1990
    np.testing.assert_array_equal(engine.content_vector("Space War", ["Drama"]), first.vector)
