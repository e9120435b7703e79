"""The text-CNN learns planted structure, exports complete runs, and reloads exactly."""
import dataclasses
import json

import numpy as np
import pytest

from re_sys.recommend.serving import publish
from re_sys.recommend.textcnn import training
from re_sys.recommend.textcnn.config import TextCNNConfig, TrainConfig
from re_sys.recommend.data.dataset import DataSet
from re_sys.recommend.metrics import rmse
from re_sys.recommend.serving.runs import Run, manifest_write
from tests.recommend.planted import planted_frames

pytestmark = pytest.mark.slow

SMALL = TextCNNConfig(id_dim=8, demographic_dim=4, hidden_dim=8, feature_dim=16, word_dim=8,
                      filters=4)
FAST = TrainConfig(epochs=25, batch_size=64, lr=1e-2, seed=3, val_fraction=0.2, patience=4)


@pytest.fixture(scope="module")
def trained():
    dataset = DataSet.from_frames(*planted_frames())
    return dataset, training.fit(dataset, model_config=SMALL, train_config=FAST)


def test_beats_the_global_mean_on_held_out_ratings(trained):
    dataset, result = trained
    assert result.metrics["valid_rmse"] < 0.6 * result.metrics["baseline_rmse"]
    assert result.metrics["n_valid"] == len(result.split.valid)
    assert len(result.history["val_rmse"]) == result.metrics["epochs_run"]


def test_the_served_model_is_refit_on_every_rating(trained):
    """Validation figures come from the early-stopped model; the refit then learns the
    validation ratings too, for the number of epochs early stopping chose."""
    dataset, result = trained
    metrics = result.metrics
    assert metrics["refit"] and 1 <= metrics["best_epochs"] <= metrics["epochs_run"]
    assert metrics["global_mean"] == pytest.approx(float(dataset.rating_stars.mean()), abs=1e-6)
    inputs, truth = dataset.rating_inputs(result.split.valid)
    refit_rmse = rmse(truth, np.clip(training.predict_inputs(result.towers.rating, inputs), 0.5, 5))
    assert refit_rmse < metrics["valid_rmse"]


def test_export_writes_a_complete_run_and_switches_current(trained, tmp_path):
    dataset, result = trained
    run = training.export_run(result, dataset, tmp_path / "runs")
    training.switch_current(tmp_path, run)
    names = {p.name for p in run.iterdir()}
    assert {"model.keras", "user_features.npy", "movie_features.npy", "user_bias.npy",
            "movie_bias.npy", "user_ids.npy", "movie_ids.npy", "vocabulary.json",
            "encodings.npz", "config.json", "history.json", "metrics.json", "loss.png",
            "item_weights.npy", "movie_popularity.npy", "transitions.npy",
            "demographic_segments.json", "demographic_log_share.npy"} <= names
    served = Run.load(run)
    assert served.transitions.shape == (dataset.n_movies, dataset.n_movies)
    # planted data: every viewer has a gender and an age group, so gender-age segments exist
    assert any(k.startswith("gender-age:") for k in served.demographic.keys)
    weights = np.load(run / "item_weights.npy")
    assert weights.shape == (dataset.n_movies, dataset.n_movies) and not weights.diagonal().any()
    assert (tmp_path / "current").resolve() == run.resolve()
    users, movies = np.load(run / "user_features.npy"), np.load(run / "movie_features.npy")
    assert users.shape == (dataset.n_users, 16) and movies.shape == (dataset.n_movies, 16)
    assert np.load(run / "movie_ids.npy").tolist() == dataset.movie_ids.tolist()
    config = json.loads((run / "config.json").read_text())
    assert config["model"]["feature_dim"] == 16 and config["train"]["seed"] == 3
    assert (run / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_feature_matrices_reproduce_the_model_and_reload_exactly(trained, tmp_path):
    import keras

    dataset, result = trained
    run = training.export_run(result, dataset, tmp_path / "runs")
    inputs, _ = dataset.rating_inputs(result.split.valid)
    direct = training.predict_inputs(result.towers.rating, inputs)
    reloaded = keras.models.load_model(run / "model.keras")
    assert np.array_equal(training.predict_inputs(reloaded, inputs), direct)

    users, movies = np.load(run / "user_features.npy"), np.load(run / "movie_features.npy")
    u, m = dataset.rating_users[result.split.valid], dataset.rating_movies[result.split.valid]
    from_matrices = ((users[u] * movies[m]).sum(1) + np.load(run / "user_bias.npy")[u]
                     + np.load(run / "movie_bias.npy")[m] + result.metrics["global_mean"])
    np.testing.assert_allclose(from_matrices, direct, atol=1e-4)


def test_taste_shows_in_the_feature_vectors(trained):
    """Movies of the same kind end up closer to each other than to the other kind."""
    dataset, result = trained
    features = training.predict_inputs(result.towers.movie, dataset.movie_inputs())
    unit = features / np.linalg.norm(features, axis=1, keepdims=True)
    kind = (dataset.movie_ids - 1) % 2
    sims = unit @ unit.T
    same = sims[kind[:, None] == kind[None, :]].mean()
    other = sims[kind[:, None] != kind[None, :]].mean()
    assert same > other + 0.2


def test_an_interrupted_export_leaves_current_untouched(trained, tmp_path, monkeypatch):
    dataset, result = trained
    first = training.export_run(result, dataset, tmp_path / "runs")
    training.switch_current(tmp_path, first)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if the process were stopped while writing

    monkeypatch.setattr(publish, "_plot_history", crash)
    with pytest.raises(KeyboardInterrupt):
        training.export_run(result, dataset, tmp_path / "runs")
    assert (tmp_path / "current").resolve() == first.resolve()
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [first.name]


def test_rmse_of_planted_predictions_is_plausible(trained):
    dataset, result = trained
    inputs, truth = dataset.rating_inputs(result.split.valid)
    assert rmse(truth, training.predict_inputs(result.towers.rating, inputs)) == \
        pytest.approx(result.metrics["valid_rmse"], abs=0.05)


def test_the_numpy_movie_tower_gives_the_keras_vectors_of_every_movie(trained, tmp_path):
    from re_sys.recommend.serving.content_tower import MovieTower

    dataset, result = trained
    run = training.export_run(result, dataset, tmp_path / "runs")
    tower = MovieTower.load(run)
    inputs = dataset.movie_inputs()
    keras_vectors = training.predict_inputs(result.towers.movie, inputs)
    numpy_vectors = tower.vectors_of_rows(inputs["movie"], inputs["genres"], inputs["title"])
    assert numpy_vectors.shape == keras_vectors.shape == (dataset.n_movies, 16)
    np.testing.assert_allclose(numpy_vectors, keras_vectors, atol=2e-5)
    np.testing.assert_allclose(numpy_vectors, np.load(run / "movie_features.npy"), atol=2e-5)
    # Encoding from the title text gives the run's own encodings.
    assert np.array_equal(tower.encode_title("Boom Blast 3 (1990)"), dataset.movie_title[2])


def test_a_film_nobody_rated_is_placed_among_its_kind_by_title_and_genres(trained, tmp_path):
    from re_sys.recommend.serving.engine import Engine

    dataset, result = trained
    engine = Engine(Run.load(training.export_run(result, dataset, tmp_path / "runs")))
    for title, genres, kind in (("Boom Blast Returns", ["Action"], 0), ("Love Story Again", ["Romance"], 1)):
        vector = engine.content_vector(title, genres)
        near = engine.similar_to_content(vector, title, k=5)
        assert [(r.movie_id - 1) % 2 for r in near] == [kind] * 5, title
        assert near[0].reason == f"Similar in title words and genres to {title}"
    # An older run (no exported tower) serves as before, and new films simply get no vector.
    (engine.run.path / "movie_tower.npz").unlink()
    manifest_write(engine.run.path)
    assert Engine(Run.load(engine.run.path)).content_vector("Boom Blast Returns", ["Action"]) is None


def test_films_added_after_training_join_similar_lists_and_for_you(trained, tmp_path):
    """A new film competes in a known film's similar list by content, and is listed for the viewers its
    content suits, marked "new"; viewers it does not suit never see it."""
    from re_sys.recommend.serving.engine import Engine

    dataset, result = trained
    movies = planted_frames()[1]
    engine = Engine(Run.load(training.export_run(result, dataset, tmp_path / "runs")),
                    titles=dict(zip(movies.movie_id.tolist(), movies.title.tolist())))
    new = {901: engine.content_placement("Boom Blast Returns", ["Action"]),
           902: engine.content_placement("Love Story Again", ["Romance"])}
    # The rated films nearest each by title and genres are of its own kind.
    assert {r % 2 for r in new[901].nearest} == {0} and {r % 2 for r in new[902].nearest} == {1}
    # A film among those nearest the new one lists it among its similar films, marked new; the other kind
    # does not, nor does a film of its kind that is not among its nearest.
    boom, love = (int(engine.run.movie_ids[new[m].nearest[0]]) for m in (901, 902))
    near_boom = engine.similar(boom, k=10, new_movies=new)
    assert [r.channel for r in near_boom].count("new") == 1 and 901 in {r.movie_id for r in near_boom}
    assert {r.movie_id for r in engine.similar(love, k=10, new_movies=new)} & {901, 902} == {902}
    assert 901 not in {r.movie_id for r in engine.similar(boom, k=10, new_movies=new, exclude={901})}
    not_near = next(m for m in range(1, 41, 2) if engine._movie_row[m] not in new[901].nearest)
    assert 901 not in {r.movie_id for r in engine.similar(not_near, k=10, new_movies=new)}
    # In a list of twenty, two new films take two places, each after the listed films closer by content.
    twins = {**new, 903: engine.content_placement("Boom Blast 7", ["Action"])}
    shared = [r for r in twins[901].nearest if r in twins[903].nearest]
    assert shared                                   # films of one kind: the same nearest films
    query = int(engine.run.movie_ids[shared[0]])
    long = engine.similar(query, k=20, new_movies=twins)
    unit = engine.unit_movies[shared[0]]
    closeness = [float(unit @ ((twins[r.movie_id].vector / np.linalg.norm(twins[r.movie_id].vector))
                               if r.channel == "new" else engine.unit_movies[engine.row_of(r.movie_id)]))
                 for r in long]
    new_at = [i for i, r in enumerate(long) if r.channel == "new"]
    assert len(new_at) == 2 and closeness[new_at[0]] >= closeness[new_at[1]]
    # A list of five or fewer has no place for a new film.
    assert all(r.channel != "new" for r in engine.similar(boom, k=4, new_movies=new))

    action_fan = {m: (5.0 if m % 2 else 1.0) for m in range(1, 11)}
    vector = engine.fold_in(action_fan)
    listed = engine.for_user(action_fan, vector=vector, k=6, new_movies=new)
    assert len(listed) == 6
    by_id = {r.movie_id: r for r in listed}
    assert 901 in by_id and 902 not in by_id
    assert by_id[901].channel == "new"
    # Its reason names the loved neighbour: an action film this viewer rated 5 stars.
    assert by_id[901].reason.template == "New here, like {title}, which you rated {stars}"
    assert by_id[901].reason.fields["stars"] == "★★★★★" and "Boom Blast" in str(by_id[901].reason.fields["title"])
    assert sum(r.channel == "new" for r in listed) == 1          # one slot in a list of up to ten
    assert all(r.channel != "new" for r in engine.for_user(action_fan, vector=vector, k=5, new_movies=new))
    # Ranked by predicted stars, new films compete on that one scale: the action film comes before
    # every film of the list the model predicts lower.
    by_stars = engine.for_user(action_fan, vector=vector, k=20, order="text-cnn", new_movies=new)
    stars = engine.predict_content(*vector, new)
    place = [r.movie_id for r in by_stars].index(901)
    assert all(r.score >= stars[901] for r in by_stars[:place])
    assert all(r.score < stars[901] for r in by_stars[place + 1:])
    assert 902 not in {r.movie_id for r in by_stars}              # predicted below the floor
    # A rated or hidden new film is never offered back.
    assert 901 not in {r.movie_id for r in engine.for_user({**action_fan, 901: 4.0}, vector=vector,
                                                             k=6, new_movies=new)}
    assert 901 not in {r.movie_id for r in engine.for_user(action_fan, vector=vector, k=6,
                                                             exclude={901}, new_movies=new)}
    romance_fan = {m: (1.0 if m % 2 else 5.0) for m in range(1, 11)}
    theirs = engine.for_user(romance_fan, vector=engine.fold_in(romance_fan), k=6, new_movies=new)
    assert 901 not in {r.movie_id for r in theirs} and 902 in {r.movie_id for r in theirs}


@pytest.fixture(scope="module")
def choosy():
    """Viewers rate mostly films of their own kind, and nobody's details are known: only which films
    they rated tells their taste. Trained with and without the user tower's implicit part."""
    ratings, movies, users = planted_frames(density=0.8, other_density=0.2, seed=2)
    users = users.assign(gender="", age_group=np.nan, occupation="")
    dataset = DataSet.from_frames(ratings, movies, users)
    return dataset, {implicit: training.fit(dataset, model_config=dataclasses.replace(SMALL, implicit=implicit),
                                            train_config=FAST)
                     for implicit in (False, True)}


def test_the_numpy_user_tower_gives_the_keras_vectors_of_every_viewer(choosy, tmp_path):
    from re_sys.recommend.serving.user_tower import UserTower

    dataset, fits = choosy
    for implicit, result in fits.items():
        tower = UserTower.load(training.export_run(result, dataset, tmp_path / f"runs-{implicit}"))
        assert tower.implicit is implicit
        inputs = dataset.user_inputs()
        rated = ()
        if implicit:        # the films each viewer rated, as the trained layer holds them
            layer = result.towers.user.get_layer("rated_movies")
            flat, splits = np.asarray(layer.flat.numpy()), np.asarray(layer.splits.numpy())
            rated = [flat[splits[i]:splits[i + 1]] for i in range(dataset.n_users)]
            assert sorted(rated[0].tolist()) == sorted(dataset.rating_movies[dataset.rating_users == 0].tolist())
        numpy_vectors = tower.vectors_of_rows(inputs["user"], inputs["gender"], inputs["age"],
                                              inputs["occupation"], rated)
        np.testing.assert_allclose(numpy_vectors, training.predict_inputs(result.towers.user, inputs), atol=2e-5)


def test_the_implicit_user_tower_places_a_stranger_by_the_films_they_rated(choosy, tmp_path):
    """A viewer the run never saw, with no details: the tower that reads which films they rated puts one
    who watched action films nearer the action films, one who watched romances nearer the romances;
    the tower without it cannot tell them apart."""
    from re_sys.recommend.serving.engine import Engine

    dataset, fits = choosy
    kind = (dataset.movie_ids - 1) % 2          # 0: Boom Blast action, 1: Love Story romance
    action, romance = dataset.movie_ids[kind == 0], dataset.movie_ids[kind == 1]
    lean = {}
    for implicit, result in fits.items():
        engine = Engine(Run.load(training.export_run(result, dataset, tmp_path / f"runs-{implicit}")))
        films = engine.run.movie_features

        def leaning(vector):
            return float((films[kind == 0] @ vector).mean() - (films[kind == 1] @ vector).mean())

        lean[implicit] = (leaning(engine.tower_vector(action[:6])), leaning(engine.tower_vector(romance[:6])))
    assert lean[False][0] == pytest.approx(lean[False][1], abs=1e-6)     # the films rated are not read
    assert lean[True][0] > 0 > lean[True][1]
