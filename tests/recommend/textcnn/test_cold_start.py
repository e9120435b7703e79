"""Cold-start training: a share of each step's films trained as films nobody rated, and the unseen id
and bias it learns served to films added after training."""
import dataclasses

import numpy as np
import pytest

from re_sys.recommend.data.dataset import DataSet
from re_sys.recommend.serving.runs import Run
from re_sys.recommend.textcnn import training
from tests.recommend.planted import planted_frames
from tests.recommend.textcnn.test_training import FAST, SMALL

pytestmark = pytest.mark.slow


def test_the_drop_takes_whole_films_in_training_and_nothing_outside_it():
    from re_sys.recommend.textcnn.model import ColdStartDrop

    layer = ColdStartDrop(n_movies=50, rate=0.3, seed=1)
    movies = np.repeat(np.arange(50, dtype=np.int32), 4)         # every film rated four times in the step
    dropped = []
    for _ in range(40):
        out = np.asarray(layer(movies, training=True))
        assert set(np.unique(out[out != movies])) <= {50}          # a film keeps its id or takes the unseen one
        per_film = (out == 50).reshape(50, 4)
        assert (per_film.all(axis=1) | ~per_film.any(axis=1)).all()  # all of a film's ratings, or none
        dropped.append(per_film[:, 0].mean())
    assert np.mean(dropped) == pytest.approx(0.3, abs=0.05)
    assert len({tuple(d) for d in [np.asarray(layer(movies, training=True)) for _ in range(3)]}) > 1
    assert np.array_equal(np.asarray(layer(movies, training=False)), movies)
    assert np.array_equal(np.asarray(ColdStartDrop(50, 0.0)(movies, training=True)), movies)


@pytest.fixture(scope="module")
def cold():
    ratings, movies, users = planted_frames()
    # Film N came out in 1960 + N: only the new-film rule reads it.
    movies = movies.assign(year=1960 + movies["movie_id"])
    dataset = DataSet.from_frames(ratings, movies, users)
    cfg = dataclasses.replace(SMALL, cold_start_rate=0.3)
    return dataset, training.fit(dataset, model_config=cfg, train_config=FAST)


def test_the_run_serves_the_unseen_id_and_bias_the_model_learned(cold, tmp_path):
    """The numpy tower and the engine give a new film what Keras gives the unseen row: the same vector
    from its title and genres, the same bias; films the run knows keep their own rows."""
    from re_sys.recommend.serving.engine import Engine

    dataset, result = cold
    engine = Engine(Run.load(training.export_run(result, dataset, tmp_path / "runs")))
    tower = engine.movie_tower
    inputs = dataset.movie_inputs()
    assert engine.run.movie_features.shape[0] == engine.run.movie_bias.shape[0] == dataset.n_movies
    np.testing.assert_allclose(tower.vectors_of_rows(inputs["movie"], inputs["genres"], inputs["title"]),
                               training.predict_inputs(result.towers.movie, inputs), atol=2e-5)

    title, genres = "Boom Blast Forever", ["Action"]
    unseen = {"movie": np.array([dataset.n_movies], dtype=np.int32),
              "genres": tower.encode_genres(genres, inputs["genres"].shape[1])[None, :].astype(np.int32),
              "title": tower.encode_title(title)[None, :].astype(np.int32)}
    placement = engine.content_placement(title, genres)
    np.testing.assert_allclose(placement.vector, training.predict_inputs(result.towers.movie, unseen)[0], atol=2e-5)
    learned_bias = result.towers.rating.get_layer("movie_bias").get_weights()[0][-1, 0]
    assert tower.unseen_bias == pytest.approx(float(learned_bias), abs=1e-6)
    assert learned_bias != 0.0          # it starts at exactly 0: only ratings of dropped films move it
    assert tower.unseen_bias != pytest.approx(float(engine.run.movie_bias.mean()), abs=1e-4)

    # Stars for the new film: the viewer's vector and bias, the global mean and the learned unseen bias.
    row = 0
    expected = (engine.run.user_features[row] @ placement.vector + engine.run.user_bias[row]
                + engine.run.global_mean + learned_bias)
    got = engine.predict_content(engine.run.user_features[row], float(engine.run.user_bias[row]), {900: placement})
    assert got[900] == pytest.approx(float(np.clip(expected, 0.5, 5.0)), abs=1e-4)


@pytest.fixture(scope="module")
def plain():
    dataset = DataSet.from_frames(*planted_frames())
    return dataset, training.fit(dataset, model_config=dataclasses.replace(SMALL, cold_start_rate=0.0),
                                 train_config=FAST)


def test_a_run_trained_without_cold_start_places_new_films_as_before(plain, tmp_path):
    """No unseen row: a new film gets the mean id embedding of the rated films and the mean movie bias."""
    from re_sys.recommend.serving.engine import Engine

    dataset, result = plain
    run = training.export_run(result, dataset, tmp_path / "runs")
    with np.load(run / "movie_tower.npz") as arrays:
        assert "unseen_bias" not in arrays
        trained = result.towers.movie.get_layer("movie_embedding").get_weights()[0]
        assert trained.shape[0] == arrays["movie_embedding"].shape[0] == dataset.n_movies
        np.testing.assert_allclose(arrays["unseen_id"], trained[np.unique(dataset.rating_movies)].mean(axis=0),
                                   atol=1e-6)
    engine = Engine(Run.load(run))
    assert engine.movie_tower.unseen_bias is None
    assert engine._unseen_movie_bias == pytest.approx(float(engine.run.movie_bias.mean()))


def test_new_films_rank_by_the_cold_start_signals_only_from_a_cold_start_run(cold, plain, tmp_path, monkeypatch):
    """The stars, the viewer's content profile, the tower's regression of popularity and the years the
    viewer watches joined the new-film rule once cold-start training made them worth it; an older
    run's new films keep the rule they were measured with (genre shares and the neighbours' popularity)."""
    from re_sys.recommend.serving import new_films
    from re_sys.recommend.serving.content_tower import nearest_popularity, predicted_popularity, profile_closeness
    from re_sys.recommend.serving.engine import Engine

    given = []
    real = new_films.new_film_scores
    monkeypatch.setattr(new_films, "new_film_scores",
                        lambda shares, popularity, stars=None, closeness=None, years=None: (
                            given.append((list(popularity), stars, closeness, years))
                            or real(shares, popularity, stars, closeness, years)))
    action_fan = {m: (5.0 if m % 2 else 1.0) for m in range(1, 11)}
    for name, (dataset, result) in (("cold", cold), ("plain", plain)):
        engine = Engine(Run.load(training.export_run(result, dataset, tmp_path / name)))
        new = {901: engine.content_placement("Boom Blast Returns", ["Action"], 1996),
               903: engine.content_placement("Boom Blast 7", ["Action"], 1966)}
        listed = engine.for_user(action_fan, vector=engine.fold_in(action_fan), k=10, new_movies=new)
        assert any(r.channel == "new" for r in listed), name
        vectors = [new[m].vector for m in (901, 903)]
        if name == "cold":    # how much it will be rated: the tower's regression over the rated films
            expected = predicted_popularity(engine.content_popularity, vectors)
            # and how close it is to the profile of every film the viewer rated
            profile = engine.movie_tower.profile_of([engine.row_of(m) for m in action_fan])
            assert all(np.isclose(profile_closeness(profile, vectors), c).any() for c in given[-1][2])
            # and how much the viewer watches films of its year, read from the run's own years
            # (given in the order the popularity shows the films were ranked in)
            order = [int(np.argmin(np.abs(np.asarray(expected) - p))) for p in given[-1][0]]
            watched = engine.movie_tower.years_watched([engine.row_of(m) for m in action_fan], [1996, 1966])
            assert len(set(order)) == len(order) and not np.isclose(*watched)
            np.testing.assert_allclose(given[-1][3], watched[order])
        else:                 # the mean of the ten rated films nearest it
            expected = [nearest_popularity(new[m].nearest, engine.run.movie_popularity) for m in (901, 903)]
        assert all(np.isclose(expected, p).any() for p in given[-1][0]), name
    assert len(given) == 2
    # The cold-start run also ranks them by their closeness to the profile of the films the viewer rated.
    (_, stars, closeness, years), (_, *plain_given) = given
    assert stars is not None and len(stars) >= 1 and closeness is not None and len(closeness) == len(stars)
    assert years is not None and len(years) == len(stars)
    assert plain_given == [None, None, None]
