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

    layer = ColdStartDrop(unseen=50, rate=0.3, seed=1)
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
    dataset = DataSet.from_frames(*planted_frames())
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
    assert tower.unseen_bias != pytest.approx(float(engine.run.movie_bias.mean()), abs=1e-4)

    # Stars for the new film: the viewer's vector and bias, the global mean and the learned unseen bias.
    row = 0
    expected = (engine.run.user_features[row] @ placement.vector + engine.run.user_bias[row]
                + engine.run.global_mean + learned_bias)
    got = engine.predict_content(engine.run.user_features[row], float(engine.run.user_bias[row]), {900: placement})
    assert got[900] == pytest.approx(float(np.clip(expected, 0.5, 5.0)), abs=1e-4)
