"""Every recall channel of for-you honours `serving.channels.base.RecallChannel`.

For one viewer each answers a float score for every movie row of the run, or
None where it has nothing to go on; it never changes the run's arrays (the
engine writes -inf into what it gets back); and a channel the engine builds
that is not checked here fails `test_every_channel_of_the_engine_is_checked`.
"""
import numpy as np
import pytest

from re_sys.recommend.serving.channels.base import Query, RecallChannel
from re_sys.recommend.serving.channels.demographic import DemographicPopular
from re_sys.recommend.serving.channels.implicit_als import ImplicitALS
from re_sys.recommend.serving.engine import Engine
from re_sys.recommend.serving.runs import Run
from tests.recommend.fake_run import two_kinds_run, with_item_channel

N_MOVIES = 10


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    run = two_kinds_run(tmp_path_factory.mktemp("run") / "r", n_movies=N_MOVIES)
    kind = np.arange(N_MOVIES) % 2
    with_item_channel(run, (kind[:, None] == kind[None, :]).astype(np.float32) * 0.5,
                      np.arange(1, N_MOVIES + 1, dtype=np.float32))
    users = np.repeat(np.arange(4), 5)
    movies = np.array([m for u in range(4) for m in range(u % 2, N_MOVIES, 2)])
    ImplicitALS.fit(users, movies, 4, N_MOVIES, seed=0).save(run)
    DemographicPopular.fit(np.full(len(movies), 4.0), movies, {"gender:F": users % 2 == 0},
                           N_MOVIES).save(run)
    return Engine(Run.load(run))


QUERIES = {
    "a viewer with ratings, a vector and a segment": Query(np.array([0, 2]), (np.eye(4)[0], 0.1), ["gender:F"]),
    "a viewer with nothing": Query(),
}


def test_every_channel_of_the_engine_is_checked(engine):
    assert {type(c) for c in engine.channels} == {cls for cls in RecallChannel.__subclasses__()}
    assert [c.name for c in engine.channels] == ["item-to-item", "als", "text-cnn", "demographic", "popular"]


@pytest.mark.parametrize("query", QUERIES.values(), ids=list(QUERIES))
def test_every_channel_answers_a_score_per_movie_or_none(engine, query):
    for channel in engine.channels:
        before = {name: np.array(value, copy=True) for name, value in vars(channel).items()
                  if isinstance(value, np.ndarray)}
        scores = channel.scores(query)
        if scores is None:
            assert channel.name != "popular", "popular always answers"
            continue
        assert scores.shape == (N_MOVIES,) and scores.dtype == np.float64 and np.isfinite(scores).all()
        scores[:] = -np.inf  # what the engine does to blocked movies must not reach the channel
        again = channel.scores(query)
        assert np.isfinite(again).all(), channel.name
        for name, value in before.items():
            np.testing.assert_array_equal(getattr(channel, name), value)


def test_a_viewer_with_nothing_gets_popular_only(engine):
    answered = [c.name for c in engine.channels if c.scores(Query()) is not None]
    assert answered == ["popular"]


def test_the_item_channel_follows_what_was_rated(engine):
    channel = next(c for c in engine.channels if c.name == "item-to-item")
    scores = channel.scores(Query(np.array([0])))   # an even-row movie
    assert scores[2] > scores[1]
