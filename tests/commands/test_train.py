"""manage.py train: reads the database, writes a run, switches model/current."""
import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from re_sys.models import Movie, Rating, Viewer

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_train_writes_a_run_from_the_database(planted_db, settings):
    Movie.objects.filter(id__lte=10).update(year=1990)     # the others' years are unknown
    out = StringIO()
    call_command("train", "--epochs", "2", "--batch-size", "64", "--seed", "5", stdout=out)
    current = settings.RE_SYS_MODEL_DIR / "current"
    assert current.is_symlink()
    # The run keeps each film's year, in its own order, for ranking films added after it.
    with np.load(current / "encodings.npz") as encodings:
        years = dict(zip(np.load(current / "movie_ids.npy").tolist(), encodings["movie_year"].tolist()))
    assert years == {m: 1990 if m <= 10 else 0 for m in Movie.objects.values_list("id", flat=True)}
    metrics = json.loads((current / "metrics.json").read_text())
    assert metrics["n_train"] + metrics["n_valid"] == len(planted_db)
    config = json.loads((current / "config.json").read_text())
    assert config["train"]["epochs"] == 2 and config["train"]["seed"] == 5
    assert config["n_ratings"] == len(planted_db)
    assert metrics["refit"] and metrics["batch_size"] == 64
    # Every channel the engine recalls from is in the run, ALS included, and is served.
    from re_sys.recommend.serving.engine import Engine
    from re_sys.recommend.serving.runs import Run

    engine = Engine(Run.load(current))
    assert engine.run.als is not None and engine.run.item_weights is not None
    seen = dict(Rating.objects.filter(viewer_id=1).values_list("movie_id", "stars"))
    unseen = sorted(set(engine.run.movie_ids.tolist()) - set(seen))
    als = engine.run.als.scores(np.array([engine._movie(m) for m in seen]))
    by_als = sorted(unseen, key=lambda m: -als[engine._movie(m)])
    assert [r.movie_id for r in engine.for_user(seen, k=len(unseen), order="als")] == by_als
    text = out.getvalue()
    assert "epoch 1/2" in text and "validation RMSE" in text and "refit on all" in text

    # A site rating is in the same table, so the next run learns from it.
    unseen = Movie.objects.exclude(ratings__viewer_id=1).first()
    Rating.objects.create(viewer_id=1, movie=unseen, stars=4.5, timestamp=2_000_000_000)
    first = current.resolve()
    call_command("train", "--epochs", "1", "--batch-size", "64", stdout=StringIO())
    assert current.resolve() != first
    assert json.loads((current / "config.json").read_text())["n_ratings"] == Rating.objects.count()


def test_no_refit_serves_the_early_stopped_model_with_a_data_sized_batch(planted_db, settings):
    out = StringIO()
    call_command("train", "--epochs", "1", "--no-refit", stdout=out)
    metrics = json.loads((settings.RE_SYS_MODEL_DIR / "current" / "metrics.json").read_text())
    assert metrics["refit"] is False and "refit on all" not in out.getvalue()
    assert metrics["batch_size"] == 2048  # small data: the floor


def test_train_without_ratings_is_a_clear_error():
    with pytest.raises(CommandError, match="no ratings: run import_movielens first"):
        call_command("train", stdout=StringIO())


@pytest.mark.parametrize("args", [["--epochs", "0"], ["--val-fraction", "1.5"], ["--lr", "-1"],
                                  ["--batch-size", "0"]])
def test_bad_options_are_refused(args):
    with pytest.raises(CommandError):
        call_command("train", *args, stdout=StringIO())


@pytest.mark.parametrize("algo", ["rsvd", "fm"])
def test_train_algo_writes_a_run_the_engine_serves(planted_db, settings, algo):
    from re_sys.services import recommending

    recommending._store.cache_clear()
    out = StringIO()
    call_command("train", "--algo", algo, "--seed", "2", stdout=out)
    current = settings.RE_SYS_MODEL_DIR / "current"
    config = json.loads((current / "config.json").read_text())
    metrics = json.loads((current / "metrics.json").read_text())
    assert config["algorithm"] == algo and metrics["refit"] is False
    assert metrics["valid_rmse"] < metrics["baseline_rmse"]
    assert f"Training {algo}" in out.getvalue() and "model/current now serves it" in out.getvalue()
    viewer = Viewer.objects.get(pk=1)
    recs = recommending.viewer_recommendations(viewer=viewer, k=3, order="text-cnn")
    rated = set(Rating.objects.filter(viewer=viewer).values_list("movie_id", flat=True))
    assert len(recs) == 3 and not rated & {r.movie_id for r in recs}
    assert recommending.rating_predict(viewer=viewer, movie_id=recs[0].movie_id) is not None
    recommending._store.cache_clear()
