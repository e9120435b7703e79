"""The numpy engine: similar, predict, the text-CNN channel, fold-in, hot swap, no TensorFlow."""
import os
import subprocess
import sys

import numpy as np
import pytest

from re_sys.recommend.serving.engine import Engine, UnknownId
from re_sys.recommend.serving.reasons import stars_text
from re_sys.recommend.serving.store import ModelStore
from re_sys.recommend.serving.runs import Run, RunError
from re_sys.recommend.serving.runs import switch_current
from tests.recommend.fake_run import two_kinds_run, write_run


@pytest.fixture
def engine(tmp_path):
    return Engine(Run.load(two_kinds_run(tmp_path / "run")), titles={1: "Heat"})


def test_similar_puts_same_kind_first_and_excludes_itself(engine):
    answer = engine.similar(1, k=4)
    ids = [r.movie_id for r in answer]
    assert 1 not in ids and len(ids) == 4
    assert all(m % 2 == 1 for m in ids)  # movie 1 is of the odd kind
    assert [r.score for r in answer] == sorted((r.score for r in answer), reverse=True)
    assert answer[0].channel == "similar" and answer[0].reason == "Similar to Heat"
    assert 3 not in [r.movie_id for r in engine.similar(1, k=4, exclude=[3])]


def test_reasons_name_movies_article_first(tmp_path):
    engine = Engine(Run.load(two_kinds_run(tmp_path / "run")), titles={1: "Usual Suspects, The"})
    assert engine.similar(1, k=1)[0].reason == "Similar to The Usual Suspects"
    assert engine.similar(3, k=10)[-1].reason == "Similar to movie 3"  # a title the engine never loaded


def test_k_larger_than_the_catalogue_returns_everything_else(engine):
    assert len(engine.similar(1, k=100)) == 9


def test_predict_is_the_dot_product_plus_biases(tmp_path):
    run = write_run(tmp_path / "r", user_features=[[1.0, 0.5]], movie_features=[[0.5, 1.0], [2, 2]],
                    user_bias=[0.25], movie_bias=[-0.5, 0.0], global_mean=3.0)
    engine = Engine(Run.load(run))
    assert engine.predict(1, 1) == pytest.approx(3.0 + 0.25 - 0.5 + 1.0)
    assert engine.predict(1, 2) == 5.0  # clipped to the star scale
    with pytest.raises(UnknownId):
        engine.predict(9, 1)
    with pytest.raises(UnknownId):
        engine.similar(99)


def test_text_cnn_channel_never_returns_excluded_movies(engine):
    vector, bias = engine.user_vector(1)
    answer = engine.for_vector(vector, bias, k=3, exclude=[1, 3])
    ids = [r.movie_id for r in answer]
    assert not {1, 3} & set(ids) and all(m % 2 == 1 for m in ids)
    assert all(r.channel == "text-cnn" and r.reason.startswith("Predicted") for r in answer)


def test_fold_in_recovers_a_hidden_user(tmp_path):
    rng = np.random.default_rng(1)
    movies = rng.normal(size=(80, 6))
    true_user = rng.normal(size=6) * 0.5
    run = Run.load(write_run(tmp_path / "r", user_features=[np.zeros(6)], movie_features=movies,
                             global_mean=3.5))
    engine = Engine(run)
    ratings = {int(m): float(3.5 + 0.3 + movies[m - 1] @ true_user) for m in range(1, 41)}
    vector, bias = engine.fold_in(ratings, regularisation=1e-3)
    np.testing.assert_allclose(vector, true_user, atol=1e-2)
    assert bias == pytest.approx(0.3, abs=1e-2)
    predicted = engine.predict_many(vector, bias, range(41, 81))
    held_out = [predicted[m] for m in range(41, 81)]
    truth = [np.clip(3.8 + movies[m - 1] @ true_user, 0.5, 5) for m in range(41, 81)]
    np.testing.assert_allclose(held_out, truth, atol=0.05)


def test_each_new_rating_changes_the_recommendations(engine):
    liked_odd = engine.fold_in({1: 5.0, 3: 5.0, 2: 1.0})
    top = [r.movie_id for r in engine.for_vector(*liked_odd, k=3, exclude=[1, 2, 3])]
    assert all(m % 2 == 1 for m in top)
    changed = engine.fold_in({1: 1.0, 3: 1.0, 2: 5.0})
    top = [r.movie_id for r in engine.for_vector(*changed, k=3, exclude=[1, 2, 3])]
    assert all(m % 2 == 0 for m in top)
    assert engine.fold_in({})[0].tolist() == [0.0] * 4
    assert engine.fold_in({999: 5.0})[0].tolist() == [0.0] * 4  # unknown movies ignored


def test_stars_text():
    assert stars_text(5) == "★★★★★" and stars_text(3.5) == "★★★½"


def test_store_loads_swaps_and_reports_problems(tmp_path):
    store = ModelStore(tmp_path)
    assert store.get() is None and "No model has been trained" in store.error
    first = two_kinds_run(tmp_path / "runs" / "a")
    switch_current(tmp_path, first)
    engine = store.get()
    assert engine is not None and engine.run.run_id == "a" and store.get() is engine
    second = two_kinds_run(tmp_path / "runs" / "b", n_movies=12)
    switch_current(tmp_path, second)
    assert store.get().run.run_id == "b" and len(store.get().similar(1, k=50)) == 11

    broken = two_kinds_run(tmp_path / "runs" / "c")
    (broken / "movie_features.npy").write_bytes((broken / "movie_features.npy").read_bytes()[:60])
    switch_current(tmp_path, broken)
    assert store.get() is None and "movie_features.npy is damaged" in store.error


@pytest.mark.parametrize("damage, message", [
    (lambda run: (run / "user_bias.npy").unlink(), "user_bias.npy is missing"),
    (lambda run: (run / "config.json").write_text('{"format": 99}'), "run format 99"),
    (lambda run: (run / "metrics.json").write_text("{not json"), "unreadable"),
    (lambda run: np.save(run / "movie_bias.npy", np.zeros(3)), "bias vectors"),
])
def test_damaged_runs_are_refused_with_a_reason(tmp_path, damage, message):
    # An older run, from before manifests: the loader's own checks must catch each damage.
    run = two_kinds_run(tmp_path / "run")
    (run / "manifest.json").unlink()
    damage(run)
    with pytest.raises(RunError, match=message):
        Run.load(run)


def test_serving_never_imports_tensorflow(tmp_path):
    run = two_kinds_run(tmp_path / "run")
    code = (
        "import sys; from pathlib import Path\n"
        "from re_sys.recommend.serving.engine import Engine\nfrom re_sys.recommend.serving.runs import Run\n"
        f"e = Engine(Run.load(Path({str(run)!r})))\n"
        "e.similar(1); e.predict(1, 2); e.for_vector(*e.fold_in({1: 5.0}))\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TF imported'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=os.getcwd())
    assert result.returncode == 0, result.stderr


@pytest.fixture
def channel_engine(tmp_path):
    """Ten movies; item-to-item ties odd movies together and even ones together."""
    run = two_kinds_run(tmp_path / "channel-run")
    kind = np.arange(10) % 2
    weights = (kind[:, None] == kind[None, :]).astype(float) * np.linspace(1, 2, 10)[None, :]
    np.fill_diagonal(weights, 0)
    from tests.recommend.fake_run import with_item_channel
    with_item_channel(run, weights, popularity=np.arange(10)[::-1] * 10)
    return Engine(Run.load(run), titles={1: "Heat", 3: "Ronin"})


def test_for_user_ranks_by_item_to_item_and_explains(channel_engine):
    answer = channel_engine.for_user({1: 5.0, 3: 4.5}, k=3)
    ids = [r.movie_id for r in answer]
    assert not {1, 3} & set(ids) and all(m % 2 == 1 for m in ids)
    assert len(set(ids)) == len(ids) == 3
    assert answer[0].channel == "item-to-item"
    assert answer[0].reason.startswith("Because you rated ") and answer[0].reason[-1] in "★½"


def test_for_user_falls_back_to_text_cnn_then_popular(channel_engine, engine):
    vector = engine.fold_in({2: 5.0, 4: 5.0, 1: 1.0})
    no_item_channel = engine.for_user({2: 5.0, 4: 5.0, 1: 1.0}, vector=vector, k=3)
    assert {r.channel for r in no_item_channel} == {"text-cnn"}
    assert all(r.movie_id % 2 == 0 for r in no_item_channel)
    nothing = channel_engine.for_user({}, k=3, exclude=[1])
    assert [r.movie_id for r in nothing] == [2, 3, 4]  # most rated first, 1 excluded
    assert {r.channel for r in nothing} == {"popular"}


def test_item_weights_of_the_wrong_shape_are_refused(tmp_path):
    from tests.recommend.fake_run import with_item_channel
    run = with_item_channel(two_kinds_run(tmp_path / "run"), np.zeros((3, 3)), np.zeros(10))
    with pytest.raises(RunError, match="item_weights"):
        Run.load(run)


def test_item_to_item_reasons_name_a_liked_movie(channel_engine):
    answer = channel_engine.for_user({1: 1.0, 3: 5.0}, k=2)
    assert all(r.reason == "Because you rated Ronin ★★★★★" for r in answer
               if r.channel == "item-to-item")
    assert any(r.channel == "item-to-item" for r in answer)
